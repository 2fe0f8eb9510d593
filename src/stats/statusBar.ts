// The status bar item: server state and the last "command → audio playing"; the tooltip
// carries the percentiles, real-time factor and connection reuse.

import * as vscode from 'vscode';
import { standInNote } from '../kokoro/client';
import type { ServerState } from '../kokoro/connection';
import { type LatencyStats, latencyTable, spokenMetric } from './latency';

export interface StatusSnapshot {
  state: ServerState;
  speaking: boolean;
  serverUrl: string;
  voice: string;
  error?: string;
  /** The server is the project's stand-in (the demo voice), by this name. */
  standIn?: string;
  requests: number;
  connectionsOpened: number;
}

/** Speech requests only: health checks that keep connections warm are not readings. */
export function connectionReuse(speechRequests: number, onNewConnection: number): string {
  if (speechRequests === 0) return 'no speech requests yet';
  const reused = Math.max(0, speechRequests - onNewConnection);
  return `${reused} of ${speechRequests} speech requests on a kept-alive connection (${Math.round((reused / speechRequests) * 100)}%); ${onNewConnection} opened a new connection`;
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(
    private readonly stats: LatencyStats,
    private readonly quiet: () => boolean,
  ) {
    this.item = vscode.window.createStatusBarItem('kokoro.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Kokoro Read Aloud';
    this.item.command = 'kokoro.showStats';
    this.item.show();
  }

  update(s: StatusSnapshot): void {
    const last = this.stats.last('endToEndMs');
    const latency = last !== undefined && !this.quiet() ? ` ${Math.round(last)} ms` : '';
    let text: string;
    let label: string;
    switch (s.state) {
      case 'warming':
        text = '$(sync~spin) Kokoro';
        label = 'Kokoro: warming up the server';
        break;
      case 'unreachable':
        text = '$(error) Kokoro offline';
        label = 'Kokoro: server unreachable';
        break;
      case 'misconfigured':
        text = '$(error) Kokoro: invalid server URL';
        label = `Kokoro: ${s.error ?? 'kokoro.serverUrl cannot be used'}`;
        break;
      default:
        text = s.speaking && !this.quiet() ? `$(megaphone) Kokoro${latency}` : `$(unmute) Kokoro${latency}`;
        label = s.state === 'idle' ? 'Kokoro: not connected yet' : 'Kokoro: server ready';
    }
    this.item.text = text;
    this.item.accessibilityInformation = { label: `${label}${latency ? `, last ${spokenMetric('endToEndMs', last!)}` : ''}` };
    this.item.backgroundColor =
      s.state === 'unreachable' || s.state === 'misconfigured' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**Kokoro Read Aloud** — ${label.replace('Kokoro: ', '')}\n\n`);
    tooltip.appendMarkdown(`Server \`${s.serverUrl}\`, voice \`${s.voice}\`\n\n`);
    if (s.standIn) tooltip.appendText(`${standInNote(s.standIn)}\n\n`);
    if (s.error) tooltip.appendText(`${s.error}\n\n`);
    tooltip.appendMarkdown(`${latencyTable(this.stats)}\n\n`);
    tooltip.appendMarkdown(`Connection reuse: ${connectionReuse(s.requests, s.connectionsOpened)}\n\n`);
    tooltip.appendMarkdown(`Readings: ${this.stats.readings}, failed: ${this.stats.failures}, underruns: ${this.stats.underruns}\n\n`);
    tooltip.appendMarkdown('Click for the full table.');
    this.item.tooltip = tooltip;
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
