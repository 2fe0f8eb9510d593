// The team setup of deploy/: the system's nginx with deploy/nginx/kokoro.conf in front of two replicas (stand-ins
// in blocking mode, each in its own process, as Kokoro-FastAPI blocks while it generates), driven by the
// extension's own client, server connection and reader. Skipped when nginx is not installed (CI installs it:
// scripts/e2e/system.sh).

import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { KokoroClient, type KokoroClientOptions, type SpeechParams } from '../../src/kokoro/client';
import { ServerConnection, type ServerSettings } from '../../src/kokoro/connection';
import { type KokoroError } from '../../src/kokoro/errors';
import { type AudioSink, Reader } from '../../src/speech/reader';
import { TeamSetup, findNginx } from '../nginx/teamSetup';
import { type StandinProcess, type StandinState } from '../standin/process';
import { type RecordedRequest, sentenceGroups } from '../standin/server';

const params: SpeechParams = { model: 'kokoro', voice: 'af_heart', speed: 1 };

/** The extension's default timeouts (package.json), a pool of two. */
function settings(url: string): ServerSettings {
  const client: KokoroClientOptions = {
    serverUrl: url,
    connections: 2,
    healthTimeoutMs: 500,
    firstByteTimeoutMs: 15_000,
    streamTimeoutMs: 10_000,
  };
  return { client, speech: params, warmUp: true, keepWarmMs: 0 };
}

/** A player that takes all the audio at once, so each reading keeps a replica generating. */
const greedySink: AudioSink = {
  begin() {},
  segment() {},
  audio() {},
  end() {},
  abort() {},
  room: () => Promise.resolve(),
};

const isSpeech = (r: RecordedRequest) => r.method === 'POST' && r.path === '/v1/audio/speech';
const inputOf = (r: RecordedRequest) => (r.body as { input: string }).input;
/** When the replica received the request, on this process's clock (performance.now()). */
const receivedAt = (state: StandinState, r: RecordedRequest) => state.timeOrigin + r.receivedAt - performance.timeOrigin;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A speech request a replica is streaming right now, with at least `groupsLeft` sentence groups still to generate. */
async function streaming(
  team: TeamSetup,
  groupsLeft: number,
): Promise<{ replica: StandinProcess; state: StandinState; request: RecordedRequest }> {
  return until('a replica streaming a request', 10_000, async () => {
    for (const replica of team.replicas) {
      const state = await replica.state();
      const request = state.requests.find(
        (r) =>
          isSpeech(r) &&
          r.status === 200 &&
          !r.completed &&
          r.samplesSent > 0 &&
          (r.groups ?? 0) + groupsLeft <= sentenceGroups(inputOf(r), state.options.groupChars).length,
      );
      if (request) return { replica, state, request };
    }
    return undefined;
  });
}

