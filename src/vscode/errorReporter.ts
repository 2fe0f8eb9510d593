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
    const setting = error.setting ? this.locate(error.setting) : undefined;
    const actions: { title: string; run: () => unknown }[] = [];
    if (error.kind === 'badVoice')
      actions.push({ title: vscode.l10n.t('Select Voice'), run: () => vscode.commands.executeCommand('kokoro.selectVoice') });
    if (retry && (error.retryable || error.kind === 'emptyAudio'))
      actions.push({
        title: vscode.l10n.t('Retry'),
        run: () => {
          this.lastShown.delete(key);
          retry();
        },
      });
    if (error.settingsRelated)
      actions.push({
        title: vscode.l10n.t('Open Settings'),
        run: () =>
          setting
            ? vscode.commands.executeCommand(setting.command, ...setting.args)
            : vscode.commands.executeCommand('workbench.action.openSettings', '@ext:kokoro-read-aloud.kokoro-read-aloud'),
      });
    actions.push({ title: vscode.l10n.t('Show Log'), run: () => this.log.show() });
    const message = setting
      ? vscode.l10n.t('Kokoro: {0} {1} is in {2}.', error.message, error.setting!, setting.place)
      : vscode.l10n.t('Kokoro: {0}', error.message);
    void vscode.window.showErrorMessage(message, ...actions).then((choice) => void choice?.run());
  }

  /** Lets the next error of every kind show again (the server came back). */
  clear(): void {
    this.lastShown.clear();
  }
}
