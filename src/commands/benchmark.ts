import * as vscode from 'vscode';
import { KokoroError } from '../kokoro/errors';
import { toSpeakable } from '../speech/speakable';
import { BenchmarkResult, histogram, runLatencyBenchmark } from '../stats/benchmark';
import type { Session } from '../vscode/session';
import { REPORT_STYLE, escapeHtml as escape, newNonce, summaryTable, webviewPage } from '../webview/page';

const LONG_TEXT = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1}: the reading pipeline splits long text into sentences, sends a short first request, and streams the audio while the server is still generating the rest. `).join('\n');

export function runBenchmark(session: Session) {
  return async (): Promise<void> => {
    session.stop();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Kokoro: measuring latency', cancellable: true },
      async (progress, token) => {
        try {
          return await runLatencyBenchmark(session.server.client, session.server.speech, {
            runs: 20,
            warmup: 3,
            longText: LONG_TEXT,
            prepare: (block) => toSpeakable(block, { kind: 'prose' }),
            isCancelled: () => token.isCancellationRequested,
            onProgress: (done, total) => progress.report({ increment: 100 / total, message: `${done} of ${total} readings` }),
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
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
  const bins = histogram(result.shortTextSamples, 12);
  const most = Math.max(1, ...bins.map((b) => b.count));
  const bars = bins
    .map((b, i) => {
      const h = (b.count / most) * 120;
      return `<rect x="${i * 34 + 4}" y="${130 - h}" width="28" height="${h}"><title>${f(b.from)}–${f(b.to)} ms: ${b.count}</title></rect><text x="${i * 34 + 18}" y="146" text-anchor="middle">${Math.round(b.from)}</text>`;
    })
    .join('');
  panel.webview.html = webviewPage({
    nonce: newNonce(),
    cspSource: panel.webview.cspSource,
    title: 'Kokoro Latency Benchmark',
    style: REPORT_STYLE,
    body: `<h1>Latency benchmark</h1>
<p>Server <code>${escape(result.server)}</code>${result.cancelled ? ' (cancelled early)' : ''}. ${result.requests} requests, ${result.connectionsOpened} new connection(s).</p>
${summaryTable([
  ['Time to first byte (ms)', result.firstByteMs],
  ['First audio, one line (ms)', result.shortTextFirstAudioMs],
  ['First audio, long text (ms)', result.longTextFirstAudioMs],
])}
<h2>First audio of one line (ms)</h2>
<svg role="img" aria-label="Histogram of time to first audio" width="${bins.length * 34 + 8}" height="150">${bars}</svg>`,
  });
}
