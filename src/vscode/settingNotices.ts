// What the user is told about their settings: values that fell back to their defaults, an unusable
// server URL, and text about to travel unencrypted to another machine. Each is said once.

import * as vscode from 'vscode';
import type { SettingProblem } from '../config';
import type { KokoroError } from '../kokoro/errors';
import { displayUrl, sendsPlainTextOffMachine } from '../kokoro/serverUrl';
import { openSetting } from './settings';

const PLAIN_HTTP_WARNED = 'kokoro.plainHttpWarned';

export interface SettingNoticesHost {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** Shows an error about the server URL through the one error reporter (it offers Open Settings). */
  showUrlError(error: KokoroError): void;
}

export class SettingNotices {
  /** The problems last told, so a change to another setting does not repeat them. */
  private told = new Set<string>();

  constructor(private readonly host: SettingNoticesHost) {}

  /**
   * Says what is new among `problems`: an unusable server URL as an error (`urlError`, which the
   * status bar shows too), every other value that fell back to its default in one warning.
   */
  tellProblems(problems: readonly SettingProblem[], urlError: KokoroError | undefined): void {
    const fresh = problems.filter((p) => !this.told.has(p.message));
    this.told = new Set(problems.map((p) => p.message));
    for (const problem of fresh) this.host.log.warn(problem.message);
    if (urlError && fresh.some((p) => p.key === 'kokoro.serverUrl')) this.host.showUrlError(urlError);
    const others = fresh.filter((p) => p.key !== 'kokoro.serverUrl');
    if (others.length) this.warn(vscode.l10n.t('Kokoro: {0}', others.map((p) => p.message).join(' ')), others[0].key);
  }

  /** Tells the user once per URL that what they read aloud goes unencrypted to another machine. */
  warnAboutPlainHttp(url: string): void {
    if (!sendsPlainTextOffMachine(url)) return;
    const state = this.host.context.globalState;
    const warned = state.get<string[]>(PLAIN_HTTP_WARNED, []);
    if (warned.includes(url)) return;
    void state.update(PLAIN_HTTP_WARNED, [...warned, url]);
    this.host.log.warn(`Text is sent unencrypted over HTTP to ${displayUrl(url)}.`);
    this.warn(
      vscode.l10n.t(
        'Kokoro: the text you read aloud is sent unencrypted over plain HTTP to {0}. Use an SSH tunnel to localhost or HTTPS if the network is not trusted.',
        displayUrl(url),
      ),
      'kokoro.serverUrl',
    );
  }

  private warn(message: string, settingKey: string): void {
    void vscode.window.showWarningMessage(message, vscode.l10n.t('Open Settings')).then((choice) => {
      if (choice) void openSetting(this.host.context, settingKey);
    });
  }
}
