import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { WordTiming } from '../../src/kokoro/captions';
import { KokoroClient, type KokoroClientOptions, type SpeechParams } from '../../src/kokoro/client';
import { FirstByteWindow, HEDGE_FLOOR_MS, HEDGE_MIN_SAMPLES, HEDGE_WINDOW } from '../../src/kokoro/hedge';
import { type AudioSink, Reader } from '../../src/speech/reader';
import { rejectsWith } from './kokoroAssert';
import { StandinServer, samplesForText } from '../standin/server';

const params: SpeechParams = { model: 'kokoro', voice: 'af_heart', speed: 1 };
const TEXT = 'A sentence the server is asked for twice, and heard once.';

describe('the hedge delay, learned from first-byte times', () => {
  it('before enough samples comes from the first-byte timeout: a quarter, at most 2 s, never under the floor', () => {
    assert.equal(new FirstByteWindow(15_000).delayMs, 2000);
    assert.equal(new FirstByteWindow(4000).delayMs, 1000);
    assert.equal(new FirstByteWindow(1000).delayMs, HEDGE_FLOOR_MS);
    const few = new FirstByteWindow(15_000);
    for (let i = 1; i < HEDGE_MIN_SAMPLES; i++) few.record(5);
    assert.equal(few.delayMs, 2000, `${HEDGE_MIN_SAMPLES - 1} samples are not enough`);
  });

  it('goes down to the floor after fast answers, well above steady slow ones, and forgets old ones', () => {
    const window = new FirstByteWindow(15_000);
    for (let i = 0; i < HEDGE_MIN_SAMPLES; i++) window.record(3);
    assert.equal(window.delayMs, HEDGE_FLOOR_MS);
    for (let i = 0; i < HEDGE_MIN_SAMPLES; i++) window.record(700 + (i % 3) * 10);
    assert.equal(window.delayMs, 3 * 720, 'three times the slowest of the recent ones');
    window.record(NaN);
    window.record(-1);
    assert.equal(window.samples, 2 * HEDGE_MIN_SAMPLES, 'nonsense is not recorded');
    for (let i = 0; i < HEDGE_WINDOW; i++) window.record(100);
    assert.equal(window.samples, HEDGE_WINDOW);
    assert.equal(window.delayMs, HEDGE_FLOOR_MS, 'the slow ones fell out of the window');
  });
});

