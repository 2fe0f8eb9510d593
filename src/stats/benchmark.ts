// The in-editor latency benchmark: the extension's own client and reading pipeline
// against the configured server, with a silent sink (nothing is played).

import type { KokoroClient, SpeechParams } from '../kokoro/client';
import { AudioSink, Reader } from '../speech/reader';
import { summarize, Summary } from './latency';

export const BENCHMARK_SHORT_TEXT = 'const total = items.reduce((sum, item) => sum + item.price, 0);';

export interface BenchmarkOptions {
  runs: number;
  warmup: number;
  longText: string;
  prepare?: (block: string) => string;
  onProgress?: (done: number, total: number) => void;
  isCancelled?: () => boolean;
}

export interface BenchmarkResult {
  server: string;
  firstByteMs: Summary;
  shortTextFirstAudioMs: Summary;
  longTextFirstAudioMs: Summary;
  /** Raw first-audio times of the short readings, for the histogram. */
  shortTextSamples: number[];
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
  const reader = new Reader(() => client, sink);
  const requestsBefore = client.speechRequests;
  const connectionsBefore = client.connectionsOpened;
  const total = 2 * (options.warmup + options.runs);
  let done = 0;
  const firstByte: number[] = [];
  const short: number[] = [];
  const long: number[] = [];
  let cancelled = false;
  for (let i = 0; i < options.warmup + options.runs && !(cancelled = options.isCancelled?.() ?? false); i++) {
    const result = await reader.read({ text: BENCHMARK_SHORT_TEXT, params, prepare: options.prepare });
    if (result.outcome === 'failed') throw result.error;
    if (i >= options.warmup && result.firstAudioMs !== undefined) {
      short.push(result.firstAudioMs);
      if (result.firstByteMs !== undefined) firstByte.push(result.firstByteMs);
    }
    options.onProgress?.(++done, total);
  }
  for (let i = 0; i < options.warmup + options.runs && !cancelled && !(cancelled = options.isCancelled?.() ?? false); i++) {
    const firstAudio = new Promise<void>((resolve) => (sink.onFirstAudio = resolve));
    const reading = reader.read({ text: options.longText, params, prepare: options.prepare });
    const outcome = await Promise.race([firstAudio.then(() => 'audio' as const), reading.then(() => 'ended' as const)]);
    reader.stop();
    const result = await reading;
    if (result.outcome === 'failed') throw result.error;
    if (outcome === 'audio' && i >= options.warmup && result.firstAudioMs !== undefined) long.push(result.firstAudioMs);
    options.onProgress?.(++done, total);
  }
  return {
    server: client.url,
    firstByteMs: summarize(firstByte),
    shortTextFirstAudioMs: summarize(short),
    longTextFirstAudioMs: summarize(long),
    shortTextSamples: short,
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
