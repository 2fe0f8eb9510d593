import * as assert from 'node:assert/strict';
import { Playback, type PlaybackPlayer, type ReadingSource } from '../../src/speech/playback';
import type { FirstAudioMarks, ReadingRequest, ReadingResult } from '../../src/speech/reader';
import type { ClockEstimate, Waterfall } from '../../src/stats/waterfall';

/** A reader whose readings end when the test says so. */
class FakeReader implements ReadingSource {
  private nextId = 1;
  currentId: number | undefined;
  private finish: ((r: ReadingResult) => void) | undefined;
  continued: Array<[number, number]> = [];
  get reading(): boolean {
    return this.currentId !== undefined;
  }
  private request: ReadingRequest | undefined;
  read(request: ReadingRequest): Promise<ReadingResult> {
    this.stop();
    const id = this.nextId++;
    this.currentId = id;
    this.request = request;
    return new Promise((resolve) => (this.finish = resolve));
  }
  /** The current reading's first audio reaches the player. */
  firstAudio(marks: FirstAudioMarks): void {
    this.request?.onFirstAudio?.(marks);
  }
  /** Ends the current reading's fetching with `outcome`. */
  end(outcome: ReadingResult['outcome'] = 'completed', samples = 24_000): number {
    const id = this.currentId!;
    this.currentId = undefined;
    this.finish?.({ id, outcome, samples, sampleRate: 24_000, requests: 1, chunks: [], cachedChunks: 0, adoptedChunks: 0 });
    return id;
  }
  stop(): boolean {
    if (this.currentId === undefined) return false;
    this.end('stopped');
    return true;
  }
  continuation(readingId: number, samplesPlayed: number): ReadingRequest | undefined {
    this.continued.push([readingId, samplesPlayed]);
    return { text: 'the rest', params: { model: 'kokoro', voice: 'af_heart', speed: 1 } };
  }
  continuedAt: Array<[number, number]> = [];
  continuationAt(readingId: number, segment: number): ReadingRequest | undefined {
    this.continuedAt.push([readingId, segment]);
    return segment < 5
      ? { text: `from ${segment}`, params: { model: 'kokoro', voice: 'af_heart', speed: 1 }, firstSegment: segment }
      : undefined;
  }
}

function setup() {
  const reader = new FakeReader();
  const calls: string[] = [];
  const player: PlaybackPlayer & { postedAt?: number; clock?: ClockEstimate } = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    abort: (id) => calls.push(`abort ${id}`),
    playedSamples: () => 4800,
    firstPostedAt: () => player.postedAt,
    clock: undefined,
  };
  const waterfalls: Waterfall[] = [];
  let t = 1000;
  const playback = new Playback(reader, player, { changed: () => undefined, audioPlaying: (w) => waterfalls.push(w) }, () => t);
  return { reader, player, calls, waterfalls, playback, advance: (ms: number) => (t += ms), at: () => t };
}

const request: ReadingRequest = { text: 'Hello.', params: { model: 'kokoro', voice: 'af_heart', speed: 1 } };

