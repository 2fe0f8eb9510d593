// Where the time of a reading goes: the stages from the command to sound, one bar each.
// Extension-host times are performance.now(); the webview's are its own epoch milliseconds
// (performance.timeOrigin + now()), and may come from another machine (a remote window):
// they are placed on the extension's clock with an offset measured by ping/pong.

import * as l10n from '@vscode/l10n';
import type { FirstAudioMarks } from '../speech/reader';
import { summarize, type Summary } from './summary';

export type StageKey = 'prepare' | 'send' | 'server' | 'firstByte' | 'decode' | 'post' | 'toWebview' | 'schedule' | 'output' | 'report';

/** The stages in order, each between two marks. */
export const STAGES: readonly StageKey[] = [
  'prepare',
  'send',
  'server',
  'firstByte',
  'decode',
  'post',
  'toWebview',
  'schedule',
  'output',
  'report',
];

/** The stages whose length the extension decides (rather than the server, the network or VS Code). */
export const OUR_STAGES: ReadonlySet<StageKey> = new Set(['prepare', 'send', 'decode', 'post', 'schedule', 'output']);

/** A stage's short name, for a bar label, the tooltip and the log line. */
export function stageName(key: StageKey): string {
  switch (key) {
    case 'prepare':
      return l10n.t('text prep');
    case 'send':
      return l10n.t('send');
    case 'server':
      return l10n.t('server');
    case 'firstByte':
      return l10n.t('first byte');
    case 'decode':
      return l10n.t('decode');
    case 'post':
      return l10n.t('post');
    case 'toWebview':
      return l10n.t('to webview');
    case 'schedule':
      return l10n.t('schedule');
    case 'output':
      return l10n.t('output');
    case 'report':
      return l10n.t('report');
  }
}

/** From which mark to which a stage runs. */
export function stageSpan(key: StageKey): string {
  switch (key) {
    case 'prepare':
      return l10n.t('command start → first text chunk prepared');
    case 'send':
      return l10n.t('text prepared → request sent');
    case 'server':
      return l10n.t('request sent → response headers');
    case 'firstByte':
      return l10n.t('response headers → first audio byte');
    case 'decode':
      return l10n.t('first audio byte → first audio handed to the player');
    case 'post':
      return l10n.t('handed to the player → posted to the webview (includes waiting for the player to load)');
    case 'toWebview':
      return l10n.t('posted → received in the webview');
    case 'schedule':
      return l10n.t('received → first sample scheduled');
    case 'output':
      return l10n.t('scheduled → audible (start time + output latency the AudioContext reports)');
    case 'report':
      return l10n.t('audible → "playing" reported back to the extension');
  }
}

/** Marks taken in the extension host (performance.now() ms): the reader's, and the command's around them. */
export interface ExtensionMarks extends Omit<FirstAudioMarks, 'startedAt'> {
  commandAt: number;
  /** The first audio message is posted to the webview. */
  postedAt: number;
  /** The player's "started" report arrived. */
  reportedAt: number;
}

/** Marks taken in the webview (its epoch ms). */
export interface PlayerMarks {
  receivedAt: number;
  scheduledAt: number;
  audibleAt: number;
}

/** webview time = extension time + offsetMs, give or take uncertaintyMs. */
export interface ClockEstimate {
  offsetMs: number;
  uncertaintyMs: number;
}

export interface Waterfall {
  readingId: number;
  stages: Record<StageKey, number>;
  /** Command start → audible: what the listener waits. */
  audibleMs: number;
  /** Command start → "playing" reported: the sum of all stages. */
  totalMs: number;
  /** The first audio came from the cache: no request stages. */
  cached: boolean;
  /** How far the webview's stages may be off, from the clock alignment (ms). */
  clockUncertaintyMs: number;
}

const clamp = (v: number, low: number, high: number) => Math.min(Math.max(v, low), Math.max(low, high));

/** `startAt` and `marks` after it, none earlier than the one before nor later than `high`; a missing one takes the one before. */
function inOrder(startAt: number, marks: ReadonlyArray<number | undefined>, high = Infinity): number[] {
  const ordered = [startAt];
  for (const at of marks) {
    const previous = ordered[ordered.length - 1];
    ordered.push(clamp(at ?? previous, previous, high));
  }
  return ordered;
}

/** Whether the first audio came from the cache: then it has no request marks. */
const fromCache = (m: Omit<FirstAudioMarks, 'startedAt'>) =>
  m.sentAt === undefined || m.headersAt === undefined || m.firstByteAt === undefined;

/** The reader's marks after its start, in stage order (the request's left out for cached audio). */
function fetchMarks(m: Omit<FirstAudioMarks, 'startedAt'>): Array<number | undefined> {
  const cached = fromCache(m);
  return [m.preparedAt, cached ? undefined : m.sentAt, cached ? undefined : m.headersAt, cached ? undefined : m.firstByteAt, m.deliveredAt];
}

/**
 * The stages of one reading. Webview marks are moved onto the extension's clock with `clock`; without
 * one, the round trip posted → reported less the time spent in the webview is split evenly between the
 * two messages. Marks are kept in order between posting and the report, so the stages add up to the total.
 */
