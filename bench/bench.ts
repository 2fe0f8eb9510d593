// `npm run bench`: measures the extension's own client and reading pipeline (no VS Code)
// against a real server (--url) or the project's stand-in server started with a chosen
// delay to first byte and real-time factor, so the client's own cost can be isolated.

import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { KokoroClient, SpeechParams } from '../src/kokoro/client';
import { KokoroServer } from '../src/kokoro/server';
import { Reader } from '../src/speech/reader';
import { SilentSink } from '../src/stats/benchmark';
import { toSpeakable } from '../src/speech/speakable';
import { Summary, summarize } from '../src/stats/latency';
import { StandinProcess } from '../test/standin/process';
import { LONG_TEXT, SHORT_TEXT, megabyteText } from './texts';

interface Options {
  url?: string;
  serverTtfbMs: number;
  serverRtf: number;
  runs: number;
  warmup: number;
  voice: string;
  concurrency: number;
  throughputRequests: number;
  connections: number;
  json?: string;
  skipMemory: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { serverTtfbMs: 20, serverRtf: 50, runs: 30, warmup: 5, voice: 'af_heart', concurrency: 8, throughputRequests: 4000, connections: 8, skipMemory: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--url': options.url = value(); break;
      case '--server-ttfb-ms': options.serverTtfbMs = Number(value()); break;
      case '--server-rtf': options.serverRtf = Number(value()); break;
      case '--runs': options.runs = Number(value()); break;
      case '--warmup': options.warmup = Number(value()); break;
      case '--voice': options.voice = value(); break;
      case '--concurrency': options.concurrency = Number(value()); break;
      case '--throughput-requests': options.throughputRequests = Number(value()); break;
      case '--connections': options.connections = Number(value()); break;
      case '--json': options.json = value(); break;
      case '--skip-memory': options.skipMemory = true; break;
      case '--help':
        console.log(`Usage: npm run bench -- [--url URL] [--server-ttfb-ms 20] [--server-rtf 50] [--runs 30] [--warmup 5]
       [--voice af_heart] [--concurrency 8] [--throughput-requests 4000] [--connections 8] [--json FILE] [--skip-memory]
Without --url it starts the project's stand-in server with the given delay and real-time factor.`);
        process.exit(0);
      default:
        throw new Error(`Unknown option ${flag} (try --help)`);
    }
  }
  return options;
}

