// Warm-up across the replicas behind a load balancer, and fallback servers (kokoro.serverUrls):
// real stand-in servers on loopback, taken down and brought back.

import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { KokoroClient, type SpeechParams, type WarmUpResult, replicaName } from '../../src/kokoro/client';
import { KokoroError } from '../../src/kokoro/errors';
import { ServerConnection, type ServerSettings, type ServerState } from '../../src/kokoro/connection';
import { rejectsWith } from './kokoroAssert';
import { StandinServer, samplesForText } from '../standin/server';

const params: SpeechParams = { model: 'kokoro', voice: 'af_heart', speed: 1 };
const timeouts = { healthTimeoutMs: 500, firstByteTimeoutMs: 3000, streamTimeoutMs: 3000 };

/**
 * A TCP balancer that hands each new connection to the next upstream in turn, for as long as it lives: what a
 * connection reaches is fixed when it opens, so a replica that answered shows that a connection carried the request.
 */
async function roundRobin(upstreams: StandinServer[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((downstream) => {
    const target = upstreams[next++ % upstreams.length];
    const upstream = net.connect(target.port, target.host);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function settingsFor(serverUrl: string, extra: Partial<ServerSettings> = {}, connections = 1): ServerSettings {
  return { client: { serverUrl, connections, ...timeouts }, speech: params, warmUp: true, keepWarmMs: 0, ...extra };
}

describe('Warm-up on every pooled connection, across the replicas of a load balancer', function () {
  this.timeout(15_000);
  let a: StandinServer;
  let b: StandinServer;
  let balancer: { url: string; close(): Promise<void> };

  before(async () => {
    a = await StandinServer.start({ replica: 'a' });
    b = await StandinServer.start({ replica: 'b' });
  });
  after(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(async () => {
    a.reset();
    b.reset();
    balancer = await roundRobin([a, b]);
  });
  afterEach(async () => balancer.close());

  const clientFor = (connections: number) => new KokoroClient({ serverUrl: balancer.url, connections, ...timeouts });

  it('sends one synthesis on each pooled connection at once, and counts the distinct replicas that answered', async () => {
    a.setOptions({ ttfbMs: 200 });
    b.setOptions({ ttfbMs: 200 });
    const client = clientFor(2);
    try {
      const result = await client.warmUp(params);
      assert.deepEqual([result.syntheses, result.answered, result.replicas], [2, 2, ['a', 'b']]);
      assert.equal(a.speechRequests().length, 1, 'replica a got one synthesis');
      assert.equal(b.speechRequests().length, 1, 'replica b got one synthesis');
      const [onA] = a.speechRequests();
      const [onB] = b.speechRequests();
      assert.ok(onB.receivedAt < onA.endedAt! && onA.receivedAt < onB.endedAt!, 'the two syntheses ran at the same time');
      assert.equal(client.speechRequests, 0, 'warm-up syntheses are not readings');
    } finally {
      await client.close();
    }
  });

  it('a pool larger than the replicas warms every connection; the replicas are counted once', async () => {
    const client = clientFor(3);
    try {
      const result = await client.warmUp(params);
      assert.deepEqual([result.syntheses, result.answered, result.replicas, result.connectionsOpen], [3, 3, ['a', 'b'], 3]);
      const connections = a.speechRequests().map((r) => r.connectionId);
      assert.equal(new Set(connections).size, 2, `replica a's two connections got one synthesis each: ${connections.join(', ')}`);
      assert.equal(b.speechRequests().length, 1);
    } finally {
      await client.close();
    }
  });

  it('without the header, no replica is named; a replica that fails leaves the others answered; all failing is an error', async () => {
    a.setOptions({ replica: '' });
    b.setOptions({ replica: '' });
    const plain = clientFor(2);
    try {
      assert.equal((await plain.warmUp(params)).replicas, undefined);
    } finally {
      await plain.close();
    }
    a.setOptions({ replica: 'a' });
    b.setOptions({ replica: 'b', fault: 'error-500' });
    const halfWay = clientFor(2);
    try {
      const result = await halfWay.warmUp(params);
      assert.deepEqual([result.syntheses, result.answered, result.replicas], [2, 1, ['a']]);
      a.setOptions({ fault: 'error-500' });
      await rejectsWith(halfWay.warmUp(params), 'http', /CUDA out of memory/);
    } finally {
      await halfWay.close();
    }
  });

  it('the server is ready at the first answer; warmedUp follows when every synthesis has settled, with the replicas', async () => {
    b.setOptions({ ttfbMs: 1500 });
    const server = new ServerConnection(settingsFor(balancer.url, {}, 2));
    const warmedUp: Array<[WarmUpResult, string]> = [];
    server.on('warmedUp', (result, url) => warmedUp.push([result, url]));
    try {
      await server.warmUp();
      assert.equal(server.state, 'ready');
      assert.equal(b.speechRequests()[0]?.completed, false, "ready while the slow replica's synthesis is still going");
      assert.equal(warmedUp.length, 0, 'warmedUp waits for every synthesis');
      await b.waitFor(() => warmedUp.length === 1, 5000, 'warmedUp');
      const [[result, url]] = warmedUp;
      assert.deepEqual([result.syntheses, result.answered, result.replicas, url], [2, 2, ['a', 'b'], balancer.url]);
      assert.ok(result.synthesisMs < 1000, `ready after the first answer (${result.synthesisMs.toFixed(0)} ms), not the slowest`);
    } finally {
      await server.dispose();
    }
  });

  it("reads nginx's $upstream_addr: the last upstream listed is the one that answered", () => {
    assert.equal(replicaName('10.0.0.5:8880'), '10.0.0.5:8880');
    assert.equal(replicaName('10.0.0.5:8880, 10.0.0.6:8880'), '10.0.0.6:8880');
    assert.equal(replicaName('10.0.0.5:8880 : 10.0.0.7:8880'), '10.0.0.7:8880');
    assert.equal(replicaName(''), undefined);
  });
});

describe('Fallback servers (kokoro.serverUrls)', function () {
  this.timeout(20_000);
  let gpu: StandinServer;
  let cpu: StandinServer;
  let server: ServerConnection;
  let states: ServerState[];
  let changes: Array<[string, number]>;

  function connect(fallbacks: string[] = [cpu.url]): ServerConnection {
    server = new ServerConnection(settingsFor(gpu.url, { fallbackUrls: fallbacks }));
    states = [];
    changes = [];
    server.on('state', (state) => states.push(state));
    server.on('serverChanged', (url, index) => changes.push([url, index]));
    return server;
  }

  beforeEach(async () => {
    gpu = await StandinServer.start({ label: 'GPU box' });
    cpu = await StandinServer.start({ label: 'CPU laptop' });
  });
  afterEach(async () => {
    await server?.dispose();
    await gpu.close();
    await cpu.close();
  });

  it('the first server down at start: the next one is warmed and used, and the state never says unreachable', async () => {
    await gpu.down();
    connect();
    assert.deepEqual(server.serverUrls, [gpu.url, cpu.url]);
    await server.warmUp();
    assert.equal(server.state, 'ready');
    assert.equal(server.client.url, cpu.url);
    assert.equal(server.serverIndex, 1);
    assert.deepEqual(changes, [[cpu.url, 1]]);
    assert.deepEqual(states, ['warming', 'ready']);
    assert.equal(cpu.speechRequests().length, 1, 'the fallback was warmed up');
    await server.client.speak('Read by the laptop.', params, () => undefined);
    assert.equal(cpu.speechRequests().length, 2);
  });

  it('back to the first server when it answers again, warmed first; a reading in flight on the fallback completes', async () => {
    await gpu.down();
    connect();
    await server.warmUp();
    assert.equal(server.client.url, cpu.url);
    cpu.setOptions({ rtf: 1, chunkMs: 100 });
    const text = 'A sentence that takes the laptop a while to say.';
    let bytes = 0;
    const reading = server.client.speak(text, params, (pcm) => (bytes += pcm.length));
    await cpu.waitFor(() => (cpu.speechRequests()[1]?.samplesSent ?? 0) > 0, 3000, 'the reading started');
    let warmedBeforeSwitch = false;
    server.once('serverChanged', () => (warmedBeforeSwitch = gpu.speechRequests().some((r) => r.completed)));
    await gpu.up();
    await gpu.waitFor(() => server.serverIndex === 0, 8000, 'switched back to the first server');
    assert.ok(warmedBeforeSwitch, 'the first server was warmed up before it was used again');
    assert.deepEqual(changes, [
      [cpu.url, 1],
      [gpu.url, 0],
    ]);
    assert.equal(server.client.url, gpu.url);
    assert.equal(cpu.speechRequests()[1].completed, false, 'the switch came while the reading was still going');
    await reading;
    assert.equal(bytes, samplesForText(text, 60) * 2, 'the reading on the fallback ended with all its audio');
    assert.ok(!states.includes('unreachable'), states.join(' → '));
    await server.client.speak('Read by the GPU again.', params, () => undefined);
    assert.equal(gpu.speechRequests().at(-1)!.completed, true);
  });

  it('none answering is unreachable; the first to answer again is used, and the preferred one once it is back', async () => {
    await gpu.down();
    await cpu.down();
    connect();
    await server.warmUp();
    assert.equal(server.state, 'unreachable');
    assert.equal(server.lastError?.kind, 'unreachable');
    assert.deepEqual(states, ['warming', 'unreachable']);
    await cpu.up();
    await cpu.waitFor(() => server.state === 'ready', 8000, 'ready on the fallback');
    assert.equal(server.client.url, cpu.url);
    await gpu.up();
    await gpu.waitFor(() => server.serverIndex === 0, 8000, 'back on the first server');
    assert.equal(server.state, 'ready');
  });

  it('a reading that finds the server gone moves to the next; a late failure from the old server moves nothing', async () => {
    connect();
    await server.warmUp();
    assert.equal(server.client.url, gpu.url);
    await gpu.down();
    const error = await server.client
      .speak('Hello.', params, () => undefined)
      .then(
        () => assert.fail('the GPU box is down'),
        (err: unknown) => err as KokoroError,
      );
    server.reportFailure(error);
    await cpu.waitFor(() => server.serverIndex === 1 && server.state === 'ready', 5000, 'moved to the fallback');
    assert.deepEqual(states, ['warming', 'ready', 'warming', 'ready']);
    server.reportFailure(new KokoroError('unreachable', 'a reading still on the GPU box'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.serverIndex, 1);
    assert.deepEqual(states, ['warming', 'ready', 'warming', 'ready'], 'the fallback answered its health check: no change');
  });

  it('new settings (a new pool) let a reading in flight on the old one end with all its audio', async () => {
    connect();
    await server.warmUp();
    gpu.setOptions({ rtf: 1, chunkMs: 100 });
    const text = 'A sentence that takes a while to say.';
    let bytes = 0;
    const old = server.client;
    const reading = old.speak(text, params, (pcm) => (bytes += pcm.length));
    await gpu.waitFor(() => (gpu.speechRequests().at(-1)?.samplesSent ?? 0) > 0, 3000, 'the reading started');
    server.update(settingsFor(gpu.url, { fallbackUrls: [cpu.url] }, 2));
    assert.notEqual(server.client, old, 'a new pool');
    await reading;
    assert.equal(bytes, samplesForText(text, 60) * 2);
    await rejectsWith(
      old.speak('Hello.', params, () => undefined),
      'aborted',
    );
  });

  it('a new voice is warmed up; a new speed is not (its synthesis would queue ahead of the reading going on at that speed)', async () => {
    connect([]);
    await server.warmUp();
    await gpu.waitFor(() => gpu.speechRequests().every((r) => r.completed), 3000, 'the warm-up to settle');
    const warmUps = () => gpu.speechRequests().filter((r) => (r.body as { input?: string }).input === 'Ready.').length;
    const before = warmUps();
    server.update(settingsFor(gpu.url, { fallbackUrls: [], speech: { ...params, speed: 1.5 } }));
    assert.equal(server.state, 'ready');
    server.update(settingsFor(gpu.url, { fallbackUrls: [], speech: { ...params, speed: 1.5, voice: 'bf_emma' } }));
    await gpu.waitFor(() => warmUps() > before, 3000, 'a warm-up synthesis in the new voice');
    assert.equal(warmUps(), before + 1, 'one synthesis per pooled connection, for the voice only');
    assert.equal((gpu.speechRequests().at(-1)?.body as { voice?: string }).voice, 'bf_emma');
  });

  it('a warm-up that fails with an unknown voice leaves the server ready with the error, until a reading succeeds', async () => {
    server = new ServerConnection(settingsFor(gpu.url, { speech: { ...params, voice: 'xx_nobody' } }));
    await server.warmUp();
    assert.equal(server.state, 'ready', 'it answers: not unreachable, so no fallback voice and no polling');
    assert.equal(server.lastError?.kind, 'badVoice');
    assert.match(server.lastError.message, /xx_nobody/);
    // The voice appears on the server (a new voice pack); the next reading works.
    await server.client.speak('Heard now.', params, () => undefined);
    server.reportSuccess();
    assert.equal(server.state, 'ready');
    assert.equal(server.lastError, undefined, 'the warm-up failure is no longer shown');
  });

  it('leaves out fallback URLs that cannot be used and repeats, and takes them as people type them', () => {
    const port = new URL(cpu.url).port;
    connect(['ftp://x', `${gpu.url}/`, `127.0.0.1:${port}`, cpu.url]);
    assert.deepEqual(server.serverUrls, [gpu.url, cpu.url]);
  });
});