export function computeWaterfall(readingId: number, ext: ExtensionMarks, player: PlayerMarks, clock?: ClockEstimate): Waterfall {
  const inWebview = Math.max(0, player.audibleAt - player.receivedAt);
  const transit = Math.max(0, ext.reportedAt - ext.postedAt - inWebview) / 2;
  const estimate = clock ?? { offsetMs: player.receivedAt - (ext.postedAt + transit), uncertaintyMs: transit };
  const toExt = (webviewAt: number) => webviewAt - estimate.offsetMs;

  const toPlayer = inOrder(ext.commandAt, [...fetchMarks(ext), ext.postedAt]);
  const inPlayer = [toExt(player.receivedAt), toExt(player.scheduledAt), toExt(player.audibleAt), ext.reportedAt];
  const marks = [...toPlayer, ...inOrder(toPlayer[toPlayer.length - 1], inPlayer, ext.reportedAt).slice(1)];

  const stages = {} as Record<StageKey, number>;
  STAGES.forEach((key, i) => (stages[key] = marks[i + 1] - marks[i]));
  return {
    readingId,
    stages,
    audibleMs: marks[marks.length - 2] - ext.commandAt,
    totalMs: ext.reportedAt - ext.commandAt,
    cached: fromCache(ext),
    clockUncertaintyMs: estimate.uncertaintyMs,
  };
}

/**
 * Aligns the webview's clock with the extension's from ping/pong round trips: each gives the offset
 * within half its round trip; the shortest recent round trip gives the best estimate.
 */
export class ClockSync {
  private samples: Array<{ offsetMs: number; roundTripMs: number }> = [];

  constructor(private readonly keep = 32) {}

  /** A pong: the ping left at `sentAt` and came back at `receivedAt` (extension clock), the webview answered at `remoteAt`. */
  add(sentAt: number, remoteAt: number, receivedAt: number): void {
    const roundTripMs = receivedAt - sentAt;
    if (!(roundTripMs >= 0) || !Number.isFinite(remoteAt)) return;
    this.samples.push({ offsetMs: remoteAt - (sentAt + receivedAt) / 2, roundTripMs });
    if (this.samples.length > this.keep) this.samples.shift();
  }

  get estimate(): ClockEstimate | undefined {
    if (this.samples.length === 0) return undefined;
    const best = this.samples.reduce((a, b) => (b.roundTripMs < a.roundTripMs ? b : a));
    return { offsetMs: best.offsetMs, uncertaintyMs: best.roundTripMs / 2 };
  }

  /** The webview was reloaded (a new clock origin). */
  reset(): void {
    this.samples = [];
  }
}

const ms = (v: number) => (v < 10 ? v.toFixed(1) : Math.round(v).toString());

/** One log line: "prep 0.3 · send 0.2 · server 20 · … = audible 48 ms, reported 55 ms (clock ±0.4 ms)". */
export function formatWaterfall(w: Waterfall): string {
  const stages = STAGES.filter((key) => !(w.cached && (key === 'send' || key === 'server' || key === 'firstByte')))
    .map((key) => `${stageName(key)} ${ms(w.stages[key])}`)
    .join(' · ');
  return `${stages} = audible ${ms(w.audibleMs)} ms, reported ${ms(w.totalMs)} ms${w.cached ? ' (from the cache)' : ''} (clock ±${ms(w.clockUncertaintyMs)} ms)`;
}

export interface StageSummary {
  key: StageKey;
  name: string;
  summary: Summary;
}

/** The waterfalls of the last readings, summarised per stage. */
export class WaterfallStats {
  private readonly recent: Waterfall[] = [];
  /** The per-stage summaries, kept until the next reading (the status bar asks on every change). */
  private summaries: StageSummary[] | undefined;

  constructor(private readonly keep = 1000) {}

  record(w: Waterfall): void {
    this.recent.push(w);
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    this.summaries = undefined;
  }

  get count(): number {
    return this.recent.length;
  }

  /** The waterfalls kept, oldest first. */
  get readings(): readonly Waterfall[] {
    return this.recent;
  }

  stages(): StageSummary[] {
    this.summaries ??= STAGES.map((key) => ({ key, name: stageName(key), summary: summarize(this.recent.map((w) => w.stages[key])) }));
    return this.summaries;
  }

  audible(): Summary {
    return summarize(this.recent.map((w) => w.audibleMs));
  }

  /** The `n` stages with the largest median, largest first (stages at 0 left out). */
  largest(n: number): StageSummary[] {
    return [...this.stages()]
      .filter((s) => s.summary.p50 > 0)
      .sort((a, b) => b.summary.p50 - a.summary.p50)
      .slice(0, n);
  }

  reset(): void {
    this.recent.length = 0;
    this.summaries = undefined;
  }
}

/** How the player view was created, from both sides (see PlayerView and the player's ready message). */
export interface PlayerStartupMarks {
  /** Extension host (performance.now() ms): the view was asked for, VS Code handed it over, its ready message arrived. */
  requestedAt?: number;
  resolvedAt: number;
  readyReceivedAt: number;
  /** Webview (its epoch ms): navigation started, the player script started, the AudioContext was created, ready was posted. */
  navigationAt: number;
  scriptAt: number;
  contextAt: number;
  readyAt: number;
}

