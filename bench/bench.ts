// `npm run bench`: measures the extension's own client and reading pipeline (no VS Code)
// against a real server (--url) or the project's stand-in server: in fast mode (a chosen delay to
// first byte and real-time factor, so the client's own cost can be isolated) or in blocking mode
// (--blocking: like Kokoro-FastAPI, sentence groups generated with the server's event loop blocked).
// Every phase has a time budget, so a run against a slow real server still ends in a few minutes.

import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type KokoroClient, type SpeechParams } from '../src/kokoro/client';
import { ServerConnection } from '../src/kokoro/connection';
import { type ReadingResult, Reader } from '../src/speech/reader';
import { SilentSink } from '../src/stats/latencyBenchmark';
import { FETCH_STAGES, type FetchStage, fetchStages, OUR_STAGES, stageName, summarizeFetchStages } from '../src/stats/waterfall';
import { toSpeakable } from '../src/speech/speakable';
import { type Summary, summarize } from '../src/stats/summary';
import { StandinProcess } from '../test/standin/process';
import { PacedSink } from './pacedSink';
import { LONG_TEXT, SHORT_TEXT, megabyteText } from './texts';

interface Options {
  url?: string;
  blocking: boolean;
  serverTtfbMs: number;
  serverRtf: number;
  serverStartCostMs: number;
  runs: number;
  warmup: number;
  voice: string;
  concurrency: number;
  throughputRequests: number;
  connections: number;
  /** Time budget of each phase (s); the Stop-then-read and gapless phases get twice as much. */
  budgetSeconds: number;
  /** Seconds of real-time playback per gapless check. */
  playSeconds: number;
  json?: string;
  skipMemory: boolean;
}

const USAGE = `Usage: npm run bench -- [--url URL] [--blocking] [--server-ttfb-ms 20] [--server-rtf 50 (40 with --blocking)]
       [--server-start-cost-ms 50] [--runs 30] [--warmup 5] [--voice af_heart] [--concurrency 8]
       [--throughput-requests 4000] [--connections 8] [--budget-s 20] [--play-s 20] [--json FILE] [--skip-memory]
Without --url it starts the project's stand-in server: in fast mode with the given delay and real-time
factor, or with --blocking like Kokoro-FastAPI (groups generated with its event loop blocked).
Each phase stops at its time budget; the figures say how much was measured.`;

function parseArgs(argv: string[]): Options {
  const options: Options = {
    blocking: false,
    serverTtfbMs: 20,
    serverRtf: NaN,
    serverStartCostMs: 50,
    runs: 30,
    warmup: 5,
    voice: 'af_heart',
    concurrency: 8,
    throughputRequests: 4000,
    connections: 8,
    budgetSeconds: 20,
    playSeconds: 20,
    skipMemory: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--url':
        options.url = value();
        break;
      case '--blocking':
        options.blocking = true;
        break;
      case '--server-ttfb-ms':
        options.serverTtfbMs = Number(value());
        break;
      case '--server-rtf':
        options.serverRtf = Number(value());
        break;
      case '--server-start-cost-ms':
        options.serverStartCostMs = Number(value());
        break;
      case '--runs':
        options.runs = Number(value());
        break;
      case '--warmup':
        options.warmup = Number(value());
        break;
      case '--voice':
        options.voice = value();
        break;
      case '--concurrency':
        options.concurrency = Number(value());
        break;
      case '--throughput-requests':
        options.throughputRequests = Number(value());
        break;
      case '--connections':
        options.connections = Number(value());
        break;
      case '--budget-s':
        options.budgetSeconds = Number(value());
        break;
      case '--play-s':
        options.playSeconds = Number(value());
        break;
      case '--json':
        options.json = value();
        break;
      case '--skip-memory':
        options.skipMemory = true;
        break;
      case '--help':
        console.log(USAGE);
        return process.exit(0);
      default:
        throw new Error(`Unknown option ${flag} (try --help)`);
    }
  }
  if (Number.isNaN(options.serverRtf)) options.serverRtf = options.blocking ? 40 : 50;
  return options;
}

