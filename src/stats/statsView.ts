// "Show Latency Stats": a webview tab with the full table and a Reset button.

import * as vscode from 'vscode';
import { type LatencyStats, METRICS, metricHeading } from './latency';
import { REPORT_STYLE, escapeHtml as escape, newNonce, summaryTable, webviewPage } from '../webview/page';
import { connectionReuse } from './statusBar';

export class StatsView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly stats: LatencyStats,
    private readonly counters: () => { requests: number; connectionsOpened: number; serverUrl: string },
  ) {}

  show(): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('kokoro.stats', vscode.l10n.t('Kokoro Latency Stats'), vscode.ViewColumn.Active, {
        enableScripts: true,
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m: unknown) => {
        if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'reset') {
          this.stats.reset();
          this.refresh();
        }
      });
    }
    this.refresh();
    this.panel.reveal();
  }

  refresh(): void {
    if (!this.panel) return;
    const c = this.counters();
    this.panel.webview.html = webviewPage({
      nonce: newNonce(),
      cspSource: this.panel.webview.cspSource,
      title: vscode.l10n.t('Kokoro Latency Stats'),
      style: REPORT_STYLE,
      body: `<h1>${escape(vscode.l10n.t('Kokoro latency'))}</h1>
<p>${vscode.l10n.t('Server: {0}', `<code>${escape(c.serverUrl)}</code>`)}</p>
${summaryTable(METRICS.map((metric) => [metricHeading(metric), this.stats.summary(metric)]))}
<p>${escape(vscode.l10n.t('Connection reuse: {0}.', connectionReuse(c.requests, c.connectionsOpened)))}</p>
<p>${escape(vscode.l10n.t('Readings: {0}, failed: {1}, playback underruns: {2}.', this.stats.readings, this.stats.failures, this.stats.underruns))}</p>
<button id="reset">${escape(vscode.l10n.t('Reset statistics'))}</button>`,
      script:
        "const vscode=acquireVsCodeApi();document.getElementById('reset').addEventListener('click',()=>vscode.postMessage({type:'reset'}));",
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