export interface PlayerStartup {
  /** Asked for → ready message received (from VS Code handing it over when it was not asked for). */
  totalMs: number;
  stages: Array<{ name: string; ms: number }>;
}

/**
 * Where the creation of the player went: VS Code creating the view, the page loading up to our script,
 * the script until the AudioContext exists, until it reports ready. The part before the page's
 * navigation is what remains of the time between the view being handed over and ready arriving.
 */
export function describePlayerStartup(m: PlayerStartupMarks): PlayerStartup {
  const inPage = Math.max(0, m.readyAt - m.navigationAt);
  const beforePage = Math.max(0, m.readyReceivedAt - m.resolvedAt - inPage);
  const stages = [
    ...(m.requestedAt !== undefined ? [{ name: l10n.t('VS Code creates the view'), ms: Math.max(0, m.resolvedAt - m.requestedAt) }] : []),
    { name: l10n.t('page requested and messages'), ms: beforePage },
    { name: l10n.t('page load'), ms: Math.max(0, m.scriptAt - m.navigationAt) },
    { name: l10n.t('AudioContext creation'), ms: Math.max(0, m.contextAt - m.scriptAt) },
    { name: l10n.t('audio check until ready'), ms: Math.max(0, m.readyAt - m.contextAt) },
  ];
  return { totalMs: m.readyReceivedAt - (m.requestedAt ?? m.resolvedAt), stages };
}

export function formatPlayerStartup(s: PlayerStartup): string {
  return `${s.stages.map((stage) => `${stage.name} ${ms(stage.ms)}`).join(' · ')} = ${ms(s.totalMs)} ms`;
}

/** A plain-text table of the stages' p50/p95/p99 and the totals (the benchmark's console and the e2e suite print it). */
export function waterfallTable(stats: WaterfallStats): string {
  const cell = (v: number) => (Number.isFinite(v) ? ms(v) : '–').padStart(7);
  const row = (name: string, s: Summary) => `${name.padEnd(18)}${cell(s.p50)}${cell(s.p95)}${cell(s.p99)}`;
  return [
    `${''.padEnd(18)}${'p50'.padStart(7)}${'p95'.padStart(7)}${'p99'.padStart(7)}`,
    ...stats.stages().map((s) => row(s.name, s.summary)),
    row('= audible', stats.audible()),
    row('= reported', summarize(stats.readings.map((w) => w.totalMs))),
  ].join('\n');
}

/** "server 25 ms, output 42 ms, to webview 25 ms": the `n` largest stages at their median. */
export function largestStages(stats: WaterfallStats, n = 3): string {
  return stats
    .largest(n)
    .map((s) => l10n.t('{0} {1} ms', s.name, ms(s.summary.p50)))
    .join(', ');
}

/** A first reading whose audio waited less than this for the player did not notice the wait. */
export const NOTICEABLE_PLAYER_WAIT_MS = 50;

/**
 * What the tooltip says when the first reading's audio had to wait for the player to be created: how long it
 * waited (its "post" stage), not how long the creation took, since the server may have taken longer still.
 */
export function playerStartupNote(
  startup: { waitedReadingId?: number; firstReading?: Pick<Waterfall, 'stages'> },
  preparedAtStartup: boolean,
): string | undefined {
  const waitedMs = startup.waitedReadingId === undefined ? undefined : startup.firstReading?.stages.post;
  if (waitedMs === undefined || waitedMs < NOTICEABLE_PLAYER_WAIT_MS) return undefined;
  return preparedAtStartup
    ? l10n.t('The first reading waited {0} ms for the player to be created.', Math.round(waitedMs))
    : l10n.t(
        'The first reading waited {0} ms for VS Code to create the player; the setting kokoro.preparePlayerOnStartup creates it at start-up instead.',
        Math.round(waitedMs),
      );
}

/** The stages that happen before the player: what a reading without a player (the benchmark) can measure. */
export const FETCH_STAGES = ['prepare', 'send', 'server', 'firstByte', 'decode'] as const satisfies readonly StageKey[];
export type FetchStage = (typeof FETCH_STAGES)[number];

/** The fetch stages of a reading from the reader's marks (from the reader's start); the request stages are 0 for cached audio. */
export function fetchStages(m: FirstAudioMarks): Record<FetchStage, number> {
  const marks = inOrder(m.startedAt, fetchMarks(m));
  return Object.fromEntries(FETCH_STAGES.map((stage, i) => [stage, marks[i + 1] - marks[i]])) as Record<FetchStage, number>;
}

/** Each fetch stage of several readings summarised by `summary` (percentiles, or the benchmark's timing). */
export function summarizeFetchStages<T>(
  readings: ReadonlyArray<Record<FetchStage, number>>,
  summary: (values: number[]) => T,
): Record<FetchStage, T> {
  return Object.fromEntries(FETCH_STAGES.map((stage) => [stage, summary(readings.map((r) => r[stage]))])) as Record<FetchStage, T>;
}
