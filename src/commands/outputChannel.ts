import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { documentText } from '../vscode/documentText';
import type { Session } from '../vscode/session';

/**
 * The Output panel's channels: VS Code opens a channel's document when it is shown; the last
 * one opened is the one on screen.
 */
export class OutputChannels {
  private shown: string | undefined;
  private toldAboutSelection = false;

  constructor(session: Pick<Session, 'own'>) {
    session.own(
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (document.uri.scheme === 'output') this.shown = document.uri.toString();
      }),
    );
  }

  shownDocument(): vscode.TextDocument | undefined {
    const channels = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'output');
    return channels.find((d) => d.uri.toString() === this.shown) ?? channels.at(-1);
  }

  /** Once per session: why the whole channel is read. */
  explainOnce(): void {
    if (this.toldAboutSelection) return;
    this.toldAboutSelection = true;
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Kokoro: VS Code does not let extensions see what is selected in the Output panel, so the whole channel is read. To read part of it, run "Output: Open Output in Editor" and select there.',
      ),
    );
  }
}

/** A channel's name from its document: "output:extension-output-publisher.name-#1-Build" → "Build". */
export function channelName(uri: vscode.Uri): string {
  const path = decodeURIComponent(uri.path);
  return /-#\d+-(.+)$/.exec(path)?.[1] ?? path.replace(/^.*[\\/]/, '');
}

/** Read Selection (its keybinding) in the Output panel: the channel on screen, from its start. */
export function readOutputChannel(session: Pick<Session, 'read' | 'log'>, channels: OutputChannels) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const document = channels.shownDocument();
    if (!document) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Kokoro: show an Output channel (View → Output) to read it aloud.'));
      return;
    }
    if (document.lineCount === 1 && !document.lineAt(0).text.trim()) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Kokoro: the Output channel {0} is empty.', channelName(document.uri)));
      return;
    }
    channels.explainOnce();
    const last = document.lineAt(document.lineCount - 1);
    const text = documentText(document, [new vscode.Range(0, 0, last.lineNumber, last.text.length)], session.log, true);
    try {
      const title = vscode.l10n.t('Output: {0}', channelName(document.uri));
      await session.read(text, { kind: 'message', startedAt, title });
    } finally {
      text.dispose();
    }
  };
}