describe('hedged speech requests against the stand-in server', function () {
  this.timeout(20_000);
  let server: StandinServer;
  const clients: KokoroClient[] = [];

  before(async () => {
    server = await StandinServer.start();
  });
  after(async () => server.close());
  beforeEach(() => server.reset());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  function clientFor(extra: Partial<KokoroClientOptions> = {}): KokoroClient {
    const client = new KokoroClient({
      serverUrl: server.url,
      connections: 2,
      healthTimeoutMs: 500,
      firstByteTimeoutMs: 15_000,
      streamTimeoutMs: 5000,
      ...extra,
    });
    clients.push(client);
    return client;
  }

  async function speakAll(client: KokoroClient, text: string, signal?: AbortSignal) {
    const chunks: Buffer[] = [];
    const started = performance.now();
    const timings = await client.speak(text, params, (pcm) => chunks.push(Buffer.from(pcm)), signal);
    return { timings, pcm: Buffer.concat(chunks), ms: performance.now() - started };
  }

  /** Fast answers, enough of them for the client to learn its delay: the floor. */
  async function learnFast(client: KokoroClient): Promise<void> {
    for (let i = 0; i < HEDGE_MIN_SAMPLES; i++) await speakAll(client, `Warm ${i}.`);
    assert.equal(client.hedgeDelayMs, HEDGE_FLOOR_MS);
    server.reset();
  }

  it('a request that hangs is answered by its hedge well before the first-byte timeout; the hung one is aborted, the audio heard once and whole', async () => {
    const client = clientFor();
    await learnFast(client);
    server.setOptions({ fault: 'never-answer', faultTimes: 1, rtf: 20, chunkMs: 50 });
    const hedged = await speakAll(client, TEXT);
    assert.ok(hedged.ms >= HEDGE_FLOOR_MS && hedged.ms < HEDGE_FLOOR_MS + 1000, `answered after ${hedged.ms.toFixed(0)} ms`);
    const [hung, hedge] = server.speechRequests();
    assert.equal(server.speechRequests().length, 2);
    assert.deepEqual(hedge.body, hung.body, 'the same request again');
    assert.notEqual(hedge.connectionId, hung.connectionId, 'on another connection');
    await server.waitFor(() => hung.clientDisconnected, 1000, 'the hung request aborted');
    assert.equal(hung.status, undefined, 'it never answered');
    assert.ok(hedge.completed);
    assert.equal(hedged.pcm.length, samplesForText(TEXT, server.options.msPerChar) * 2, 'all the audio, once');
    assert.ok(hedged.pcm.equals((await speakAll(client, TEXT)).pcm), 'the same audio as an answer without a hedge');
    assert.ok(hedged.timings.firstByteAt! - hedged.timings.sentAt >= HEDGE_FLOOR_MS, 'first byte counted from the first request');
    assert.deepEqual([client.hedgesFired, client.hedgesWon], [1, 1]);
    assert.ok(client.hedgeSavedMs > 13_000, `saved ${client.hedgeSavedMs.toFixed(0)} ms of waiting for the 15 s timeout`);
    assert.equal(client.speechRequests, HEDGE_MIN_SAMPLES + 2, 'a hedge is not another speech request of the caller');
  });

  it('a server whose first bytes slow down steadily is never hedged: the delay rises above them', async () => {
    const client = clientFor();
    await learnFast(client);
    for (const ttfbMs of [300, 300, 700, 700, 700]) {
      server.setOptions({ ttfbMs });
      const { ms } = await speakAll(client, 'Steady.');
      assert.ok(ms >= ttfbMs, `${ms.toFixed(0)} ms`);
      assert.ok(client.hedgeDelayMs >= 3 * ttfbMs, `delay ${client.hedgeDelayMs.toFixed(0)} ms after ${ttfbMs} ms answers`);
    }
    assert.equal(client.hedgesFired, 0);
    assert.equal(server.speechRequests().length, 5, 'nothing was asked twice');
  });

  it('Stop while a request and its hedge are both waiting aborts both', async () => {
    const client = clientFor();
    await learnFast(client);
    server.setOptions({ fault: 'never-answer', faultTimes: 2 });
    const controller = new AbortController();
    const speaking = speakAll(client, TEXT, controller.signal);
    await server.waitFor(() => server.speechRequests().length === 2, 2000, 'the hedge sent');
    controller.abort();
    await rejectsWith(speaking, 'aborted');
    await server.waitFor(() => server.disconnects().length === 2, 1000, 'both aborted');
    assert.deepEqual([client.hedgesFired, client.hedgesWon], [1, 0]);
  });

  it('with hedging off, or a pool of one connection, a hung request waits for the first-byte timeout, alone', async () => {
    for (const extra of [{ hedging: false }, { connections: 1 }]) {
      server.reset();
      const client = clientFor({ firstByteTimeoutMs: 1500, ...extra });
      await learnFast(client);
      server.setOptions({ fault: 'never-answer', faultTimes: 1 });
      const started = performance.now();
      await rejectsWith(speakAll(client, TEXT), 'timeout', /within 1500 ms/);
      assert.ok(performance.now() - started >= 1450, JSON.stringify(extra));
      assert.equal(server.speechRequests().length, 1, `${JSON.stringify(extra)}: asked once`);
      assert.equal(client.hedgesFired, 0);
    }
  });

  it('when both fail, the first one says why, at its own deadline; when the hedge fails, the first request still answers', async () => {
    const client = clientFor({ firstByteTimeoutMs: 1500 });
    await learnFast(client);
    const failsAfter = async (ms: number) => {
      const started = performance.now();
      await rejectsWith(speakAll(client, TEXT), 'timeout', /within 1500 ms/);
      const failedAt = performance.now() - started;
      assert.ok(failedAt >= ms - 50 && failedAt < ms + 400, `failed after ${failedAt.toFixed(0)} ms`);
    };
    server.setOptions({ fault: 'never-answer', faultTimes: 2 });
    await failsAfter(1500); // the hedge does not get a deadline of its own
    await server.waitFor(() => server.disconnects().length === 2, 1000, 'both aborted');

    server.reset();
    server.setOptions({ fault: 'never-answer', faultTimes: 1 });
    const failing = failsAfter(1500);
    await server.waitFor(() => server.speechRequests().length === 1);
    server.setOptions({ fault: 'error-500', faultTimes: 1 });
    await failing;
    assert.deepEqual(
      server.speechRequests().map((r) => r.status),
      [undefined, 500],
    );
    await server.waitFor(() => server.speechRequests()[0].clientDisconnected, 1000, 'the hung request aborted');
    assert.deepEqual([client.hedgesFired, client.hedgesWon], [2, 0]);

    server.reset();
    server.setOptions({ ttfbMs: 900 });
    const speaking = speakAll(client, TEXT);
    await server.waitFor(() => server.speechRequests().length === 1);
    server.setOptions({ fault: 'error-500', faultTimes: 1 });
    const slow = await speaking;
    assert.equal(slow.pcm.length, samplesForText(TEXT, server.options.msPerChar) * 2);
    assert.deepEqual(
      server.speechRequests().map((r) => r.status),
      [200, 500],
    );
    assert.deepEqual([client.hedgesFired, client.hedgesWon], [3, 0]);
  });

  it('a fast failure of the first request is answered as before: no hedge', async () => {
    const client = clientFor();
    await learnFast(client);
    server.setOptions({ fault: 'error-500', faultTimes: 1 });
    await rejectsWith(speakAll(client, TEXT), 'http', /CUDA out of memory/);
    await new Promise((r) => setTimeout(r, HEDGE_FLOOR_MS + 100));
    assert.equal(server.speechRequests().length, 1);
    assert.equal(client.hedgesFired, 0);
  });

  it('the captioned route is hedged too: the words and the audio of one request only', async () => {
    const client = clientFor();
    await learnFast(client);
    const captioned = async () => {
      const chunks: Buffer[] = [];
      const words: WordTiming[] = [];
      await client.speakCaptioned(
        TEXT,
        params,
        (pcm) => chunks.push(Buffer.from(pcm)),
        (w) => words.push(...w),
      );
      return { pcm: Buffer.concat(chunks), words: words.map((w) => `${w.word}@${w.startSeconds}`) };
    };
    server.setOptions({ fault: 'never-answer', faultTimes: 1, rtf: 20, chunkMs: 50 });
    const hedged = await captioned();
    assert.deepEqual([client.hedgesFired, client.hedgesWon], [1, 1]);
    const plain = await captioned();
    assert.ok(hedged.pcm.equals(plain.pcm));
    assert.deepEqual(hedged.words, plain.words);
    assert.equal(client.hedgesFired, 1);
  });

  it('behind a load balancer with a hung replica, a reading of many requests never waits for the first-byte timeout', async () => {
    const client = clientFor();
    await learnFast(client);
    const samples = new Map<number, number>();
    const sink: AudioSink = {
      begin: () => undefined,
      segment: () => undefined,
      audio: (id, pcm) => samples.set(id, (samples.get(id) ?? 0) + pcm.length / 2),
      end: () => undefined,
      abort: () => undefined,
      room: () => Promise.resolve(),
    };
    const reader = new Reader(() => client, sink);
    server.setOptions({ fault: 'hung-replica' });
    const text = 'The first sentence. ' + 'Then one sentence after another, read in bigger pieces. '.repeat(8);
    const started = performance.now();
    const result = await reader.read({ text, params });
    const ms = performance.now() - started;
    assert.equal(result.outcome, 'completed');
    assert.ok(result.requests >= 3, `${result.requests} requests`);
    assert.ok(ms < result.requests * (HEDGE_FLOOR_MS + 500), `read in ${ms.toFixed(0)} ms`);
    const expected = result.chunks.reduce((n, chunk) => n + samplesForText(chunk, server.options.msPerChar), 0);
    assert.equal(samples.get(result.id), expected, 'every chunk heard once');
    const hung = server.speechRequests().filter((r) => r.status === undefined);
    assert.ok(hung.length >= 1 && hung.length <= result.requests, `${hung.length} hung`);
    assert.equal(client.hedgesWon, hung.length);
    await server.waitFor(() => hung.every((r) => r.clientDisconnected), 1000, 'every hung request aborted');
  });
});