type Timing = Omit<Summary, 'count' | 'mean'> & { n: number };
const timing = (values: number[]): Timing => {
  const { min, p50, p95, p99, max } = summarize(values);
  return { min, p50, p95, p99, max, n: values.length };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One phase: runs `step` up to `runs` times or until its budget is spent, with a progress line on a terminal. */
async function phase(
  name: string,
  runs: number,
  budgetSeconds: number,
  step: (i: number) => Promise<void>,
): Promise<{ done: number; overBudget: boolean }> {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let done = 0;
  for (; done < runs; done++) {
    if (performance.now() - started > budgetSeconds * 1000) break;
    if (tty)
      process.stderr.write(`\r  ${name}: ${done}/${runs}, ${((performance.now() - started) / 1000).toFixed(0)} s of ${budgetSeconds} s `);
    await step(done);
  }
  if (tty) process.stderr.write('\r\x1b[K');
  return { done, overBudget: done < runs };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const standinOptions = options.blocking
    ? { mode: 'blocking' as const, rtf: options.serverRtf, startCostMs: options.serverStartCostMs }
    : { mode: 'fast' as const, ttfbMs: options.serverTtfbMs, rtf: options.serverRtf };
  const standin = options.url ? undefined : await StandinProcess.start(standinOptions);
  const url = options.url ?? standin!.url;
  const params: SpeechParams = { model: 'kokoro', voice: options.voice, speed: 1 };
  // The extension's own server object: warm-up, and connections kept warm past the server's keep-alive.
  const kokoro = new ServerConnection({
    client: {
      serverUrl: url,
      connections: options.connections,
      healthTimeoutMs: 2000,
      firstByteTimeoutMs: 30_000,
      streamTimeoutMs: 30_000,
    },
    speech: params,
    warmUp: true,
  });
  const client = kokoro.client;
  // Two players: one that takes audio as fast as it comes (the server's own speed), one that plays in real time.
  const silent = new SilentSink();
  const reader = new Reader(() => client, silent, undefined, { recentAudioBytes: 0 });
  const paced = new PacedSink();
  const pacedReader = new Reader(() => client, paced, undefined, { recentAudioBytes: 0 });
  const prepareCode = (block: string) => toSpeakable(block, { kind: 'code', languageId: 'typescript' });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const budget = options.budgetSeconds;
  const measured: Record<string, { done: number; of: number }> = {};
  const expect = (what: string, result: ReadingResult) => {
    if (result.outcome !== 'completed' && result.outcome !== 'stopped')
      throw new Error(`${what} ${result.outcome}: ${result.error?.message}`);
  };
  try {
    const mode = standin
      ? options.blocking
        ? `stand-in, blocking like Kokoro-FastAPI: ${options.serverStartCostMs} ms per group + audio at ${options.serverRtf}× real time`
        : `stand-in: ${options.serverTtfbMs} ms to first byte, real-time factor ${options.serverRtf}`
      : 'a real server';
    log(`Benchmarking ${url} (${mode}); each phase stops after ${budget} s`);
    // Ready at the first warm-up synthesis; the rest (one per pooled connection) must not overlap the first measurements.
    const warmedUp = once(kokoro, 'warmedUp');
    await kokoro.warmUp();
    if (kokoro.state !== 'ready' || kokoro.lastError) throw new Error(`warm-up failed: ${kokoro.lastError?.message ?? kokoro.state}`);
    await warmedUp;

    // Time to first byte and to first audio, one short line.
    const firstByte: number[] = [];
    const shortFirstAudio: number[] = [];
    const shortStages: Array<Record<FetchStage, number>> = [];
    const short = await phase('short line', options.warmup + options.runs, budget, async (i) => {
      const result = await reader.read({ text: SHORT_TEXT, params, prepare: prepareCode });
      expect('short reading', result);
      if (i >= options.warmup) {
        firstByte.push(result.firstByteMs!);
        shortFirstAudio.push(result.firstAudioMs!);
        shortStages.push(fetchStages(result.firstAudio!));
      }
    });
    measured.shortText = { done: shortFirstAudio.length, of: options.runs };
    log(`  short text: first audio p50 ${summarize(shortFirstAudio).p50.toFixed(2)} ms${short.overBudget ? ' (budget reached)' : ''}`);

    // Long text (~20 000 characters of source and prose): first audio, then Stop at once, while a request is in flight.
    const longFirstAudio: number[] = [];
    const stopClient: number[] = [];
    const stopServer: number[] = [];
    await phase('long text, stop', options.warmup + options.runs, budget, async (i) => {
      const firstAudio = new Promise<void>((resolve) => (silent.onFirstAudio = resolve));
      const started = performance.now();
      const reading = reader.read({ text: LONG_TEXT, params, prepare: prepareCode });
      await firstAudio;
      const firstAudioMs = performance.now() - started;
      const closed = new Promise<number>((resolve) => client.onNextDisconnect(() => resolve(performance.now())));
      const stopAt = performance.now();
      reader.stop();
      expect('long reading', await reading);
      // Nothing in flight at the Stop (the first request had just ended): no connection to close.
      const closedAt = await Promise.race([closed, sleep(1000).then(() => NaN)]);
      if (i < options.warmup) return;
      longFirstAudio.push(firstAudioMs);
      if (Number.isFinite(closedAt)) stopClient.push(closedAt - stopAt);
      if (standin) {
        const state = await standin.state();
        const last = state.requests.filter((r) => r.path === '/v1/audio/speech').at(-1);
        if (last?.clientDisconnected && last.endedAt !== undefined)
          stopServer.push(state.timeOrigin + last.endedAt - (performance.timeOrigin + stopAt));
      }
    });
    measured.longText = { done: longFirstAudio.length, of: options.runs };
    log(`  long text: first audio p50 ${summarize(longFirstAudio).p50.toFixed(2)} ms, stop p50 ${summarize(stopClient).p50.toFixed(2)} ms`);

    // Stop somewhere in a long reading played in real time, then read one line at once: how long the
    // server's leftover work makes the user wait.
    const afterStop: number[] = [];
    const leftoverMs: number[] = [];
    let requestsSeen = standin ? (await standin.state()).requests.length : 0;
    await phase('stop mid-reading, then read a line', options.runs, 2 * budget, async () => {
      const firstAudio = new Promise<void>((resolve) => (paced.onFirstAudio = resolve));
      const reading = pacedReader.read({ text: LONG_TEXT, params, prepare: prepareCode });
      await firstAudio;
      await sleep(200 + Math.random() * 3800);
      pacedReader.stop();
      expect('long reading', await reading);
      const line = await pacedReader.read({ text: SHORT_TEXT, params, prepare: prepareCode });
      expect('line after a stop', line);
      afterStop.push(line.firstAudioMs!);
      if (standin) {
        const { requests } = await standin.state();
        const stopped = requests.slice(requestsSeen).filter((q) => q.path === '/v1/audio/speech' && q.clientDisconnected);
        // No request in flight at the Stop: the server had nothing left to do.
        leftoverMs.push(stopped.reduce((ms, q) => ms + (q.busyAfterDisconnectMs ?? 0), 0));
        requestsSeen = requests.length;
      }
    });
    measured.afterStop = { done: afterStop.length, of: options.runs };
    log(`  stop mid-reading, then a line: first audio p50 ${summarize(afterStop).p50.toFixed(2)} ms`);

    // Gapless: a long reading played in real time, at the server's speed (and, on the stand-in, at 4× real time).
    const gapless: Array<{ rtf: number | 'server'; playedSeconds: number; underruns: number; worstGapMs: number; requests: number }> = [];
    const speeds: Array<number | 'server'> = standin ? [options.serverRtf, 4] : ['server'];
    for (const speed of speeds) {
      if (standin && speed !== 'server') await standin.setOptions({ rtf: speed });
      const gapReader = new Reader(() => client, paced, undefined, { recentAudioBytes: 0 });
      const underrunsBefore = paced.underruns;
      paced.worstGapMs = 0;
      const firstAudio = new Promise<void>((resolve) => (paced.onFirstAudio = resolve));
      const reading = gapReader.read({ text: LONG_TEXT, params, prepare: prepareCode });
      await firstAudio;
      const playFor = Math.min(options.playSeconds, 2 * budget) * 1000;
      await Promise.race([reading, sleep(playFor)]);
      gapReader.stop();
      const result = await reading;
      expect('gapless reading', result);
      gapless.push({
        rtf: speed,
        playedSeconds: paced.playedMs / 1000,
        underruns: paced.underruns - underrunsBefore,
        worstGapMs: paced.worstGapMs,
        requests: result.requests,
      });
      log(
        `  gapless at ${speed === 'server' ? "the server's speed" : `${speed}× real time`}: ${paced.underruns - underrunsBefore} underruns in ${(paced.playedMs / 1000).toFixed(1)} s of playback, ${result.requests} requests`,
      );
    }
    if (standin) await standin.setOptions({ rtf: options.serverRtf });

    // Real-time factor over whole readings of the long text, as fast as the server goes.
    const rtf: number[] = [];
    const rtfBudgetAt = performance.now() + budget * 1000;
    await phase('real-time factor', Math.max(1, Math.min(3, options.runs)), budget, async () => {
      const before = silent.samples;
      const started = performance.now();
      const reading = reader.read({ text: LONG_TEXT.slice(0, 4000), params, prepare: prepareCode });
      const outcome = await Promise.race([
        reading.then(() => 'done'),
        sleep(Math.max(0, rtfBudgetAt - performance.now())).then(() => 'budget'),
      ]);
      if (outcome === 'budget') reader.stop();
      expect('long reading', await reading);
      if (silent.samples > before) rtf.push((silent.samples - before) / 24_000 / ((performance.now() - started) / 1000));
    });

    // A load balancer in front of two replicas, one of them hung (stand-in only): every other speech request is taken
    // and never answered. Each such request is hedged after the client's learned delay, so no reading waits for the
    // first-byte timeout.
    let hungReplica: HungReplica | undefined;
    if (standin) {
      hungReplica = await readWithHungReplica(reader, client, standin, (result) => expect('reading with a hung replica', result), {
        params,
        prepare: prepareCode,
        runs: options.runs,
        budgetSeconds: budget,
      });
      measured.hungReplica = { done: hungReplica.readings, of: options.runs };
      log(
        `  hung replica: first audio p50 ${hungReplica.firstAudioMs.p50.toFixed(0)} ms, max ${hungReplica.firstAudioMs.max.toFixed(0)} ms; ${hungReplica.hedgesWon} of ${hungReplica.hungRequests} hung requests answered by a hedge`,
      );
    }

    // Throughput: short requests from `concurrency` readers at once (on the stand-in: fast mode, no delay).
    if (standin) await standin.setOptions({ mode: 'fast', ttfbMs: 0, rtf: 0 });
    const throughputResult = await throughput(client, params, options);
    if (standin) await standin.setOptions(standinOptions);
    measured.throughput = { done: throughputResult.requests, of: options.throughputRequests };
    log(
      `  throughput: ${throughputResult.rps.toFixed(0)} requests/s at concurrency ${options.concurrency} (${throughputResult.requests} requests)`,
    );

    // A stop must close its connection (the only way to cancel an HTTP/1.1 response); those are counted
    // apart from the connections opened for requests, wherever the replacement was opened.
    const connectionsOpened = {
      client: client.connectionsOpened - client.connectionsAborted,
      server: standin ? (await standin.state()).connectionsOpened : undefined,
      poolSize: options.connections,
      closedToCancel: client.connectionsAborted,
      // Idle past the keep-alive (a slow phase on a busy machine) or closed by the server: reopened when needed.
      closedOtherwise: Math.max(0, client.connectionsClosed - client.connectionsAborted),
    };

    let memory = { peakRssMb: NaN, heapGrowthMb: NaN, charsRead: 0 };
    if (!options.skipMemory) memory = await readMegabyte(reader, params, standin, budget);
    measured.memory = { done: memory.charsRead, of: 1_048_576 };

    const results = {
      server: url,
      ...(standin
        ? { standin: standinOptions, serverTtfbMs: options.blocking ? undefined : options.serverTtfbMs, serverRtf: options.serverRtf }
        : {}),
      firstByteMs: timing(firstByte),
      firstAudioMs: timing(shortFirstAudio),
      shortTextFirstAudioMs: timing(shortFirstAudio),
      shortTextStages: summarizeFetchStages(shortStages, timing),
      longTextFirstAudioMs: timing(longFirstAudio),
      afterStopFirstAudioMs: timing(afterStop),
      ...(leftoverMs.length ? { serverBusyAfterStopMs: timing(leftoverMs) } : {}),
      stopMs: { ...timing(stopClient), ...(stopServer.length ? { serverSawDisconnect: timing(stopServer) } : {}) },
      realTimeFactor: timing(rtf),
      gapless,
      speechRequests: client.speechRequests,
      hedging: {
        fired: client.hedgesFired,
        won: client.hedgesWon,
        savedMs: client.hedgeSavedMs,
        delayMs: client.hedgeDelayMs,
        firstByteTimeoutMs: client.options.firstByteTimeoutMs,
        ...(hungReplica ? { hungReplica } : {}),
      },
      connectionsOpened,
      throughputRps: throughputResult.rps,
      peakRssMb: memory.peakRssMb,
      heapGrowthMb: memory.heapGrowthMb,
      measured,
    };
    printTable(results, options, standin !== undefined);
    if (options.json) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await kokoro.dispose();
    await standin?.stop();
  }
}

async function throughput(client: KokoroClient, params: SpeechParams, options: Options): Promise<{ rps: number; requests: number }> {
  let remaining = options.throughputRequests;
  let requests = 0;
  const started = performance.now();
  const deadline = started + options.budgetSeconds * 1000;
  const worker = async () => {
    while (remaining-- > 0 && performance.now() < deadline) {
      await client.speak('Hi.', params, () => undefined);
      requests++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { rps: requests / ((performance.now() - started) / 1000), requests };
}

interface HungReplica {
  readings: number;
  firstAudioMs: Timing;
  /** Each reading from its start to its last audio. */
  readingMs: Timing;
  /** Speech requests the hung replica took and never answered, and how many of them the client aborted. */
  hungRequests: number;
  hungAborted: number;
  hedgesFired: number;
  hedgesWon: number;
  savedMs: number;
}

/** Two sentences: two requests. */
const HUNG_REPLICA_TEXT = 'The replica behind the balancer has hung. Every other request goes to it and is never answered.';

async function readWithHungReplica(
  reader: Reader,
  client: KokoroClient,
  standin: StandinProcess,
  expect: (result: ReadingResult) => void,
  how: { params: SpeechParams; prepare: (block: string) => string; runs: number; budgetSeconds: number },
): Promise<HungReplica> {
  const before = { fired: client.hedgesFired, won: client.hedgesWon, savedMs: client.hedgeSavedMs };
  const requestsBefore = (await standin.state()).requests.length;
  await standin.setOptions({ fault: 'hung-replica' });
  const firstAudio: number[] = [];
  const readingMs: number[] = [];
  const { done } = await phase('hung replica', how.runs, how.budgetSeconds, async () => {
    const started = performance.now();
    const result = await reader.read({ text: HUNG_REPLICA_TEXT, params: how.params, prepare: how.prepare });
    expect(result);
    firstAudio.push(result.firstAudioMs!);
    readingMs.push(performance.now() - started);
  });
  await standin.setOptions({ fault: 'none' });
  const hung = (await standin.state()).requests
    .slice(requestsBefore)
    .filter((r) => r.path === '/v1/audio/speech' && r.status === undefined);
  return {
    readings: done,
    firstAudioMs: timing(firstAudio),
    readingMs: timing(readingMs),
    hungRequests: hung.length,
    hungAborted: hung.filter((r) => r.clientDisconnected).length,
    hedgesFired: client.hedgesFired - before.fired,
    hedgesWon: client.hedgesWon - before.won,
    savedMs: client.hedgeSavedMs - before.savedMs,
  };
}

/** Reads a 1 MB text (to the end, or until the budget is spent) and samples the process's memory meanwhile. */
async function readMegabyte(reader: Reader, params: SpeechParams, standin: StandinProcess | undefined, budgetSeconds: number) {
  if (standin) await standin.setOptions({ mode: 'fast', rtf: 0, ttfbMs: 0, msPerChar: 1 });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const text = megabyteText();
  const reading = reader.read({ text, params, prepare: (block) => toSpeakable(block, { kind: 'code', languageId: 'typescript' }) });
  const timer = setTimeout(() => reader.stop(), budgetSeconds * 1000);
  const result = await reading;
  clearTimeout(timer);
  clearInterval(sampler);
  if (result.outcome === 'failed') throw new Error(`1 MB reading failed: ${result.error?.message}`);
  gc?.();
  // Characters of the source read: the speakable text is longer, so count back from the chunks' share.
  const spoken = result.chunks.reduce((n, c) => n + c.length, 0);
  const charsRead = result.outcome === 'completed' ? text.length : Math.min(text.length, Math.round(spoken * 0.8));
  return {
    peakRssMb: (peak - rssBefore) / 1024 / 1024,
    heapGrowthMb: (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024,
    charsRead,
  };
}

type Results = {
  firstByteMs: Timing;
  firstAudioMs: Timing;
  shortTextFirstAudioMs: Timing;
  /** Where the short readings' first-audio time went, up to the player. */
  shortTextStages: Record<FetchStage, Timing>;
  longTextFirstAudioMs: Timing;
  afterStopFirstAudioMs: Timing;
  serverBusyAfterStopMs?: Timing;
  stopMs: Timing & { serverSawDisconnect?: Timing };
  realTimeFactor: Timing;
  gapless: Array<{ rtf: number | 'server'; playedSeconds: number; underruns: number; worstGapMs: number; requests: number }>;
  speechRequests: number;
  hedging: { fired: number; won: number; savedMs: number; delayMs: number; firstByteTimeoutMs: number; hungReplica?: HungReplica };
  connectionsOpened: { client: number; server?: number; poolSize: number; closedToCancel: number; closedOtherwise: number };
  throughputRps: number;
  peakRssMb: number;
  heapGrowthMb: number;
  measured: Record<string, { done: number; of: number }>;
};

function printTable(r: Results, options: Options, standin: boolean): void {
  const ttfb = options.serverTtfbMs;
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
  const rows: Array<[string, Timing]> = [
    ['firstByteMs', r.firstByteMs],
    ['firstAudioMs', r.firstAudioMs],
    ['shortTextFirstAudioMs', r.shortTextFirstAudioMs],
    ...FETCH_STAGES.map((s) => [`  ${stageName(s)}`, r.shortTextStages[s]] as [string, Timing]),
    ['longTextFirstAudioMs', r.longTextFirstAudioMs],
    ['afterStopFirstAudioMs', r.afterStopFirstAudioMs],
    ...(r.serverBusyAfterStopMs ? [['server busy after stop', r.serverBusyAfterStopMs] as [string, Timing]] : []),
    ['stopMs (client)', r.stopMs],
    ...(r.stopMs.serverSawDisconnect ? [['stopMs (server saw it)', r.stopMs.serverSawDisconnect] as [string, Timing]] : []),
    ['realTimeFactor', r.realTimeFactor],
  ];
  const out = ['', `${'metric'.padEnd(24)}${['min', 'p50', 'p95', 'p99', 'max'].map((h) => h.padStart(10)).join('')}${'n'.padStart(6)}`];
  for (const [name, t] of rows)
    out.push(`${name.padEnd(24)}${[t.min, t.p50, t.p95, t.p99, t.max].map((v) => f(v).padStart(10)).join('')}${String(t.n).padStart(6)}`);
  out.push('');
  for (const g of r.gapless)
    out.push(
      `gapless at ${g.rtf === 'server' ? "the server's speed" : `${g.rtf}× real time`}: ${g.underruns} underruns (worst gap ${g.worstGapMs.toFixed(0)} ms) in ${g.playedSeconds.toFixed(1)} s played, ${g.requests} requests`,
    );
  out.push(
    `speech requests ${r.speechRequests}, connections opened ${r.connectionsOpened.client}${r.connectionsOpened.server !== undefined ? ` (server counted ${r.connectionsOpened.server})` : ''}, pool size ${r.connectionsOpened.poolSize}; plus ${r.connectionsOpened.closedToCancel} closed to cancel a request and replaced; ${r.connectionsOpened.closedOtherwise} closed while idle or by the server`,
  );
  const h = r.hedging;
  out.push(
    `hedged requests ${h.fired}, answered first by the hedge ${h.won}, saving at most ${(h.savedMs / 1000).toFixed(1)} s of waiting for the ${h.firstByteTimeoutMs} ms first-byte timeout; hedge delay now ${h.delayMs.toFixed(0)} ms`,
  );
  if (h.hungReplica) {
    const hung = h.hungReplica;
    out.push(
      `with a hung replica (every other request unanswered): ${hung.readings} readings, first audio p50 ${f(hung.firstAudioMs.p50)} ms, max ${f(hung.firstAudioMs.max)} ms, longest reading ${f(hung.readingMs.max)} ms; ${hung.hungRequests} requests hung, ${hung.hedgesFired} hedged, ${hung.hedgesWon} answered by the hedge, ${hung.hungAborted} aborted`,
    );
  }
  out.push(
    `throughput ${r.throughputRps.toFixed(0)} requests/s at concurrency ${options.concurrency}${standin ? ' (stand-in with no delay)' : ''}`,
  );
  out.push(`reading 1 MB: peak RSS growth ${f(r.peakRssMb)} MB, heap growth ${f(r.heapGrowthMb)} MB`);
  const partial = Object.entries(r.measured).filter(([, m]) => m.done < m.of);
  if (partial.length)
    out.push(
      `time budget reached (${options.budgetSeconds} s a phase): ${partial.map(([name, m]) => `${name} ${m.done} of ${m.of}`).join(', ')}`,
    );
  if (standin) {
    const check = (ok: boolean, text: string) => out.push(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
    out.push('', `Budgets (stand-in on loopback, ${options.blocking ? 'blocking' : 'fast'} mode):`);
    if (!options.blocking) {
      check(r.firstByteMs.p95 <= ttfb + 3, `firstByteMs.p95 ${f(r.firstByteMs.p95)} <= ${ttfb} + 3`);
      check(r.firstAudioMs.p95 <= ttfb + 5, `firstAudioMs.p95 ${f(r.firstAudioMs.p95)} <= ${ttfb} + 5`);
      check(r.stopMs.p95 <= 20, `stopMs.p95 ${f(r.stopMs.p95)} <= 20`);
    }
    const ours = FETCH_STAGES.filter((s) => OUR_STAGES.has(s));
    const oursP95 = ours.reduce((a, s) => a + r.shortTextStages[s].p95, 0);
    check(oursP95 <= 3, `the extension's own stages before the player (${ours.map(stageName).join(', ')}) p95 sum ${f(oursP95)} <= 3`);
    check(
      r.longTextFirstAudioMs.p50 <= 1.2 * r.shortTextFirstAudioMs.p50,
      `longTextFirstAudioMs.p50 ${f(r.longTextFirstAudioMs.p50)} <= 1.2 x ${f(r.shortTextFirstAudioMs.p50)}`,
    );
    check(
      r.afterStopFirstAudioMs.p50 <= 1.5 * r.firstAudioMs.p50,
      `afterStopFirstAudioMs.p50 ${f(r.afterStopFirstAudioMs.p50)} <= 1.5 x firstAudioMs.p50 ${f(r.firstAudioMs.p50)}`,
    );
    for (const g of r.gapless) check(g.underruns === 0, `no underruns at ${g.rtf}× real time (${g.underruns})`);
    check(
      r.connectionsOpened.client <= r.connectionsOpened.poolSize + r.connectionsOpened.closedOtherwise,
      `connectionsOpened ${r.connectionsOpened.client} <= pool size ${r.connectionsOpened.poolSize} + ${r.connectionsOpened.closedOtherwise} closed while idle, for ${r.speechRequests} speech requests`,
    );
    const hung = r.hedging.hungReplica;
    if (hung) {
      check(
        hung.firstAudioMs.max < r.hedging.firstByteTimeoutMs,
        `with a hung replica no reading waited for the first-byte timeout: first audio max ${f(hung.firstAudioMs.max)} < ${r.hedging.firstByteTimeoutMs}`,
      );
      check(
        hung.hedgesWon === hung.hungRequests && hung.hungAborted === hung.hungRequests,
        `every hung request (${hung.hungRequests}) answered by its hedge (${hung.hedgesWon}) and aborted (${hung.hungAborted})`,
      );
    }
    if (Number.isFinite(r.peakRssMb)) check(r.peakRssMb < 64, `peak RSS growth ${f(r.peakRssMb)} MB < 64 MB reading 1 MB`);
    if (options.concurrency === 8) check(r.throughputRps >= 500, `throughput ${r.throughputRps.toFixed(0)} >= 500 requests/s`);
  }
  console.log(out.join('\n'));
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
