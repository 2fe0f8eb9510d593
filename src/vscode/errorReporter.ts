// Shows errors once, with the actions that fix them, and logs every one.

import * as vscode from 'vscode';
import type { SettingLocation } from '../config';
import { type KokoroError } from '../kokoro/errors';

/** The same kind of error is not shown again within this time: a dead server must not cause a storm. */
const REPEAT_AFTER_MS = 15_000;

export class ErrorReporter {
  private readonly lastShown = new Map<string, number>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly locate: (key: string) => SettingLocation,
  ) {}

  show(error: KokoroError, retry?: () => unknown): void {
    if (error.kind === 'aborted') return;
    this.log.error(error.message);
    const key = `${error.kind}:${error.status ?? ''}`;
    const now = Date.now();
    if (now - (this.lastShown.get(key) ?? -Infinity) < REPEAT_AFTER_MS) return;
    this.lastShown.set(key, now);
    const actions: string[] = [];
    if (retry && (error.retryable || error.kind === 'emptyAudio')) actions.push('Retry');
    if (error.settingsRelated) actions.push('Open Settings');
    if (error.kind === 'badVoice') actions.unshift('Select Voice');
    actions.push('Show Log');
    const setting = error.setting ? this.locate(error.setting) : undefined;
    const where = setting ? ` ${error.setting} is in ${setting.place}.` : '';
    void vscode.window.showErrorMessage(`Kokoro: ${error.message}${where}`, ...actions).then((choice) => {
      switch (choice) {
        case 'Retry':
          this.lastShown.delete(key);
          retry?.();
          break;
        case 'Open Settings':
          if (setting) void vscode.commands.executeCommand(setting.command, ...setting.args);
          else void vscode.commands.executeCommand('workbench.action.openSettings', '@ext:kokoro-read-aloud.kokoro-read-aloud');
          break;
        case 'Select Voice':
          void vscode.commands.executeCommand('kokoro.selectVoice');
          break;
        case 'Show Log':
          this.log.show();
          break;
      }
    });
  }

  /** Lets the next error of every kind show again (the server came back). */
  clear(): void {
    this.lastShown.clear();
  }
}