type Timing = Omit<Summary, 'count' | 'mean'>;
const timing = (values: number[]): Timing => {
  const { min, p50, p95, p99, max } = summarize(values);
  return { min, p50, p95, p99, max };
};

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const standin = options.url ? undefined : await StandinProcess.start({ ttfbMs: options.serverTtfbMs, rtf: options.serverRtf });
  const url = options.url ?? standin!.url;
  const params: SpeechParams = { model: 'kokoro', voice: options.voice, speed: 1 };
  // The extension's own server object: warm-up, and connections kept warm past the server's keep-alive.
  const kokoro = new KokoroServer({ client: { serverUrl: url, connections: options.connections, healthTimeoutMs: 2000, firstByteTimeoutMs: 30_000, streamTimeoutMs: 30_000 }, speech: params, warmUp: true });
  const client = kokoro.client;
  const sink = new SilentSink();
  const reader = new Reader(() => client, sink);
  const prepareCode = (block: string) => toSpeakable(block, { kind: 'code', languageId: 'typescript' });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  try {
    log(`Benchmarking ${url}${standin ? ` (stand-in: ${options.serverTtfbMs} ms to first byte, real-time factor ${options.serverRtf})` : ''}`);
    await kokoro.warmUp();
    if (kokoro.state !== 'ready' || kokoro.lastError) throw new Error(`warm-up failed: ${kokoro.lastError?.message ?? kokoro.state}`);

    // Time to first byte and to first audio, one short line.
    const firstByte: number[] = [];
    const shortFirstAudio: number[] = [];
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const result = await reader.read({ text: SHORT_TEXT, params, prepare: prepareCode });
      if (result.outcome !== 'completed') throw new Error(`short reading ${result.outcome}: ${result.error?.message}`);
      if (i >= options.warmup) {
        firstByte.push(result.firstByteMs!);
        shortFirstAudio.push(result.firstAudioMs!);
      }
    }
    log(`  short text: first audio p50 ${summarize(shortFirstAudio).p50.toFixed(2)} ms`);

    // Long text (~20 000 characters of source and prose): first audio, then stop.
    const longFirstAudio: number[] = [];
    const stopClient: number[] = [];
    const stopServer: number[] = [];
    const rtf: number[] = [];
    const connectionsBeforeStops = client.connectionsOpened;
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const firstAudio = new Promise<void>((resolve) => (sink.onFirstAudio = resolve));
      const started = performance.now();
      const reading = reader.read({ text: LONG_TEXT, params, prepare: prepareCode });
      await firstAudio;
      const firstAudioMs = performance.now() - started;
      const closed = new Promise<number>((resolve) => client.onNextDisconnect(() => resolve(performance.now())));
      const stopAt = performance.now();
      reader.stop();
      await reading;
      const closedAt = await closed;
      if (i >= options.warmup) {
        longFirstAudio.push(firstAudioMs);
        stopClient.push(closedAt - stopAt);
      }
      if (standin && i >= options.warmup) {
        const state = await standin.state();
        const last = state.requests.filter((r) => r.path === '/v1/audio/speech').at(-1);
        if (last?.clientDisconnected && last.endedAt !== undefined) stopServer.push(state.timeOrigin + last.endedAt - (performance.timeOrigin + stopAt));
      }
    }
    const stops = options.warmup + options.runs;
    const reopenedAfterStops = client.connectionsOpened - connectionsBeforeStops;
    log(`  long text: first audio p50 ${summarize(longFirstAudio).p50.toFixed(2)} ms, stop p50 ${summarize(stopClient).p50.toFixed(2)} ms`);

    // Real-time factor over whole readings of the long text.
    for (let i = 0; i < Math.max(1, Math.min(3, options.runs)); i++) {
      const before = sink.samples;
      const started = performance.now();
      const result = await reader.read({ text: LONG_TEXT.slice(0, 4000), params, prepare: prepareCode });
      if (result.outcome !== 'completed') throw new Error(`long reading ${result.outcome}: ${result.error?.message}`);
      rtf.push((sink.samples - before) / result.sampleRate / ((performance.now() - started) / 1000));
    }

    // Throughput: short requests from `concurrency` readers at once, against a zero-delay stand-in.
    const connectionsBeforeThroughput = client.connectionsOpened;
    if (standin) await standin.setOptions({ ttfbMs: 0, rtf: 0 });
    const throughputRps = await throughput(client, params, options);
    if (standin) await standin.setOptions({ ttfbMs: options.serverTtfbMs, rtf: options.serverRtf });
    const connectionsDuringThroughput = client.connectionsOpened - connectionsBeforeThroughput;
    log(`  throughput: ${throughputRps.toFixed(0)} requests/s at concurrency ${options.concurrency}`);

    const requests = client.speechRequests;
    // A stop must close its connection (the only way to cancel an HTTP/1.1 response), so those are
    // counted apart from the connections opened for requests.
    const connectionsOpened = {
      client: client.connectionsOpened - reopenedAfterStops,
      server: standin ? (await standin.state()).connectionsOpened - reopenedAfterStops : undefined,
      poolSize: options.connections,
      duringThroughput: connectionsDuringThroughput,
      replacedAfterStops: reopenedAfterStops,
      stops,
    };

    let peakRssMb = NaN;
    let heapGrowthMb = NaN;
    if (!options.skipMemory) ({ peakRssMb, heapGrowthMb } = await memory(client, reader, sink, params, standin));

    const results = {
      server: url,
      ...(standin ? { serverTtfbMs: options.serverTtfbMs, serverRtf: options.serverRtf } : {}),
      firstByteMs: timing(firstByte),
      firstAudioMs: timing(shortFirstAudio),
      shortTextFirstAudioMs: timing(shortFirstAudio),
      longTextFirstAudioMs: timing(longFirstAudio),
      stopMs: { ...timing(stopClient), ...(stopServer.length ? { serverSawDisconnect: timing(stopServer) } : {}) },
      realTimeFactor: timing(rtf),
      requests,
      connectionsOpened,
      throughputRps,
      peakRssMb,
      heapGrowthMb,
    };
    printTable(results, options, !!standin);
    if (options.json) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await kokoro.dispose();
    await standin?.stop();
  }
}