describe('Playback (the state machine between reader and player)', () => {
  it('a reading is read until the player says it ended, not when its audio is fetched', async () => {
    const { reader, playback } = setup();
    const done = playback.play(request);
    assert.equal(playback.reading, true);
    const id = reader.end();
    assert.equal((await done).outcome, 'completed');
    assert.equal(playback.reading, true, 'still being heard');
    playback.playerEnded(id);
    assert.equal(playback.reading, false);
  });

  it("gives each command's reading its waterfall, from the command's start to the player's report; announcements are not timed", async () => {
    const { reader, player, playback, waterfalls, advance, at } = setup();
    const commandAt = at();
    advance(5);
    const done = playback.play(request, { commandStartedAt: commandAt });
    reader.firstAudio({ startedAt: 1005, preparedAt: 1006, sentAt: 1007, headersAt: 1027, firstByteAt: 1028, deliveredAt: 1029 });
    player.postedAt = 1030;
    player.clock = { offsetMs: 500, uncertaintyMs: 0.5 }; // the webview's clock is 500 ms ahead
    advance(45);
    playback.playerStarted(reader.currentId!, { receivedAt: 1535, scheduledAt: 1537, audibleAt: 1545 });
    assert.equal(waterfalls.length, 1);
    const [w] = waterfalls;
    assert.deepEqual(w.stages, {
      prepare: 6,
      send: 1,
      server: 20,
      firstByte: 1,
      decode: 1,
      post: 1,
      toWebview: 5,
      schedule: 2,
      output: 8,
      report: 5,
    });
    assert.equal(w.audibleMs, 45);
    assert.equal(w.totalMs, 50);
    playback.playerEnded(reader.end());
    await done;
    const announced = playback.play(request, { announcement: true });
    reader.firstAudio({ startedAt: 1050, preparedAt: 1050, deliveredAt: 1051 });
    playback.playerStarted(reader.currentId!, { receivedAt: 1555, scheduledAt: 1556, audibleAt: 1560 });
    assert.equal(waterfalls.length, 1, 'an announcement is not a command');
    reader.end();
    await announced;
  });

  it('a reading that produced no audio is over at once; one that failed after some audio plays it out', async () => {
    const { reader, playback } = setup();
    const empty = playback.play(request);
    reader.end('empty', 0);
    await empty;
    assert.equal(playback.reading, false);
    const failed = playback.play(request);
    const id = reader.end('failed', 24_000);
    await failed;
    assert.equal(playback.reading, true, 'what arrived is still heard');
    playback.playerEnded(id);
    assert.equal(playback.reading, false);
  });

  it("an announcement waits for the user's reading and starts when it ends; a newer one replaces it; a new user reading drops it", async () => {
    const { reader, playback } = setup();
    const said: string[] = [];
    const user = playback.play(request);
    assert.equal(
      playback.announce(() => said.push('first')),
      false,
    );
    assert.equal(
      playback.announce(() => said.push('second')),
      false,
    );
    const id = reader.end();
    await user;
    playback.playerEnded(id);
    assert.deepEqual(said, ['second']);

    const again = playback.play(request);
    playback.announce(() => said.push('dropped'));
    const other = playback.play(request); // the user reads something else
    reader.end();
    await again;
    const id2 = reader.end();
    await other;
    playback.playerEnded(id2);
    assert.deepEqual(said, ['second'], "the user's new reading dropped the waiting announcement");
  });

  it("an announcement replaces an announcement being heard, never the user's reading", async () => {
    const { reader, playback } = setup();
    const first = playback.play(request, { announcement: true });
    let started = false;
    assert.equal(
      playback.announce(() => (started = true)),
      true,
    );
    assert.equal(started, true);
    assert.equal(playback.playingAnnouncement, true);
    reader.end();
    await first;
  });

  it('pause is undone by a new reading and by stop; stop silences a reading whose audio is all fetched', async () => {
    const { reader, playback, calls } = setup();
    const done = playback.play(request);
    playback.togglePause();
    assert.equal(playback.paused, true);
    const id = reader.end();
    await done;
    assert.equal(playback.stop(), true);
    assert.equal(playback.paused, false);
    assert.deepEqual(calls, ['pause', `abort ${id}`, 'resume']);
    assert.equal(playback.reading, false);
    assert.equal(playback.stop(), false, 'nothing left to stop');
    playback.togglePause();
    assert.equal(playback.paused, false, 'nothing to pause');
  });

  it('goes on from the playhead of the reading being heard (or of a given one)', async () => {
    const { reader, playback } = setup();
    assert.equal(playback.continuation(), undefined, 'nothing is heard');
    const done = playback.play(request);
    const id = reader.currentId!;
    assert.equal(playback.continuation()?.text, 'the rest');
    assert.deepEqual(reader.continued, [[id, 4800]]);
    reader.end();
    await done;
  });
});

describe('Playback: the sentence heard', () => {
  it('follows the sentence the player reports heard, and goes to another one from it', async () => {
    const { reader, playback } = setup();
    const heard: Array<[number, number]> = [];
    const started: number[] = [];
    let silent = 0;
    const events = { changed: () => undefined, audioPlaying: () => undefined };
    const followed = new Playback(
      reader,
      { pause() {}, resume() {}, abort() {}, playedSamples: () => 0, firstPostedAt: () => undefined, clock: undefined },
      {
        ...events,
        readingStarted: (id) => started.push(id),
        heard: (id, segment) => heard.push([id, segment]),
        silent: () => silent++,
      },
    );
    assert.equal(playback.currentSegment, undefined, 'nothing is read');
    void followed.play({ ...request, firstSegment: 2 });
    const id = reader.currentId!;
    assert.deepEqual(started, [id]);
    assert.equal(followed.currentSegment, 2, "before the player reports, the reading's first sentence");
    followed.playerHeard(id, 3);
    followed.playerHeard(id + 7, 9); // another reading's report is ignored
    assert.equal(followed.currentSegment, 3);
    assert.deepEqual(heard, [[id, 3]]);
    const next = followed.continuationAt(followed.currentSegment! + 1)!;
    assert.equal(next.firstSegment, 4);
    assert.deepEqual(reader.continuedAt, [[id, 4]]);
    assert.equal(followed.continuationAt(-1), undefined);
    void followed.play(next);
    assert.equal(followed.currentSegment, 4);
    assert.equal(silent, 0, 'moving on is not silence');
    followed.stop();
    assert.equal(silent, 1);
    assert.equal(followed.currentSegment, undefined);
  });
});
