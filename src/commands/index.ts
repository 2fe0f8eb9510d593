import * as vscode from 'vscode';
import type { Session } from '../vscode/session';
import { SPEED } from '../player/messages';
import { runBenchmark } from './runBenchmark';
import { goToProblemAndRead, readProblemAtCursor, readProblemsInFile } from './problems';
import { OutputChannels, readOutputChannel } from './outputChannel';
import { readHoverAtCursor, readLastCommandOutput } from './moreToRead';
import { readFromCursor, readSelection } from './readSelection';
import { selectVoice, setApiKey, warmUp } from './server';

export function registerCommands(session: Session): void {
  const visitedProblem = {};
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'kokoro.readSelection': readSelection(session),
    'kokoro.readFromCursor': readFromCursor(session),
    'kokoro.readOutputChannel': readOutputChannel(session, new OutputChannels(session)),
    'kokoro.stop': () => session.stop(),
    'kokoro.togglePause': () => session.playback.togglePause(),
    'kokoro.pause': () => session.playback.pause(),
    'kokoro.resume': () => session.playback.resume(),
    'kokoro.selectVoice': selectVoice(session),
    'kokoro.warmUp': warmUp(session),
    'kokoro.showStats': () => session.showStats(),
    'kokoro.setApiKey': setApiKey(session),
    'kokoro.showLog': () => session.log.show(),
    'kokoro.readProblemAtCursor': problemCommand(session, readProblemAtCursor(session)),
    'kokoro.readFullProblem': problemCommand(session, readProblemAtCursor(session, true)),
    'kokoro.readProblemsInFile': problemCommand(session, readProblemsInFile(session)),
    'kokoro.nextProblem': problemCommand(session, goToProblemAndRead(session, 'next', visitedProblem)),
    'kokoro.previousProblem': problemCommand(session, goToProblemAndRead(session, 'previous', visitedProblem)),
    'kokoro.runBenchmark': runBenchmark(session),
    'kokoro.previousSentence': () => session.moveSentence(-1),
    'kokoro.repeatSentence': () => session.moveSentence(0),
    'kokoro.nextSentence': () => session.moveSentence(1),
    'kokoro.readHoverAtCursor': readHoverAtCursor(session),
    'kokoro.readLastCommandOutput': readLastCommandOutput(session, session.terminals),
    'kokoro.speedUp': () => session.setSpeed(session.config.speed + SPEED.step),
    'kokoro.speedDown': () => session.setSpeed(session.config.speed - SPEED.step),
  };
  for (const [id, handler] of Object.entries(commands)) {
    session.own(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (err) {
          session.log.error(`${id} failed: ${(err as Error)?.stack ?? String(err)}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('Kokoro: {0} failed: {1}', id, (err as Error)?.message ?? String(err)));
        }
      }),
    );
  }
}

function problemCommand(session: Session, handler: () => Promise<void>) {
  return () => {
    session.announcements.problemCommandUsed();
    return handler();
  };
}
