// "Show Latency Stats": a webview tab with the full table and a Reset button.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { LatencyStats, METRICS, metricHeading } from './latency';
import { connectionReuse } from './statusBar';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export class StatsView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly stats: LatencyStats,
    private readonly counters: () => { requests: number; connectionsOpened: number; serverUrl: string },
  ) {}

  show(): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('kokoro.stats', 'Kokoro Latency Stats', vscode.ViewColumn.Active, { enableScripts: true });
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
    const nonce = randomBytes(16).toString('base64');
    const c = this.counters();
    const rows = METRICS.map((metric) => {
      const s = this.stats.summary(metric);
      const digits = metric === 'realTimeFactor' ? 1 : 1;
      const cell = (v: number) => `<td>${Number.isFinite(v) ? v.toFixed(digits) : '–'}</td>`;
      return `<tr><th scope="row">${metricHeading(metric)}</th>${cell(s.min)}${cell(s.p50)}${cell(s.p95)}${cell(s.p99)}${cell(s.max)}<td>${s.count}</td></tr>`;
    }).join('');
    this.panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'">
<style nonce="${nonce}">body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid var(--vscode-panel-border);text-align:right}th[scope=row]{text-align:left}button{color:var(--vscode-button-foreground);background:var(--vscode-button-background);border:none;padding:4px 12px}button:focus-visible{outline:2px solid var(--vscode-focusBorder)}</style>
<title>Kokoro Latency Stats</title></head><body>
<h1>Kokoro latency</h1>
<p>Server: <code>${escape(c.serverUrl)}</code></p>
<table><thead><tr><th></th><th scope="col">min</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">max</th><th scope="col">n</th></tr></thead><tbody>${rows}</tbody></table>
<p>Connection reuse: ${escape(connectionReuse(c.requests, c.connectionsOpened))}.</p>
<p>Readings: ${this.stats.readings}, failed: ${this.stats.failures}, playback underruns: ${this.stats.underruns}.</p>
<button id="reset">Reset statistics</button>
<script nonce="${nonce}">const vscode=acquireVsCodeApi();document.getElementById('reset').addEventListener('click',()=>vscode.postMessage({type:'reset'}));</script>
</body></html>`;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
