import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { KokoroError } from '../kokoro/errors';
import { toSpeakable } from '../speech/speakable';
import { BENCHMARK_PLAN, BENCHMARK_ROWS, BenchmarkResult, histogramSvg, measuredSummary, progressMessage, runLatencyBenchmark } from '../stats/benchmark';
import type { Summary } from '../stats/latency';
import type { Session } from '../vscode/session';

const LONG_TEXT = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1}: the reading pipeline splits long text into sentences, sends a short first request, and streams the audio while the server is still generating the rest. `).join('\n');

export function runBenchmark(session: Session) {
  return async (): Promise<void> => {
    session.stop();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Kokoro: measuring latency', cancellable: true },
      async (progress, token) => {
        try {
          return await runLatencyBenchmark(session.server.client, session.server.speech, {
            ...BENCHMARK_PLAN,
            longText: LONG_TEXT,
            prepare: (block) => toSpeakable(block, { kind: 'prose' }),
            isCancelled: () => token.isCancellationRequested,
            onProgress: (p) => progress.report({ increment: 100 / p.total, message: progressMessage(p) }),
          });
        } catch (err) {
          if (err instanceof KokoroError) session.errors.show(err, () => vscode.commands.executeCommand('kokoro.runBenchmark'));
          else throw err;
          return undefined;
        }
      },
    );
    if (!result) return;
    session.log.info(`Benchmark ${result.server}: first byte p50 ${result.firstByteMs.p50.toFixed(1)} ms, short first audio p50 ${result.shortTextFirstAudioMs.p50.toFixed(1)} ms, long p50 ${result.longTextFirstAudioMs.p50.toFixed(1)} ms.`);
    showResults(result);
  };
}

function showResults(result: BenchmarkResult): void {
  const panel = vscode.window.createWebviewPanel('kokoro.benchmark', 'Kokoro Latency Benchmark', vscode.ViewColumn.Active, {});
  const nonce = randomBytes(16).toString('base64');
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
  const row = (name: string, s: Summary) => `<tr><th scope="row">${name}</th><td>${f(s.min)}</td><td>${f(s.p50)}</td><td>${f(s.p95)}</td><td>${f(s.p99)}</td><td>${f(s.max)}</td><td>${s.count}</td></tr>`;
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'">
<style nonce="${nonce}">body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid var(--vscode-panel-border);text-align:right}th[scope=row]{text-align:left}rect{fill:var(--vscode-charts-blue)}line{stroke:var(--vscode-foreground)}text{fill:var(--vscode-foreground);font-size:10px}</style>
<title>Kokoro Latency Benchmark</title></head><body>
<h1>Latency benchmark</h1>
<p>Server <code>${escape(result.server)}</code>${result.cancelled ? ' (cancelled early)' : ''}. ${measuredSummary(result)}; ${result.requests} requests in all, ${result.connectionsOpened} new connection(s).</p>
<table><thead><tr><th></th><th scope="col">min</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">max</th><th scope="col">n</th></tr></thead><tbody>
${row(BENCHMARK_ROWS.firstByte, result.firstByteMs)}${row(BENCHMARK_ROWS.shortFirstAudio, result.shortTextFirstAudioMs)}${row(BENCHMARK_ROWS.longFirstAudio, result.longTextFirstAudioMs)}
</tbody></table>
<h2>${BENCHMARK_ROWS.shortFirstAudio}</h2>
${histogramSvg(result.shortTextSamples)}
</body></html>`;
}
