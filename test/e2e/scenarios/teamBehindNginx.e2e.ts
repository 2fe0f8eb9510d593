// The team setup in a real VS Code: kokoro.serverUrl is Debian's nginx running deploy/nginx/kokoro.conf in front
// of two stand-in replicas that block while they generate, as Kokoro-FastAPI does (the runner starts them).
// Warm-up reaches both replicas; Stop by its key reaches the replica; hedged requests cut a hung replica short; a
// replica killed in the middle of a reading started by its key does not end the reading; with no replica answering
// the status bar names the load balancer, and recovery needs no user.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../../src/extension';
import type { RecordedRequest } from '../../standin/server';
import * as driver from '../driver';
import { activateExtension, extensionLog, nextReading, openSample, waitUntil } from '../helpers';

type ReplicaState = { requests: RecordedRequest[] };
const REPLICAS = [0, 1];
const isSpeech = (r: RecordedRequest) => r.method === 'POST' && r.path === '/v1/audio/speech';
const inputOf = (r: RecordedRequest) => (r.body as { input?: string } | undefined)?.input;
/** The speech requests replica `index` has recorded. */
const speechOn = async (index: number) => ((await driver.replicaState(index)) as ReplicaState).requests.filter(isSpeech);
/** Each test starts from replicas with no requests recorded and their first options. */
const resetReplicas = async () => {
  for (const index of REPLICAS) await driver.replicaReset(index);
};

/** Waits until one of `replicas` has recorded a speech request that `matches`: which replica, which request. */
async function untilRequest(
  matches: (r: RecordedRequest) => boolean,
  timeoutMs: number,
  what: string,
  replicas = REPLICAS,
): Promise<{ index: number; request: RecordedRequest }> {
  let found: { index: number; request: RecordedRequest } | undefined;
  await waitUntil(
    async () => {
      for (const index of replicas) {
        const request = (await speechOn(index)).find(matches);
        if (request) found = { index, request };
      }
      return found !== undefined;
    },
    timeoutMs,
    what,
  );
  return found!;
}

/** Opens `text` in an editor, selects its first line and presses Ctrl+Alt+S, as a user does: the reading it starts. */
async function readFirstLineByKey(api: KokoroApi, name: string, text: string, timeoutMs: number) {
  const editor = await openSample(name, text);
  await driver.focusEditor();
  editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
  const reading = nextReading(api, timeoutMs);
  await driver.press('Control+Alt+S');
  return reading;
}

// Each sentence is four sentence groups for a replica (set to cut at 30 characters), so a replica streams it for a while.
const SENTENCES = Array.from({ length: 8 }, (_, i) => `Sentence ${i + 1} starts here; it goes on a while; then a bit more; and ends here.`);