async function throughput(client: KokoroClient, params: SpeechParams, options: Options): Promise<number> {
  let remaining = options.throughputRequests;
  const started = performance.now();
  const worker = async () => {
    while (remaining-- > 0) await client.speak('Hi.', params, () => undefined);
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return options.throughputRequests / ((performance.now() - started) / 1000);
}

/** Reads a 1 MB text to the end and samples the process's memory meanwhile. */
async function memory(client: KokoroClient, reader: Reader, sink: SilentSink, params: SpeechParams, standin: StandinProcess | undefined) {
  if (standin) await standin.setOptions({ rtf: 0, ttfbMs: 0, msPerChar: 1 });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const text = megabyteText();
  const result = await reader.read({ text, params, prepare: (block) => toSpeakable(block, { kind: 'code', languageId: 'typescript' }) });
  clearInterval(sampler);
  if (result.outcome !== 'completed') throw new Error(`1 MB reading ${result.outcome}: ${result.error?.message}`);
  gc?.();
  void client;
  void sink;
  return { peakRssMb: (peak - rssBefore) / 1024 / 1024, heapGrowthMb: (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024 };
}

function printTable(results: Record<string, unknown>, options: Options, standin: boolean): void {
  const ttfb = options.serverTtfbMs;
  const r = results as {
    firstByteMs: Timing; firstAudioMs: Timing; shortTextFirstAudioMs: Timing; longTextFirstAudioMs: Timing; stopMs: Timing & { serverSawDisconnect?: Timing };
    realTimeFactor: Timing; requests: number; connectionsOpened: { client: number; server?: number; poolSize: number; replacedAfterStops: number; stops: number }; throughputRps: number; peakRssMb: number; heapGrowthMb: number;
  };
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
  const rows: Array<[string, Timing]> = [
    ['firstByteMs', r.firstByteMs],
    ['firstAudioMs', r.firstAudioMs],
    ['shortTextFirstAudioMs', r.shortTextFirstAudioMs],
    ['longTextFirstAudioMs', r.longTextFirstAudioMs],
    ['stopMs (client)', r.stopMs],
    ...(r.stopMs.serverSawDisconnect ? [['stopMs (server saw it)', r.stopMs.serverSawDisconnect] as [string, Timing]] : []),
    ['realTimeFactor', r.realTimeFactor],
  ];
  const out = ['', `${'metric'.padEnd(24)}${['min', 'p50', 'p95', 'p99', 'max'].map((h) => h.padStart(10)).join('')}`];
  for (const [name, t] of rows) out.push(`${name.padEnd(24)}${[t.min, t.p50, t.p95, t.p99, t.max].map((v) => f(v).padStart(10)).join('')}`);
  out.push('', `requests ${r.requests}, connections opened ${r.connectionsOpened.client}${r.connectionsOpened.server !== undefined ? ` (server counted ${r.connectionsOpened.server})` : ''}, pool size ${r.connectionsOpened.poolSize}; ${r.connectionsOpened.replacedAfterStops} replaced after ${r.connectionsOpened.stops} stops`);
  out.push(`throughput ${r.throughputRps.toFixed(0)} requests/s at concurrency ${options.concurrency} (stand-in with no delay)`);
  out.push(`reading 1 MB: peak RSS growth ${f(r.peakRssMb)} MB, heap growth ${f(r.heapGrowthMb)} MB`);
  if (standin) {
    const check = (ok: boolean, text: string) => out.push(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
    out.push('', 'Budgets (stand-in on loopback):');
    check(r.firstByteMs.p95 <= ttfb + 3, `firstByteMs.p95 ${f(r.firstByteMs.p95)} <= ${ttfb} + 3`);
    check(r.firstAudioMs.p95 <= ttfb + 5, `firstAudioMs.p95 ${f(r.firstAudioMs.p95)} <= ${ttfb} + 5`);
    check(r.longTextFirstAudioMs.p50 <= 1.2 * r.shortTextFirstAudioMs.p50, `longTextFirstAudioMs.p50 ${f(r.longTextFirstAudioMs.p50)} <= 1.2 x ${f(r.shortTextFirstAudioMs.p50)}`);
    check(r.connectionsOpened.client <= r.connectionsOpened.poolSize, `connectionsOpened ${r.connectionsOpened.client} <= pool size ${r.connectionsOpened.poolSize} for ${r.requests} requests`);
    check(r.stopMs.p95 <= 20, `stopMs.p95 ${f(r.stopMs.p95)} <= 20`);
    if (Number.isFinite(r.peakRssMb)) check(r.peakRssMb < 64, `peak RSS growth ${f(r.peakRssMb)} MB < 64 MB reading 1 MB`);
    if (options.concurrency === 8) check(r.throughputRps >= 500, `throughput ${r.throughputRps.toFixed(0)} >= 500 requests/s`);
  }
  console.log(out.join('\n'));
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
