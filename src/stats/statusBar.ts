// The status bar item: server state and the last "command → audio playing"; the tooltip
// carries the percentiles, real-time factor and connection reuse.

import * as vscode from 'vscode';
import { standInNote } from '../kokoro/client';
import { briefly } from '../kokoro/errors';
import type { ServerState } from '../kokoro/connection';
import { type LatencyStats, latencyTable, spokenMetric } from './latency';
import { largestStages, playerStartupNote } from './waterfall';

export interface StatusSnapshot {
  state: ServerState;
  speaking: boolean;
  serverUrl: string;
  voice: string;
  error?: string;
  /** The server is the project's stand-in (the demo voice), by this name. */
  standIn?: string;
  /** Set while a fallback server (kokoro.serverUrls, at `serverUrl`) is in use: kokoro.serverUrl, which is not answering. Shown unless the state says no server answers. */
  firstServerDown?: string;
  requests: number;
  connectionsOpened: number;
  /** Whether the fallback voice is reading now, and what it is (or why there is none). */
  fallback?: { speaking: boolean; why: string };
}

/** Speech requests only: health checks that keep connections warm are not readings. */
export function connectionReuse(speechRequests: number, onNewConnection: number): string {
  if (speechRequests === 0) return vscode.l10n.t('no speech requests yet');
  const reused = Math.max(0, speechRequests - onNewConnection);
  return vscode.l10n.t(
    '{0} of {1} speech requests on a kept-alive connection ({2}%); {3} opened a new connection',
    reused,
    speechRequests,
    Math.round((reused / speechRequests) * 100),
    onNewConnection,
  );
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(
    private readonly stats: LatencyStats,
    private readonly settings: () => { quietStatusBar: boolean; preparePlayerOnStartup: boolean },
  ) {
    this.item = vscode.window.createStatusBarItem('kokoro.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = vscode.l10n.t('Kokoro Read Aloud');
    this.item.command = 'kokoro.showStats';
    this.item.show();
  }

  update(s: StatusSnapshot): void {
    const last = this.stats.last('endToEndMs');
    const latency = last !== undefined && !this.settings().quietStatusBar ? ` ${Math.round(last)} ms` : '';
    let text: string;
    let state: string;
    switch (s.state) {
      case 'warming':
        text = '$(sync~spin) Kokoro';
        state = vscode.l10n.t('warming up the server');
        break;
      case 'unreachable':
        text = s.fallback?.speaking
          ? vscode.l10n.t('$(megaphone) Kokoro offline: fallback voice')
          : vscode.l10n.t('$(error) Kokoro offline');
        state = s.fallback?.speaking ? vscode.l10n.t('server unreachable, the fallback voice reads') : vscode.l10n.t('server unreachable');
        break;
      case 'misconfigured':
        text = vscode.l10n.t('$(error) Kokoro: invalid server URL');
        state = s.error ?? vscode.l10n.t('kokoro.serverUrl cannot be used');
        break;
      default: {
        const name = s.firstServerDown ? vscode.l10n.t('Kokoro (fallback)') : 'Kokoro';
        // It answers, but its warm-up synthesis failed (an unknown voice, a wrong route, a redirect): readings will too.
        const warmUpError = s.state === 'ready' ? s.error : undefined;
        const icon = warmUpError ? '$(warning)' : s.speaking && !this.settings().quietStatusBar ? '$(megaphone)' : '$(unmute)';
        text = `${icon} ${name}${latency}`;
        state =
          s.state === 'idle'
            ? vscode.l10n.t('not connected yet')
            : warmUpError
              ? vscode.l10n.t('the server answers, but its warm-up failed: {0}', briefly(warmUpError))
              : s.firstServerDown
                ? vscode.l10n.t('fallback server ready')
                : vscode.l10n.t('server ready');
      }
    }
    this.item.text = text;
    const label = vscode.l10n.t('Kokoro: {0}', state);
    this.item.accessibilityInformation = {
      label: latency ? vscode.l10n.t('{0}, last {1}', label, spokenMetric('endToEndMs', last!)) : label,
    };
    this.item.backgroundColor =
      s.state === 'unreachable' || s.state === 'misconfigured' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${vscode.l10n.t('Kokoro Read Aloud')}** — ${state}\n\n`);
    tooltip.appendMarkdown(vscode.l10n.t('Server `{0}`, voice `{1}`', s.serverUrl, s.voice) + '\n\n');
    if (s.firstServerDown && s.state !== 'unreachable' && s.state !== 'misconfigured')
      tooltip.appendMarkdown(
        vscode.l10n.t(
          'Fallback server `{0}` (kokoro.serverUrls) in use: `{1}` (kokoro.serverUrl) is not answering. It is asked again every few seconds and used again as soon as it answers.',
          s.serverUrl,
          s.firstServerDown,
        ) + '\n\n',
      );
    if (s.standIn) tooltip.appendText(`${standInNote(s.standIn)}\n\n`);
    if (s.error) tooltip.appendText(`${s.error}\n\n`);
    if (s.fallback) tooltip.appendText(`${s.fallback.why}\n\n`);
    tooltip.appendMarkdown(`${latencyTable(this.stats)}\n\n`);
    const waterfalls = this.stats.waterfalls;
    if (waterfalls.count)
      tooltip.appendText(
        vscode.l10n.t('Where the time goes (median of {0} readings): {1}.', waterfalls.count, largestStages(waterfalls)) + '\n\n',
      );
    const startup = this.stats.playerStartup && playerStartupNote(this.stats.playerStartup, this.settings().preparePlayerOnStartup);
    if (startup) tooltip.appendText(`${startup}\n\n`);
    tooltip.appendMarkdown(vscode.l10n.t('Connection reuse: {0}', connectionReuse(s.requests, s.connectionsOpened)) + '\n\n');
    tooltip.appendMarkdown(
      vscode.l10n.t(
        'Readings: {0}, failed: {1}, underruns: {2}, audio glitches: {3}',
        this.stats.readings,
        this.stats.failures,
        this.stats.underruns,
        this.stats.glitches,
      ) + '\n\n',
    );
    tooltip.appendMarkdown(vscode.l10n.t('Click for the full table.'));
    this.item.tooltip = tooltip;
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
