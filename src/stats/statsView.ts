// "Show Latency Stats": a webview tab with the full table and a Reset button.

import * as vscode from 'vscode';
import { type LatencyStats, METRICS, metricHeading } from './latency';
import { summarize } from './summary';
import { OUR_STAGES, stageSpan } from './waterfall';
import { REPORT_STYLE, escapeHtml as escape, newNonce, summaryTable, waterfallChart, webviewPage } from '../webview/page';
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
${this.waterfall()}
<p>${escape(vscode.l10n.t('Connection reuse: {0}.', connectionReuse(c.requests, c.connectionsOpened)))}</p>
<p>${escape(
        vscode.l10n.t(
          'Readings: {0}, failed: {1}, playback underruns (audio came too late): {2}, audio glitches (the sound device ran dry): {3}.',
          this.stats.readings,
          this.stats.failures,
          this.stats.underruns,
          this.stats.glitches,
        ),
      )}</p>
<button id="reset">${escape(vscode.l10n.t('Reset statistics'))}</button>`,
      script:
        "const vscode=acquireVsCodeApi();document.getElementById('reset').addEventListener('click',()=>vscode.postMessage({type:'reset'}));",
    });
  }

  /** Where the time of the last readings went, stage by stage, and how the player was created. */
  private waterfall(): string {
    const waterfalls = this.stats.waterfalls;
    const startup = this.stats.playerStartup;
    const startupLine = startup
      ? `<p>${escape(vscode.l10n.t('Player created in {0} ms: {1}.', Math.round(startup.totalMs), startup.stages.map((s) => `${s.name} ${Math.round(s.ms)} ms`).join(', ')))}${
          startup.firstReading
            ? ` ${escape(vscode.l10n.t('The first reading was audible after {0} ms, {1} ms of it waiting for the player.', Math.round(startup.firstReading.audibleMs), Math.round(startup.firstReading.stages.post)))}`
            : ''
        }</p>`
      : '';
    if (!waterfalls.count)
      return `<h2>${escape(vscode.l10n.t('Where the time goes'))}</h2><p>${escape(vscode.l10n.t('No readings yet.'))}</p>${startupLine}`;
    const stages = waterfalls.stages();
    const chart = waterfallChart(
      stages.map((s) => ({ name: s.name, span: stageSpan(s.key), p50: s.summary.p50, p95: s.summary.p95 })),
      {
        p50: 'p50',
        p95: 'p95',
        chart: vscode.l10n.t('Where the time goes, median: {0}', stages.map((s) => `${s.name} ${s.summary.p50.toFixed(1)} ms`).join(', ')),
      },
    );
    const audible = waterfalls.audible();
    const clock = summarize(waterfalls.readings.map((w) => w.clockUncertaintyMs));
    return `<h2>${escape(vscode.l10n.t('Where the time goes'))}</h2>
<p>${escape(vscode.l10n.t('From the command to audible sound, stage by stage, over the last {0} readings: median {1} ms, 95th percentile {2} ms.', waterfalls.count, audible.p50.toFixed(1), audible.p95.toFixed(1)))}</p>
${chart}
<p>${escape(vscode.l10n.t("The p95 bar stacks each stage's own 95th percentile, so it is longer than the 95th percentile of the whole. The webview's stages are placed with a clock alignment good to ±{0} ms (median).", clock.p50.toFixed(1)))}</p>
${summaryTable(stages.map((s) => [`${s.name}${OUR_STAGES.has(s.key) ? ' *' : ''} — ${stageSpan(s.key)}`, s.summary]))}
<p>${escape(vscode.l10n.t('* the extension decides how long this stage takes.'))}</p>
${startupLine}`;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
