// What commands run in the terminal printed and how they ended, through VS Code's shell
// integration: the last one is there for Read Last Command Output, and (opt-in) a long
// command's end is announced.

import * as vscode from 'vscode';
import { announceCommandFinished } from '../speech/terminalOutput';

/** A command that ran in a terminal, with what it printed (the last part of it, when it printed a lot). */
export interface FinishedCommand {
  command: string;
  exitCode: number | undefined;
  output: string;
  durationMs: number;
}

/** Output kept per command: the end, where the errors and the result are. */
const KEPT_OUTPUT_CHARS = 1_000_000;
/** A command that ran at least this long is announced when it finishes (with kokoro.announceCommandFinished). */
export const ANNOUNCE_AFTER_MS = 5_000;

export class TerminalWatch implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly running = new Map<
    vscode.TerminalShellExecution,
    { startedAt: number; output: string[]; chars: number; read: Promise<void> }
  >();
  private lastFinished: FinishedCommand | undefined;

  constructor(
    private readonly announce: (text: string) => void,
    private readonly announceEnabled: () => boolean,
  ) {
    this.disposables.push(
      vscode.window.onDidStartTerminalShellExecution((e) => this.started(e.execution)),
      vscode.window.onDidEndTerminalShellExecution((e) => void this.ended(e.execution, e.exitCode)),
    );
  }

  /** The last command that finished in a terminal, if shell integration reported one. */
  get last(): FinishedCommand | undefined {
    return this.lastFinished;
  }

  /** Whether any open terminal has shell integration (without it, commands are not seen). */
  get integrated(): boolean {
    return vscode.window.terminals.some((t) => t.shellIntegration !== undefined);
  }

  private started(execution: vscode.TerminalShellExecution): void {
    const output: string[] = [];
    // read() yields only what is written after its first call: called at once.
    const stream = execution.read();
    const run = { startedAt: Date.now(), output, chars: 0, read: Promise.resolve() };
    run.read = (async () => {
      try {
        for await (const data of stream) {
          output.push(data);
          run.chars += data.length;
          while (run.chars > KEPT_OUTPUT_CHARS && output.length > 1) run.chars -= output.shift()!.length;
        }
      } catch {
        // the terminal went away: what came is kept
      }
    })();
    this.running.set(execution, run);
  }

  private async ended(execution: vscode.TerminalShellExecution, exitCode: number | undefined): Promise<void> {
    const run = this.running.get(execution);
    this.running.delete(execution);
    // The output stream ends just after the end event; a terminal that never closes it is not waited for long.
    if (run) await Promise.race([run.read, new Promise((resolve) => setTimeout(resolve, 1000))]);
    const finished: FinishedCommand = {
      command: execution.commandLine.value,
      exitCode,
      output: run?.output.join('') ?? '',
      durationMs: run ? Date.now() - run.startedAt : 0,
    };
    if (!finished.command.trim()) return;
    this.lastFinished = finished;
    if (this.announceEnabled() && finished.durationMs >= ANNOUNCE_AFTER_MS) this.announce(announceCommandFinished(finished));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.running.clear();
  }
}