describe('Team setup: nginx in front of two Kokoro replicas', function () {
  this.timeout(90_000);
  let api: KokoroApi;
  /** The replica killed mid-reading (it stays dead). */
  let victim: number | undefined;

  before(async () => {
    api = await activateExtension();
  });

  it('warm-up at start-up reaches both replicas behind nginx, and the status bar says ready', async () => {
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready');
    await waitUntil(async () => /2 distinct replica\(s\) answered/.test(await extensionLog(api)), 15_000, 'the warm-up log line');
    for (const index of REPLICAS)
      assert.ok(
        (await speechOn(index)).some((r) => inputOf(r) === 'Ready.'),
        `replica ${index + 1} got a warm-up synthesis`,
      );
    await waitUntil(() => driver.exists('[aria-label^="Kokoro: server ready"]'), 10_000, 'the status bar to say ready');
  });

  it('Stop by its key (Ctrl+Alt+X) reaches the replica through nginx: it finishes the group in hand and generates no more', async () => {
    await resetReplicas();
    // Each sentence four sentence groups of ~140 ms for a replica, so a reading keeps one generating for a while.
    for (const index of REPLICAS) await driver.replicaOptions(index, { groupChars: 30, rtf: 10 });
    const reading = readFirstLineByKey(api, 'stop.txt', `${SENTENCES.join(' ')}\n`, 60_000);
    // A whole sentence (of four groups) with one or two generated: two or more are still to come when Stop arrives.
    const seen = await untilRequest(
      (r) => SENTENCES.includes(inputOf(r) ?? '') && !r.completed && r.samplesSent > 0 && (r.groups ?? 0) >= 1 && (r.groups ?? 0) <= 2,
      30_000,
      'a replica generating a sentence of the reading',
    );
    await driver.press('Control+Alt+X');
    const result = await reading;
    assert.equal(result.outcome, 'stopped');
    const { request: stopped } = await untilRequest(
      (r) => r.id === seen.request.id && (r.clientDisconnected || r.completed),
      10_000,
      'the replica to notice the Stop',
      [seen.index],
    );
    assert.ok(stopped.clientDisconnected && !stopped.completed, 'the replica saw the disconnect before it had generated the whole request');
    assert.ok((stopped.groupsAfterDisconnect ?? 0) <= 1, `groups generated after the disconnect: ${stopped.groupsAfterDisconnect}`);
    // Nothing left generating on either replica once the Stop is through.
    await waitUntil(
      async () => (await Promise.all(REPLICAS.map(speechOn))).flat().every((r) => r.completed || r.clientDisconnected),
      10_000,
      'no replica still generating after Stop',
    );
    assert.equal(await driver.exists('[aria-label^="Kokoro: server ready"]'), true, 'the status bar says ready');
  });

  it('a hung replica (takes requests, never answers): readings by key press are heard, hedged, far below the 15 s first-byte timeout', async () => {
    await resetReplicas();
    await driver.replicaOptions(0, { fault: 'never-answer' });
    const { client } = api.session.server;
    const wonBefore = client.hedgesWon;
    const firstAudio: number[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const result = await readFirstLineByKey(api, `hung-${i + 1}.txt`, `Line ${i + 1} is short.\n`, 30_000);
        assert.equal(result.outcome, 'completed', result.error?.message);
        firstAudio.push(result.firstAudioMs!);
      }
      const taken = await speechOn(0);
      console.log(
        `E2E HUNG REPLICA behind nginx: first audio ${firstAudio.map((ms) => ms.toFixed(0)).join(', ')} ms; ${taken.length} of 4 requests taken by the hung replica, each answered by its hedge`,
      );
      assert.ok(taken.length >= 1, 'nginx sent readings to the hung replica too (least_conn takes turns)');
      assert.equal(client.hedgesWon - wonBefore, taken.length, 'each request the hung replica took was answered by its hedge');
      await waitUntil(
        async () => (await speechOn(0)).every((r) => r.clientDisconnected),
        10_000,
        'the hung requests given up at once (nginx closes them on the client abort)',
      );
      assert.ok(
        Math.max(...firstAudio) < 5_000,
        `first audio ${firstAudio.map((ms) => ms.toFixed(0)).join(', ')} ms: far below the 15 s timeout`,
      );
      assert.deepEqual(
        (await driver.notifications()).filter((m) => /Kokoro/.test(m)),
        [],
        'no message: every reading was heard',
      );
    } finally {
      await driver.replicaOptions(0, { fault: 'none' });
    }
  });

  it('a replica killed in the middle of a reading started by Ctrl+Alt+S: the reading goes on from the next sentence, heard to the end, no message', async () => {
    await resetReplicas();
    for (const index of REPLICAS) await driver.replicaOptions(index, { groupChars: 30 });
    const reading = readFirstLineByKey(api, 'team.txt', `${SENTENCES.join(' ')}\n`, 60_000);
    // The replica streaming the reading's third sentence (or a later one) is killed.
    ({ index: victim } = await untilRequest(
      (r) => !r.completed && r.samplesSent > 0 && SENTENCES.indexOf(inputOf(r) ?? '') >= 2,
      30_000,
      'a replica streaming the third sentence or a later one',
    ));
    await driver.killReplica(victim);
    const result = await reading;
    assert.equal(result.outcome, 'completed', result.error?.message);
    assert.equal(result.chunks.join(' '), SENTENCES.join(' '), 'every sentence was read');
    assert.match(await extensionLog(api), /broke in the middle of the reading .* goes on from the next sentence/);
    const asked = (await speechOn(1 - victim)).map(inputOf);
    assert.equal(new Set(asked).size, asked.length, `the other replica was asked for no sentence twice: ${JSON.stringify(asked)}`);
    assert.deepEqual(
      (await driver.notifications()).filter((m) => /Kokoro/.test(m)),
      [],
      'no message: the reading went on',
    );
    assert.equal(api.session.server.state, 'ready');
  });

  it('no replica answering: Read is heard in the fallback voice, the status bar says so and the message names the load balancer; when one is back, ready again by itself', async () => {
    const alive = REPLICAS.filter((index) => index !== victim);
    for (const index of alive) await driver.replicaDown(index);
    const result = await readFirstLineByKey(api, 'down.txt', 'Nobody answers behind the balancer.\n', 60_000);
    assert.equal(result.outcome, 'completed', 'heard in the fallback voice');
    assert.equal(api.session.server.state, 'unreachable');
    assert.match(api.session.server.lastError?.message ?? '', /proxy or load balancer/);
    await vscode.commands.executeCommand('notifications.showList');
    await waitUntil(
      async () => (await driver.notifications()).some((m) => /proxy or load balancer/.test(m)),
      10_000,
      'the message naming the load balancer',
    ).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; notifications: ${JSON.stringify(await driver.notifications())}`);
    });
    await waitUntil(() => driver.exists('[aria-label^="Kokoro: server unreachable"]'), 10_000, 'the status bar to say unreachable');
    for (const index of alive) await driver.replicaUp(index);
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'recovery through nginx, with no user action');
  });
});
