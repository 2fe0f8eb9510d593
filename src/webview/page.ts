// Every webview page the extension shows (the player, the latency stats, the benchmark results) is
// built here, so one tested Content Security Policy covers them all: nothing from the network, no
// script or style without the page's nonce, no eval. Pure: tested in plain Node (test/unit/trust.test.ts).

import { randomBytes } from 'node:crypto';
import type { Summary } from '../stats/summary';

export interface PageResources {
  /** A fresh random value per page (newNonce()): only scripts and styles carrying it apply. */
  nonce: string;
  /** webview.cspSource: where the webview's own resources (extension files) come from. */
  cspSource: string;
}

export interface Page extends PageResources {
  title: string;
  /** The page's body, already escaped. Must not contain <script>, <style> or event-handler attributes. */
  body: string;
  /** A stylesheet from the extension (a webview URI). */
  styleUri?: string;
  /** A script from the extension (a webview URI). */
  scriptUri?: string;
  /** Inline CSS, for pages without a stylesheet of their own. */
  style?: string;
  /** An inline script: a few lines, for pages without a bundled script of their own. */
  script?: string;
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function pageCsp({ nonce, cspSource }: PageResources): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function webviewPage(page: Page): string {
  const { nonce } = page;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${pageCsp(page)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.styleUri ? `<link rel="stylesheet" href="${escapeHtml(page.styleUri)}">\n` : ''}${page.style ? `<style nonce="${nonce}">${page.style}</style>\n` : ''}<title>${escapeHtml(page.title)}</title>
</head>
<body>
${page.body}
${page.scriptUri ? `<script nonce="${nonce}" src="${escapeHtml(page.scriptUri)}"></script>\n` : ''}${page.script ? `<script nonce="${nonce}">${page.script}</script>\n` : ''}</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The look of the stats and benchmark pages: theme colours only. */
/** One color per stage, repeating: neighbours always differ. */
const STAGE_COLORS = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];

export const REPORT_STYLE =
  'body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid var(--vscode-panel-border);text-align:right}th[scope=row]{text-align:left}button{color:var(--vscode-button-foreground);background:var(--vscode-button-background);border:none;padding:4px 12px}button:focus-visible{outline:2px solid var(--vscode-focusBorder)}rect{fill:var(--vscode-charts-blue)}text{fill:var(--vscode-foreground);font-size:10px}' +
  STAGE_COLORS.map((color, i) => `.stage${i}{fill:var(--vscode-charts-${color})}`).join('');

/** A table of latency summaries, one row per [name, summary]: min, p50, p95, p99, max, count. */
export function summaryTable(rows: ReadonlyArray<readonly [name: string, summary: Summary]>): string {
  const cell = (v: number) => `<td>${Number.isFinite(v) ? v.toFixed(1) : '–'}</td>`;
  const body = rows
    .map(
      ([name, s]) =>
        `<tr><th scope="row">${escapeHtml(name)}</th>${cell(s.min)}${cell(s.p50)}${cell(s.p95)}${cell(s.p99)}${cell(s.max)}<td>${s.count}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th></th><th scope="col">min</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">max</th><th scope="col">n</th></tr></thead><tbody>${body}</tbody></table>`;
}

export interface ChartStage {
  name: string;
  /** What the stage spans, for its tooltip. */
  span: string;
  p50: number;
  p95: number;
}

/**
 * The waterfall as two stacked bars, the stages' medians and their 95th percentiles, one segment per
 * stage in order, with the stage names and medians as a legend above. SVG attributes only (no inline
 * styles), so the page's Content Security Policy holds.
 */
export function waterfallChart(stages: readonly ChartStage[], labels: { p50: string; p95: string; chart: string }): string {
  const width = 640;
  const left = 40;
  const legendRows = Math.ceil(stages.length / 4);
  const legendHeight = legendRows * 16 + 6;
  const total = (key: 'p50' | 'p95') => stages.reduce((a, s) => a + (Number.isFinite(s[key]) ? s[key] : 0), 0);
  const scale = (width - left - 10) / Math.max(total('p95'), total('p50'), 1);
  const legend = stages.map((s, i) => {
    const x = (i % 4) * 160;
    const y = Math.floor(i / 4) * 16 + 10;
    return `<rect class="stage${i % STAGE_COLORS.length}" x="${x}" y="${y - 8}" width="10" height="10"></rect><text x="${x + 14}" y="${y}">${escapeHtml(s.name)} ${fmtMs(s.p50)}</text>`;
  });
  const bar = (key: 'p50' | 'p95', row: number) => {
    const y = legendHeight + row * 30;
    let x = left;
    const segments = stages.map((s, i) => {
      const ms = Number.isFinite(s[key]) ? s[key] : 0;
      const w = ms * scale;
      const segment = `<rect class="stage${i % STAGE_COLORS.length}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="20"><title>${escapeHtml(`${s.name}: ${fmtMs(ms)} ms (${s.span})`)}</title></rect>`;
      x += w;
      return segment;
    });
    return `<text x="0" y="${y + 14}">${escapeHtml(labels[key])}</text>${segments.join('')}<text x="${(x + 4).toFixed(1)}" y="${y + 14}">${fmtMs(total(key))} ms</text>`;
  };
  return `<svg role="img" aria-label="${escapeHtml(labels.chart)}" width="${width + 60}" height="${legendHeight + 60}">${legend.join('')}${bar('p50', 0)}${bar('p95', 1)}</svg>`;
}

const fmtMs = (v: number) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(1) : Math.round(v).toString()) : '–');
