// Latency statistics: rolling windows of measurements and their percentiles, and the
// waterfalls of the last readings.

import * as l10n from '@vscode/l10n';
import { summarize, type Summary } from './summary';
import { type PlayerStartup, type Waterfall, WaterfallStats } from './waterfall';

export type Metric =
  /** Request sent → first audio byte from the server. */
  | 'firstByteMs'
  /** Reading started → first decoded audio handed to the player. */
  | 'firstAudioMs'
  /** Command invoked → the player reports audio playing. */
  | 'endToEndMs'
  /** Seconds of audio per wall-clock second while streaming. */
  | 'realTimeFactor';

export const METRICS: readonly Metric[] = ['endToEndMs', 'firstAudioMs', 'firstByteMs', 'realTimeFactor'];

/**
 * What each metric is called wherever it is shown: the status bar's text, label and tooltip, the
 * stats view, the benchmark, the README. The status bar's figure is `endToEndMs`.
 */
export function metricName(metric: Metric): string {
  switch (metric) {
    case 'endToEndMs':
      return l10n.t('command → audio playing');
    case 'firstAudioMs':
      return l10n.t('reading → first audio sent');
    case 'firstByteMs':
      return l10n.t('time to first byte');
    case 'realTimeFactor':
      return l10n.t('real-time factor');
  }
}

/** A table heading: the name with a capital and the unit. */
export function metricHeading(metric: Metric): string {
  switch (metric) {
    case 'endToEndMs':
      return l10n.t('Command → audio playing (ms)');
    case 'firstAudioMs':
      return l10n.t('Reading → first audio sent (ms)');
    case 'firstByteMs':
      return l10n.t('Time to first byte (ms)');
    case 'realTimeFactor':
      return l10n.t('Real-time factor (×)');
  }
}

/** The same name for a screen reader, which says "→" as "right arrow": "command to audio playing 55 ms". */
export function spokenMetric(metric: Metric, value: number): string {
  const rounded = Math.round(value);
  switch (metric) {
    case 'endToEndMs':
      return l10n.t('command to audio playing {0} ms', rounded);
    case 'firstAudioMs':
      return l10n.t('reading to first audio sent {0} ms', rounded);
    case 'firstByteMs':
      return l10n.t('time to first byte {0} ms', rounded);
    case 'realTimeFactor':
      return l10n.t('real-time factor {0} times', rounded);
  }
}

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** The p50/p95/p99 table of every metric, in Markdown (the status bar's tooltip). */
export function latencyTable(stats: LatencyStats): string {
  const row = (metric: Metric) => {
    const s = stats.summary(metric);
    const digits = metric === 'realTimeFactor' ? 1 : 0;
    return `| ${metricHeading(metric)} | ${fmt(s.p50, digits)} | ${fmt(s.p95, digits)} | ${fmt(s.p99, digits)} | ${s.count} |`;
  };
  return ['| | p50 | p95 | p99 | n |', '|---|---:|---:|---:|---:|', ...METRICS.map(row)].join('\n');
}

const WINDOW = 1000;

export class LatencyStats {
  private readonly windows = new Map<Metric, number[]>();
  private readonly latest = new Map<Metric, number>();
  readonly waterfalls = new WaterfallStats();
  /** How the current player view was created, and the reading that waited for it (its waterfall once it is audible). */
  playerStartup: (PlayerStartup & { waitedReadingId?: number; firstReading?: Waterfall }) | undefined;
  readings = 0;
  failures = 0;
  underruns = 0;
  /** Times the audio device ran dry (a click or dropout), where the player can count them. */
  glitches = 0;

  record(metric: Metric, value: number): void {
    if (!Number.isFinite(value)) return;
    let window = this.windows.get(metric);
    if (!window) this.windows.set(metric, (window = []));
    window.push(value);
    if (window.length > WINDOW) window.splice(0, window.length - WINDOW);
    this.latest.set(metric, value);
  }

  last(metric: Metric): number | undefined {
    return this.latest.get(metric);
  }

  summary(metric: Metric): Summary {
    return summarize(this.windows.get(metric) ?? []);
  }

  reset(): void {
    this.windows.clear();
    this.latest.clear();
    this.waterfalls.reset();
    this.readings = 0;
    this.failures = 0;
    this.underruns = 0;
    this.glitches = 0;
  }
}
