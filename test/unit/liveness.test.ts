// A busy Kokoro server is not an offline one: Kokoro-FastAPI answers nothing (not even /health)
// while it generates a sentence group. Against the stand-in in its blocking (real-server) mode,
// in a child process because it blocks its own event loop.

import * as assert from 'node:assert/strict';
import { type SpeechParams } from '../../src/kokoro/client';
import { ServerConnection, type ServerState } from '../../src/kokoro/connection';
import { type AudioSink, Reader } from '../../src/speech/reader';
import { StandinProcess } from '../standin/process';

const params: SpeechParams = { model: 'kokoro', voice: 'af_heart', speed: 1 };

/** A player that takes all the audio at once: the server is kept generating the whole time. */
const greedySink: AudioSink = {
  begin() {},
  segment() {},
  audio() {},
  end() {},
  abort() {},
  room: () => Promise.resolve(),
};

describe('Liveness against a server that blocks while it generates', function () {
  this.timeout(60_000);
  let standin: StandinProcess;

  before(async () => {
    standin = await StandinProcess.start({ mode: 'blocking', rtf: 4, startCostMs: 50 });
  });
  after(async () => standin.stop());
  beforeEach(() => standin.reset());

  it('a long reading at 4× real time never shows the server as unreachable and never re-warms it', async () => {
    // The extension's defaults: health 500 ms, first byte 15 s, stream 10 s; connections kept warm often.
    const server = new ServerConnection({
      client: { serverUrl: standin.url, connections: 2, healthTimeoutMs: 500, firstByteTimeoutMs: 15_000, streamTimeoutMs: 10_000 },
      speech: params,
      warmUp: true,
      keepWarmMs: 200,
    });
    const states: ServerState[] = [];
    let warmUps = 0;
    server.on('state', (state) => states.push(state));
    server.on('warmedUp', () => warmUps++);
    try {
      await server.warmUp();
      assert.equal(server.state, 'ready');
      const reader = new Reader(() => server.client, greedySink);
      // About 25 seconds of speech; every request blocks the server for a second or more.
      const text = 'The quick brown fox jumps over the lazy dog while the server keeps generating. '.repeat(5);
      const healthChecksBefore = (await standin.state()).requests.filter((r) => r.path === '/health').length;
      const result = await reader.read({ text, params });
      server.reportSuccess();
      assert.equal(result.outcome, 'completed');
      const requests = (await standin.state()).requests;
      const healthChecks = requests.filter((r) => r.path === '/health').length - healthChecksBefore;
      assert.ok(
        healthChecks >= 2,
        `the connections were kept warm during the reading (${healthChecks} health checks) — so the test exercised them`,
      );
      assert.ok(!states.includes('unreachable'), `states: ${states.join(' → ')}`);
      assert.equal(warmUps, 1, 'warmed up once, never again');
      assert.equal(
        requests.filter((r) => r.path === '/v1/audio/speech').length,
        2 + result.requests,
        'no synthesis beyond the warm-up (one per pooled connection) and the reading',
      );
    } finally {
      await server.dispose();
    }
  });

  it('a warm-up that meets a busy server calls it ready, not unreachable', async () => {
    const settings = {
      client: { serverUrl: standin.url, connections: 1, healthTimeoutMs: 300, firstByteTimeoutMs: 15_000, streamTimeoutMs: 10_000 },
      speech: params,
      warmUp: true,
      keepWarmMs: 0,
    };
    const server = new ServerConnection(settings);
    try {
      const reading = new Reader(() => server.client, greedySink).read({
        text: 'A sentence that keeps the server busy for a good second or two at this pace. '.repeat(2),
        params,
      });
      await new Promise((r) => setTimeout(r, 100));
      await server.warmUp(); // e.g. the voice was changed while reading
      assert.equal(server.state, 'ready', server.lastError?.message);
      assert.equal((await reading).outcome, 'completed');
    } finally {
      await server.dispose();
    }
  });

  it('silence beyond the timeouts still means unreachable', async () => {
    await standin.setOptions({ rtf: 1.5 }); // a group takes seconds: longer than this client's stream timeout
    const server = new ServerConnection({
      client: { serverUrl: standin.url, connections: 2, healthTimeoutMs: 300, firstByteTimeoutMs: 800, streamTimeoutMs: 800 },
      speech: params,
      warmUp: false,
      keepWarmMs: 0,
    });
    try {
      const result = await new Reader(() => server.client, greedySink).read({
        text: 'A long enough sentence to take the slow server several seconds.',
        params,
      });
      assert.equal(result.outcome, 'failed');
      assert.equal(result.error?.kind, 'timeout');
      server.reportFailure(result.error!);
      assert.equal(server.state, 'unreachable');
    } finally {
      await server.dispose();
      await standin.setOptions({ rtf: 4 });
    }
  });
});
