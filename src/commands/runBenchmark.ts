import * as vscode from 'vscode';
import { FETCH_STAGES, stageName, stageSpan } from '../stats/waterfall';
import { KokoroError } from '../kokoro/errors';
import { toSpeakable } from '../speech/speakable';
import {
  BENCHMARK_PLAN,
  type BenchmarkResult,
  benchmarkRows,
  histogramSvg,
  measuredSummary,
  progressMessage,
  runLatencyBenchmark,
} from '../stats/latencyBenchmark';
import type { ServerConnection } from '../kokoro/connection';
import type { Session } from '../vscode/session';
import { REPORT_STYLE, escapeHtml as escape, newNonce, summaryTable, webviewPage, waterfallChart } from '../webview/page';

const LONG_TEXT = Array.from(
  { length: 40 },
  (_, i) =>
    `Paragraph ${i + 1}: the reading pipeline splits long text into sentences, sends a short first request, and streams the audio while the server is still generating the rest. `,
).join('\n');

export function runBenchmark(
  session: Pick<Session, 'stop' | 'showError' | 'log'> & { readonly server: Pick<ServerConnection, 'client' | 'speech'> },
) {
  return async (): Promise<void> => {
    session.stop();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Kokoro: measuring latency'), cancellable: true },
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
          if (err instanceof KokoroError) session.showError(err, () => vscode.commands.executeCommand('kokoro.runBenchmark'));
          else throw err;
          return undefined;
        }
      },
    );
    if (!result) return;
    session.log.info(
      `Benchmark ${result.server}: first byte p50 ${result.firstByteMs.p50.toFixed(1)} ms, short first audio p50 ${result.shortTextFirstAudioMs.p50.toFixed(1)} ms (${FETCH_STAGES.map((s) => `${stageName(s)} ${result.shortTextStages[s].p50.toFixed(1)}`).join(' · ')}), long p50 ${result.longTextFirstAudioMs.p50.toFixed(1)} ms.`,
    );
    showResults(result);
  };
}

function showResults(result: BenchmarkResult): void {
  const rows = benchmarkRows();
  const panel = vscode.window.createWebviewPanel(
    'kokoro.benchmark',
    vscode.l10n.t('Kokoro Latency Benchmark'),
    vscode.ViewColumn.Active,
    {},
  );
  panel.webview.html = webviewPage({
    nonce: newNonce(),
    cspSource: panel.webview.cspSource,
    title: vscode.l10n.t('Kokoro Latency Benchmark'),
    style: REPORT_STYLE,
    body: `<h1>${escape(vscode.l10n.t('Latency benchmark'))}</h1>
<p>${vscode.l10n.t('Server {0}', `<code>${escape(result.server)}</code>`)}${result.cancelled ? escape(vscode.l10n.t(' (cancelled early)')) : ''}. ${escape(
      vscode.l10n.t('{0}; {1} requests in all, {2} new connection(s).', measuredSummary(result), result.requests, result.connectionsOpened),
    )}</p>
${summaryTable([
  [rows.firstByte, result.firstByteMs],
  [rows.shortFirstAudio, result.shortTextFirstAudioMs],
  [rows.longFirstAudio, result.longTextFirstAudioMs],
])}
<h2>${escape(vscode.l10n.t('Where the time goes, one line'))}</h2>
${waterfallChart(
  FETCH_STAGES.map((s) => ({
    name: stageName(s),
    span: stageSpan(s),
    p50: result.shortTextStages[s].p50,
    p95: result.shortTextStages[s].p95,
  })),
  { p50: 'p50', p95: 'p95', chart: vscode.l10n.t('Where the time goes before the player, one line') },
)}
${summaryTable(FETCH_STAGES.map((s) => [`${stageName(s)} — ${stageSpan(s)}`, result.shortTextStages[s]]))}
<p>${escape(vscode.l10n.t('The benchmark stops where audio is handed to the player; the stages after it (posting, the webview, output latency) are in Kokoro: Show Latency Stats, measured on your readings.'))}</p>
<h2>${rows.shortFirstAudio}</h2>
${histogramSvg(result.shortTextSamples)}`,
  });
}
