// The in-editor latency benchmark: the extension's own client and reading pipeline
// against the configured server, with a silent sink (nothing is played).

import * as l10n from '@vscode/l10n';
import type { KokoroClient, SpeechParams } from '../kokoro/client';
import { type AudioSink, Reader } from '../speech/reader';
import { metricHeading } from './latency';
import { summarize, type Summary } from './summary';
import { type FetchStage, fetchStages, summarizeFetchStages } from './waterfall';

export const BENCHMARK_SHORT_TEXT = 'const total = items.reduce((sum, item) => sum + item.price, 0);';
/** What "Run Latency Benchmark" measures (the README says the same): readings of each text, after warm-ups not counted. */
export const BENCHMARK_PLAN = { runs: 20, warmup: 3 } as const;

export interface BenchmarkOptions {
  runs: number;
  warmup: number;
  longText: string;
  prepare?: (block: string) => string;
  onProgress?: (progress: BenchmarkProgress) => void;
  isCancelled?: () => boolean;
}

/** Where a benchmark is: `done` of `total` readings in all (warm-ups included), for a progress bar and its message. */
export interface BenchmarkProgress {
  done: number;
  total: number;
  phase: 'one line' | 'long text';
  /** Readings of this phase measured so far (warm-ups are not), of `runs`. */
  measured: number;
  runs: number;
}

/** "one line: 4 of 20 readings measured", or "one line: warming up" before the first one counts. */
export function progressMessage(p: BenchmarkProgress): string {
  if (p.phase === 'one line')
    return p.measured === 0 ? l10n.t('one line: warming up') : l10n.t('one line: {0} of {1} readings measured', p.measured, p.runs);
  return p.measured === 0 ? l10n.t('long text: warming up') : l10n.t('long text: {0} of {1} readings measured', p.measured, p.runs);
}

export interface BenchmarkResult {
  server: string;
  /** Readings before the measured ones, per text, not counted. */
  warmup: number;
  firstByteMs: Summary;
  shortTextFirstAudioMs: Summary;
  longTextFirstAudioMs: Summary;
  /** Raw first-audio times of the short readings, for the histogram. */
  shortTextSamples: number[];
  /** Where the first-audio time of the short readings went, stage by stage up to the player (which the benchmark does not use). */
  shortTextStages: Record<FetchStage, Summary>;
  requests: number;
  connectionsOpened: number;
  cancelled: boolean;
}

/** A sink that plays nothing: counts samples and tells when the first audio arrives. */
export class SilentSink implements AudioSink {
  samples = 0;
  onFirstAudio: (() => void) | undefined;
  begin(): void {}
  segment(): void {}
  audio(_readingId: number, pcm: Uint8Array): void {
    this.samples += pcm.length >> 1;
    const first = this.onFirstAudio;
    this.onFirstAudio = undefined;
    first?.();
  }
  end(): void {}
  abort(): void {}
  room(): Promise<void> {
    return Promise.resolve();
  }
}

export async function runLatencyBenchmark(client: KokoroClient, params: SpeechParams, options: BenchmarkOptions): Promise<BenchmarkResult> {
  const sink = new SilentSink();
  const reader = new Reader(() => client, sink, undefined, { recentAudioBytes: 0 }); // every reading measures the server
  const requestsBefore = client.speechRequests;
  const connectionsBefore = client.connectionsOpened;
  const total = 2 * (options.warmup + options.runs);
  let done = 0;
  const report = (phase: BenchmarkProgress['phase'], measured: number) =>
    options.onProgress?.({ done: ++done, total, phase, measured, runs: options.runs });
  const firstByte: number[] = [];
  const short: number[] = [];
  const shortStages: Array<Record<FetchStage, number>> = [];
  const long: number[] = [];
  let cancelled = false;
  for (let i = 0; i < options.warmup + options.runs && !(cancelled = options.isCancelled?.() ?? false); i++) {
    const result = await reader.read({ text: BENCHMARK_SHORT_TEXT, params, prepare: options.prepare });
    if (result.outcome === 'failed') throw result.error;
    if (i >= options.warmup && result.firstAudioMs !== undefined) {
      short.push(result.firstAudioMs);
      if (result.firstAudio) shortStages.push(fetchStages(result.firstAudio));
      if (result.firstByteMs !== undefined) firstByte.push(result.firstByteMs);
    }
    report('one line', short.length);
  }
  for (let i = 0; i < options.warmup + options.runs && !cancelled && !(cancelled = options.isCancelled?.() ?? false); i++) {
    const firstAudio = new Promise<void>((resolve) => (sink.onFirstAudio = resolve));
    const reading = reader.read({ text: options.longText, params, prepare: options.prepare });
    const outcome = await Promise.race([firstAudio.then(() => 'audio' as const), reading.then(() => 'ended' as const)]);
    reader.stop();
    const result = await reading;
    if (result.outcome === 'failed') throw result.error;
    if (outcome === 'audio' && i >= options.warmup && result.firstAudioMs !== undefined) long.push(result.firstAudioMs);
    report('long text', long.length);
  }
  return {
    server: client.url,
    warmup: options.warmup,
    firstByteMs: summarize(firstByte),
    shortTextFirstAudioMs: summarize(short),
    longTextFirstAudioMs: summarize(long),
    shortTextSamples: short,
    shortTextStages: summarizeFetchStages(shortStages, summarize),
    requests: client.speechRequests - requestsBefore,
    connectionsOpened: client.connectionsOpened - connectionsBefore,
    cancelled,
  };
}