describe('Team setup: nginx (deploy/nginx/kokoro.conf) in front of two Kokoro replicas', function () {
  this.timeout(30_000);
  let team: TeamSetup;

  before(function () {
    if (!findNginx()) {
      console.warn(
        `    nginx not found (${process.env.NGINX ? `NGINX=${process.env.NGINX}` : 'not on PATH nor in /usr/sbin; NGINX=/path/to/nginx picks one'}): ` +
          'skipping the team setup tests. Install it with: sudo bash scripts/e2e/install-system.sh',
      );
      this.skip();
    }
  });
  beforeEach(async () => {
    // 3 ms of generation per character and 20 ms per sentence group: a sentence of 40 characters blocks its replica 140 ms.
    team = await TeamSetup.start({ replicas: 2, standin: { rtf: 20, startCostMs: 20 } });
  });
  afterEach(async () => team?.stop());

  it('answers through nginx, naming the replica in X-Kokoro-Replica: both replicas, one after the other', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${team.url}/health`);
      assert.equal(res.status, 200);
      await res.text();
      seen.push(res.headers.get('x-kokoro-replica') ?? 'none');
    }
    const speech = await fetch(`${team.url}/v1/audio/speech`, {
      method: 'POST',
      body: JSON.stringify({ input: 'Hello there.', response_format: 'pcm' }),
    });
    assert.equal(speech.status, 200);
    assert.ok((await speech.arrayBuffer()).byteLength > 0);
    seen.push(speech.headers.get('x-kokoro-replica') ?? 'none');
    assert.deepEqual(new Set(seen), new Set(team.replicas.map((r) => team.address(r))), `headers seen: ${seen.join(', ')}`);
  });

  it('warm-up reaches both replicas: one synthesis per pooled connection, sent at once, and both replicas named', async () => {
    const server = new ServerConnection(settings(team.url));
    try {
      const warmed = new Promise<string[] | undefined>((resolve) => server.once('warmedUp', (r) => resolve(r.replicas)));
      await server.warmUp();
      assert.equal(server.state, 'ready', server.lastError?.message);
      const replicas = await warmed;
      assert.deepEqual(replicas, team.replicas.map((r) => team.address(r)).sort(), 'both replicas answered a warm-up synthesis');
      for (const replica of team.replicas) {
        const syntheses = (await replica.state()).requests.filter(isSpeech);
        assert.equal(syntheses.length, 1, `${team.address(replica)}: one warm-up synthesis`);
      }
    } finally {
      await server.dispose();
    }
  });

  it('streams readings through nginx; concurrent readings go to different replicas (least_conn), never two on one', async () => {
    const alice = new ServerConnection(settings(team.url));
    const bob = new ServerConnection(settings(team.url));
    try {
      await Promise.all([alice.warmUp(), bob.warmUp()]);
      assert.equal(alice.state, 'ready', alice.lastError?.message);
      assert.equal(bob.state, 'ready', bob.lastError?.message);
      await Promise.all(team.replicas.map((r) => r.reset()));
      // Alice's requests are long (a few sentences each), Bob's short (one sentence each): taking turns
      // (round robin), Bob's would land on the replica busy with Alice's.
      const long = { chunks: { firstChunkMaxChars: 240, maxChunkChars: 240 } };
      const [a, b] = await Promise.all([
        new Reader(() => alice.client, greedySink, undefined, long).read({
          text: Array.from({ length: 12 }, (_, i) => `Alice reads sentence number ${i + 1} of her text.`).join(' '),
          params,
        }),
        new Reader(() => bob.client, greedySink).read({
          text: Array.from({ length: 8 }, (_, i) => `Bob reads line ${i + 1}.`).join(' '),
          params,
          sentences: true,
        }),
      ]);
      assert.equal(a.outcome, 'completed', a.error?.message);
      assert.equal(b.outcome, 'completed', b.error?.message);
      assert.ok(a.samples > 0 && b.samples > 0, 'both readings were heard');

      const states = await Promise.all(team.replicas.map((r) => r.state()));
      const served = states.map((s) => s.requests.filter(isSpeech));
      assert.ok(
        served.every((requests) => requests.length > 0),
        `both replicas served speech: ${served.map((r) => r.length).join(' + ')}\n${team.logs()}`,
      );
      for (const [i, requests] of served.entries()) {
        const inOrder = [...requests].sort((x, y) => x.receivedAt - y.receivedAt);
        for (let k = 1; k < inOrder.length; k++)
          assert.ok(
            inOrder[k].receivedAt >= inOrder[k - 1].endedAt!,
            `replica ${i + 1} got "${inputOf(inOrder[k])}" while still generating "${inputOf(inOrder[k - 1])}"\n${team.logs()}`,
          );
      }
      const asked = served.flat().map(inputOf).sort();
      assert.deepEqual(asked, [...a.chunks, ...b.chunks].sort(), 'every chunk asked once, no other request');
    } finally {
      await Promise.all([alice.dispose(), bob.dispose()]);
    }
  });

  it('Stop reaches the replica through nginx: it sees the disconnect after the group in hand and generates no more', async () => {
    const server = new ServerConnection(settings(team.url));
    try {
      await server.warmUp();
      assert.equal(server.state, 'ready', server.lastError?.message);
      // Requests of several sentences, each sentence a group of ~260 ms for the replica: it notices a Stop between two.
      await Promise.all(team.replicas.map((r) => r.setOptions({ groupChars: 60, rtf: 10 })));
      const reader = new Reader(() => server.client, greedySink, undefined, { chunks: { firstChunkMaxChars: 480, maxChunkChars: 480 } });
      const text = Array.from({ length: 20 }, (_, i) => `This is sentence ${i + 1}, to keep on reading.`).join(' ');
      const reading = reader.read({ text, params });
      // Seen between two groups: the replica is now generating the next one.
      const { replica, request: seen } = await streaming(team, 2);
      const stoppedAt = performance.now();
      reader.stop();
      assert.equal((await reading).outcome, 'stopped');

      const { state, stopped } = await until('the replica noticing the Stop', 3_000, async () => {
        const state = await replica.state();
        const stopped = state.requests.find((r) => r.id === seen.id && r.clientDisconnected);
        return stopped ? { state, stopped } : undefined;
      });
      const noticedMs = state.timeOrigin + stopped.endedAt! - (performance.timeOrigin + stoppedAt);
      assert.equal(
        stopped.groups! - seen.groups!,
        1,
        `the group in hand was finished, and no other (${stopped.groups! - seen.groups!} groups after Stop, which it noticed ${Math.round(noticedMs)} ms after)`,
      );
      assert.ok(stopped.groupsAfterDisconnect! <= 1, `groups generated after the disconnect: ${stopped.groupsAfterDisconnect}`);
      const groups = sentenceGroups(inputOf(stopped), 60).length;
      assert.ok(stopped.groups! < groups, `${stopped.groups} of ${groups} groups generated: the rest was never generated`);
      const after = (await Promise.all(team.replicas.map((r) => r.state()))).flatMap((s) =>
        s.requests.filter((r) => isSpeech(r) && receivedAt(s, r) > stoppedAt),
      );
      assert.deepEqual(after.map(inputOf), [], 'nothing asked after Stop');
    } finally {
      await server.dispose();
    }
  });

  it('all replicas down: nginx answers 502, the server is unreachable (named a proxy), polled, and re-warmed when one returns', async () => {
    await Promise.all(team.replicas.map((r) => r.down()));
    const server = new ServerConnection(settings(team.url));
    let warmUps = 0;
    server.on('warmedUp', () => warmUps++);
    try {
      await server.warmUp();
      assert.equal(server.state, 'unreachable', 'a 502 from nginx is not a server that answered');
      assert.match(server.lastError!.message, /behind the proxy or load balancer at http:\/\/127\.0\.0\.1:\d+ \(HTTP 502\)/);
      const page = await fetch(`${team.url}/health`);
      await page.text();
      assert.equal(page.status, 502);
      assert.ok(page.headers.get('x-kokoro-replica'), 'X-Kokoro-Replica is on errors too');
      const healthChecks = () => team.accessLog().filter((line) => / GET \/health /.test(line)).length;
      const checksBefore = healthChecks();
      await until('a health check polled through nginx', 5_000, () => (healthChecks() > checksBefore ? true : undefined));
      assert.equal(server.state, 'unreachable');

      const [back] = team.replicas;
      await back.up();
      await until('recovery through nginx', 15_000, () => (server.state === 'ready' ? true : undefined));
      assert.equal(warmUps, 1, 'warmed up when the replica came back');
      const { requests } = await back.state();
      assert.ok(requests.some(isSpeech), `the replica that came back was warmed up\n${team.logs()}`);
    } finally {
      await server.dispose();
    }
  });

  it('a replica killed in the middle of a reading: the reading goes on from the next sentence on the other replica, nothing twice', async () => {
    const server = new ServerConnection(settings(team.url));
    try {
      await server.warmUp();
      assert.equal(server.state, 'ready', server.lastError?.message);
      await Promise.all(team.replicas.map((r) => r.reset()));
      // Each sentence is four groups for the replica (it splits at semicolons), one request for the reader (which may
      // cut the first one at a clause, for fast first audio).
      await Promise.all(team.replicas.map((r) => r.setOptions({ groupChars: 30 })));
      const sentences = Array.from(
        { length: 6 },
        (_, i) => `Sentence ${i + 1} starts here; it goes on a while; then a bit more; and ends here.`,
      );
      const broke: KokoroError[] = [];
      const reading = new Reader(() => server.client, greedySink).read({
        text: sentences.join(' '),
        params,
        sentences: true,
        onResumedAfterBreak: (error) => broke.push(error),
      });
      const { replica: victim, state: lastState, request: cut } = await streaming(team, 2);
      await victim.kill();
      const result = await reading;
      assert.equal(result.outcome, 'completed', result.error?.message);
      assert.deepEqual(
        broke.map((e) => e.kind),
        ['truncated'],
        'the broken stream was gone on from, once',
      );

      const survivor = team.replicas.find((r) => r !== victim)!;
      const survivorState = await survivor.state();
      const timeline = [
        ...lastState.requests.filter(isSpeech).map((r) => ({ at: receivedAt(lastState, r), input: inputOf(r), on: 'killed' })),
        ...survivorState.requests.filter(isSpeech).map((r) => ({ at: receivedAt(survivorState, r), input: inputOf(r), on: 'other' })),
      ].sort((x, y) => x.at - y.at);
      assert.equal(result.chunks.join(' '), sentences.join(' '), 'the whole text was read');
      assert.deepEqual(
        timeline.map((t) => t.input),
        result.chunks,
        'every chunk (a sentence, or the first part of the first one) asked once, in order',
      );
      const cutAt = result.chunks.indexOf(inputOf(cut));
      assert.ok(cutAt >= 0 && cutAt < result.chunks.length - 1, 'cut before the last chunk');
      assert.equal(timeline[cutAt + 1].on, 'other', `the next sentence came from the other replica\n${team.logs()}`);
    } finally {
      await server.dispose();
    }
  });

  it('a hung replica (takes requests, never answers): hedged requests keep every reading far from the 15 s timeout', async () => {
    const server = new ServerConnection(settings(team.url));
    try {
      await server.warmUp();
      assert.equal(server.state, 'ready', server.lastError?.message);
      await Promise.all(team.replicas.map((r) => r.reset()));
      const [hung] = team.replicas;
      await hung.setOptions({ fault: 'never-answer' });
      const firstAudio: number[] = [];
      for (let i = 0; i < 4; i++) {
        const result = await new Reader(() => server.client, greedySink).read({ text: `Line ${i + 1} is short.`, params });
        assert.equal(result.outcome, 'completed', result.error?.message);
        firstAudio.push(result.firstAudioMs!);
      }
      const { client } = server;
      const taken = (await hung.state()).requests.filter(isSpeech);
      assert.ok(taken.length >= 1, `nginx sent readings to the hung replica too (least_conn takes turns)\n${team.logs()}`);
      assert.equal(client.hedgesWon, taken.length, 'each request the hung replica took was answered by its hedge');
      assert.ok(
        taken.every((r) => r.clientDisconnected),
        'the hung requests were given up at once (nginx closed them on the client abort)',
      );
      assert.ok(
        Math.max(...firstAudio) < 5_000,
        `first audio ${firstAudio.map((ms) => ms.toFixed(0)).join(', ')} ms: far below the 15 s timeout`,
      );
    } finally {
      await server.dispose();
    }
  });

  it('a replica closing a kept-alive connection as a request arrives on it: nginx asks the other, the reading never notices', async () => {
    const server = new ServerConnection(settings(team.url));
    try {
      await server.warmUp();
      assert.equal(server.state, 'ready', server.lastError?.message);
      await Promise.all(team.replicas.map((r) => r.reset()));
      const [dropping, other] = team.replicas;
      // uvicorn closes an idle connection after 5 s: a request sent at that instant is lost without an answer.
      await dropping.setOptions({ fault: 'drop-reused', faultTimes: 1 });
      const sentences = Array.from({ length: 6 }, (_, i) => `Here is sentence number ${i + 1}.`);
      const broke: KokoroError[] = [];
      const result = await new Reader(() => server.client, greedySink).read({
        text: sentences.join(' '),
        params,
        sentences: true,
        onResumedAfterBreak: (error) => broke.push(error),
      });
      assert.equal(result.outcome, 'completed', result.error?.message);
      assert.deepEqual(broke, [], 'no break for the reading to go on from');
      const dropped = (await dropping.state()).requests.find((r) => isSpeech(r) && r.status === undefined);
      assert.ok(dropped, `a request was dropped (so this test exercised it)\n${team.logs()}`);
      const answered = (await other.state()).requests.filter(isSpeech).map(inputOf);
      assert.ok(answered.includes(inputOf(dropped)), `the other replica answered "${inputOf(dropped)}"\n${team.logs()}`);
      assert.deepEqual(result.chunks, sentences);
    } finally {
      await server.dispose();
    }
  });

  it('reuses its connections to the replicas, and closes idle ones before uvicorn would (5 s)', async () => {
    // The replicas keep idle connections a minute here: only nginx can close them.
    await Promise.all(team.replicas.map((r) => r.setOptions({ keepAliveTimeoutMs: 60_000 })));
    const client = new KokoroClient({ ...settings(team.url).client, connections: 1 });
    try {
      for (let i = 0; i < 10; i++) await client.speak(`Request number ${i + 1}.`, params, () => undefined);
      const lastEnded = performance.now();
      const states = await Promise.all(team.replicas.map((r) => r.state()));
      const opened = states.reduce((n, s) => n + s.connectionsOpened, 0);
      assert.ok(opened <= team.replicas.length, `${opened} connections opened to the replicas for 10 requests\n${team.logs()}`);
      assert.equal(client.connectionsOpened, 1, 'one connection from the client to nginx');

      await until('nginx closing its idle connections to the replicas', 6_000, async () => {
        const open = await Promise.all(team.replicas.map(async (r) => (await r.state()).connectionsOpen));
        return open.every((n) => n === 0) ? true : undefined;
      });
      const idleMs = performance.now() - lastEnded;
      assert.ok(idleMs < 5_000, `closed after ${Math.round(idleMs)} ms idle: before uvicorn's 5 s`);
      await client.speak('One more after the pause.', params, () => undefined);
    } finally {
      await client.close();
    }
  });
});