/** Counts of `values` in `bins` equal-width bins from min to max, for a histogram. */
export function histogram(values: readonly number[], bins: number): Array<{ from: number; to: number; count: number }> {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const width = max > min ? (max - min) / bins : 1;
  const out = Array.from({ length: bins }, (_, i) => ({ from: min + i * width, to: min + (i + 1) * width, count: 0 }));
  for (const v of values) out[Math.min(bins - 1, Math.floor((v - min) / width))].count++;
  return out;
}

/** What was measured, in words: the counts are the readings in the table, not the warm-ups. */
export function measuredSummary(result: BenchmarkResult): string {
  const short = result.shortTextFirstAudioMs.count;
  const long = result.longTextFirstAudioMs.count;
  return result.warmup === 1
    ? l10n.t(
        '{0} readings measured: {1} of one line and {2} of a long text, after {3} warm-up reading of each',
        short + long,
        short,
        long,
        result.warmup,
      )
    : l10n.t(
        '{0} readings measured: {1} of one line and {2} of a long text, after {3} warm-up readings of each',
        short + long,
        short,
        long,
        result.warmup,
      );
}

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** An SVG histogram of `values` (ms): bars with their count on top, a count axis and a millisecond axis. */
export function histogramSvg(values: readonly number[], bins = 12): string {
  const counts = histogram(values, bins);
  const most = Math.max(1, ...counts.map((b) => b.count));
  const left = 34;
  const barWidth = 34;
  const top = 14;
  const height = 120;
  const y = (count: number) => top + height - (count / most) * height;
  const ticks = [...new Set([0, Math.round(most / 2), most])];
  const axis = [
    `<line x1="${left - 2}" y1="${top}" x2="${left - 2}" y2="${top + height}"/>`,
    ...ticks.map((t) => `<text x="${left - 6}" y="${y(t) + 3}" text-anchor="end">${t}</text>`),
    `<text x="10" y="${top + height / 2}" text-anchor="middle" transform="rotate(-90 10 ${top + height / 2})">${escapeXml(l10n.t('readings'))}</text>`,
  ];
  const bars = counts.map((b, i) => {
    const x = left + i * barWidth + 3;
    const label =
      b.count === 1
        ? l10n.t('{0}–{1} ms: {2} reading', b.from.toFixed(1), b.to.toFixed(1), b.count)
        : l10n.t('{0}–{1} ms: {2} readings', b.from.toFixed(1), b.to.toFixed(1), b.count);
    return (
      `<rect x="${x}" y="${y(b.count)}" width="${barWidth - 6}" height="${height - (y(b.count) - top)}"><title>${escapeXml(label)}</title></rect>` +
      (b.count ? `<text x="${x + (barWidth - 6) / 2}" y="${y(b.count) - 3}" text-anchor="middle">${b.count}</text>` : '') +
      `<text x="${x + (barWidth - 6) / 2}" y="${top + height + 14}" text-anchor="middle">${Math.round(b.from)}</text>`
    );
  });
  const width = left + counts.length * barWidth + 8;
  const label = l10n.t(
    'Histogram of {0} readings: {1}',
    values.length,
    counts.map((b) => l10n.t('{0} from {1} ms', b.count, Math.round(b.from))).join(', '),
  );
  return `<svg role="img" aria-label="${escapeXml(label)}" width="${width}" height="${top + height + 34}">${axis.join('')}${bars.join('')}<text x="${left + (counts.length * barWidth) / 2}" y="${top + height + 30}" text-anchor="middle">ms</text></svg>`;
}

/** The benchmark's table rows, named like everywhere else. */
export function benchmarkRows(): { firstByte: string; shortFirstAudio: string; longFirstAudio: string } {
  return {
    firstByte: metricHeading('firstByteMs'),
    shortFirstAudio: l10n.t('Reading → first audio sent, one line (ms)'),
    longFirstAudio: l10n.t('Reading → first audio sent, long text (ms)'),
  };
}
