import * as assert from 'node:assert/strict';
import type { SpeechParams } from '../../src/kokoro/client';
import type { ServerState } from '../../src/kokoro/connection';
import { KokoroError } from '../../src/kokoro/errors';
import { Playback, type PlaybackPlayer, type ReadingSource } from '../../src/speech/playback';
import type { ReadingRequest, ReadingResult, SpeechEngine } from '../../src/speech/reader';
import { Readings, type ReadingsHost, type ReadingsServer } from '../../src/speech/readings';

const params: SpeechParams = { model: 'kokoro', voice: 'af_heart', speed: 1 };

/** A reader whose readings end as the test says; it remembers what it was asked to read. */
class FakeReader implements ReadingSource {
  private nextId = 1;
  currentId: number | undefined;
  readonly requests: ReadingRequest[] = [];
  private finish: ((r: ReadingResult) => void) | undefined;
  readonly continuedFrom: Array<[number, number]> = [];
  /** How many sentences each reading's text has. */
  sentences = 3;
  get reading(): boolean {
    return this.currentId !== undefined;
  }
  read(request: ReadingRequest): Promise<ReadingResult> {
    this.stop();
    this.currentId = this.nextId++;
    this.requests.push(request);
    return new Promise((resolve) => (this.finish = resolve));
  }
  /** Ends the reading being fetched: `samples` of audio reached the player before `error`, if any. */
  end(outcome: ReadingResult['outcome'], samples: number, error?: KokoroError): number {
    const id = this.currentId!;
    this.currentId = undefined;
    this.finish?.({ id, outcome, error, samples, sampleRate: 24_000, requests: 1, chunks: [], cachedChunks: 0, adoptedChunks: 0 });
    return id;
  }
  stop(): boolean {
    if (this.currentId === undefined) return false;
    this.end('stopped', 0);
    return true;
  }
  continuation(readingId: number, samplesPlayed: number): ReadingRequest | undefined {
    this.continuedFrom.push([readingId, samplesPlayed]);
    return { text: `reading ${readingId} after ${samplesPlayed} samples`, params };
  }
  continuationAt(readingId: number, segment: number): ReadingRequest | undefined {
    return segment < this.sentences ? { text: `reading ${readingId} from ${segment}`, params, firstSegment: segment } : undefined;
  }
}

const espeak: SpeechEngine = { speak: () => Promise.reject(new Error('not called: the fake reader reads nothing')) };

function setup(state: ServerState = 'ready', fallback: SpeechEngine | 'none' = espeak) {
  const reader = new FakeReader();
  const player: PlaybackPlayer = {
    pause: () => undefined,
    resume: () => undefined,
    abort: () => undefined,
    playedSamples: () => 4800,
    firstPostedAt: () => undefined,
    clock: undefined,
  };
  const playback = new Playback(reader, player, { changed: () => undefined, audioPlaying: () => undefined });
  const said: string[] = [];
  const errors: Array<{ kind: string; retry: boolean }> = [];
  const server: ReadingsServer & { state: ServerState; lastError: KokoroError | undefined } = {
    state,
    lastError: state === 'unreachable' ? new KokoroError('unreachable', 'The server is not answering.') : undefined,
    speech: params,
    reportFailure: (error) => said.push(`server failed: ${error.kind}`),
    reportSuccess: () => said.push('server worked'),
  };
  const finished: Array<{ result: ReadingResult; request: ReadingRequest }> = [];
  const host: ReadingsHost = {
    fallbackEngine: () => (fallback === 'none' ? undefined : fallback),
    noFallbackVoice: () => said.push('no fallback voice'),
    showError: (error, retry) => errors.push({ kind: error.kind, retry: retry !== undefined }),
    inform: (message) => said.push(message),
    sentenceMoved: () => said.push('moved'),
    log: { info: () => undefined, warn: () => undefined },
    finished: (result, request) => finished.push({ result, request }),
  };
  const readings = new Readings(playback, server, host, () => 5000);
  return { reader, playback, server, readings, said, errors, finished };
}

/** Lets the readings' awaits run, so a fallback reading has started. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const retryOf = () => () => undefined;

describe('Readings (what happens to a reading when the server fails)', () => {
  it('reads in the fallback voice at once when the server is known to be down, untimed, telling the user once why', async () => {
    const { reader, readings, errors } = setup('unreachable');
    const done = readings.run({ text: 'Hello.', params }, { commandStartedAt: 1000 }, retryOf);
    assert.equal(reader.requests[0].engine, espeak, 'the fallback voice reads, not the server');
    assert.equal(reader.requests[0].words, false, 'a fallback voice times no words');
    assert.equal(readings.fallbackReading, true, 'the status bar and player say so');
    assert.deepEqual(errors, [{ kind: 'unreachable', retry: false }]);
    reader.end('completed', 24_000);
    const result = await done;
    assert.equal(result.outcome, 'completed');
  });

  it('reads the same text again from its start in the fallback voice when the server fails before any audio', async () => {
    const { reader, readings, errors, said, finished } = setup('ready');
    const done = readings.run({ text: 'Hello.', params }, { commandStartedAt: 1000 }, retryOf);
    assert.equal(reader.requests[0].engine, undefined, 'the server is asked first');
    const failedId = reader.end('failed', 0, new KokoroError('timeout', 'No answer within 15 s.'));
    await settle();
    assert.equal(reader.requests.length, 2);
    assert.equal(reader.requests[1].engine, espeak);
    assert.deepEqual(reader.continuedFrom, [[failedId, 0]], 'from the start: nothing was heard');
    assert.equal(readings.fallbackReading, true);
    reader.end('completed', 24_000);
    await done;
    assert.deepEqual(errors, [{ kind: 'timeout', retry: false }], 'the error is shown, without Retry: the reading is heard');
    assert.deepEqual(said, ['server failed: timeout'], 'the server is marked down, not marked working by the fallback');
    assert.equal(finished.at(-1)?.request.engine, espeak);
  });

  it('without a fallback voice, a failure before any audio offers Retry and says once what to install', async () => {
    const { reader, readings, errors, said } = setup('ready', 'none');
    const done = readings.run({ text: 'Hello.', params }, { commandStartedAt: 1000 }, retryOf);
    reader.end('failed', 0, new KokoroError('unreachable', 'Connection refused.'));
    await done;
    assert.equal(reader.requests.length, 1);
    assert.deepEqual(said, ['no fallback voice', 'server failed: unreachable']);
    assert.deepEqual(errors, [{ kind: 'unreachable', retry: true }]);
  });

  it('a failure after audio was heard, or a refusal of the text, is not read again in the fallback voice: it offers Retry', async () => {
    for (const [samples, error] of [
      [4800, new KokoroError('unreachable', 'The connection broke.')],
      [0, new KokoroError('badRequest', 'The server refused the request.', 422)],
    ] as const) {
      const { reader, readings, errors } = setup('ready');
      const done = readings.run({ text: 'Hello.', params }, { commandStartedAt: 1000 }, retryOf);
      reader.end('failed', samples, error);
      await done;
      assert.equal(reader.requests.length, 1, `${error.kind} after ${samples} samples`);
      assert.deepEqual(errors, [{ kind: error.kind, retry: true }]);
    }
  });

  it('tells the server it works after a completed reading, and the user when the text has no words', async () => {
    const { reader, readings, said } = setup('ready');
    const first = readings.run({ text: 'Hello.', params }, { commandStartedAt: 1000 }, retryOf);
    reader.end('completed', 24_000);
    await first;
    const second = readings.run({ text: '   ', params }, { commandStartedAt: 1000 }, retryOf);
    reader.end('empty', 0);
    await second;
    assert.deepEqual(said, ['server worked', 'Kokoro: nothing to read — the text has no words to speak.']);
  });
});

describe('Readings (moving through the reading being heard)', () => {
  it('goes to the next and previous sentence from the one heard, timed as a command, and says where it cannot go', async () => {
    const { reader, readings, playback, said } = setup('ready');
    readings.moveSentence(1);
    assert.deepEqual(said, ['Kokoro: nothing is being read.']);
    void readings.run({ text: 'One. Two. Three.', params, sentences: true }, { commandStartedAt: 1000 }, retryOf);
    readings.moveSentence(-1);
    assert.equal(said.at(-1), 'Kokoro: this is the first sentence.');
    readings.moveSentence(1);
    assert.equal(said.at(-1), 'moved');
    assert.equal(reader.requests.at(-1)?.text, 'reading 1 from 1');
    assert.equal(playback.currentSegment, 1);
    readings.moveSentence(1);
    assert.equal(reader.requests.at(-1)?.text, 'reading 2 from 2');
    readings.moveSentence(1);
    assert.equal(said.at(-1), 'Kokoro: this is the last sentence.');
    assert.equal(reader.requests.length, 3, 'no request for a sentence that does not exist');
  });

  it('goes on from the playhead after a speed or voice change, and not when nothing is read', async () => {
    const { reader, readings } = setup('ready');
    readings.continueAtPlayhead('speed 1.5');
    assert.equal(reader.requests.length, 0);
    void readings.run({ text: 'One. Two.', params }, { commandStartedAt: 1000 }, retryOf);
    readings.continueAtPlayhead('speed 1.5');
    assert.deepEqual(reader.continuedFrom, [[1, 4800]], 'from the samples the player has played');
    assert.equal(reader.requests.at(-1)?.text, 'reading 1 after 4800 samples');
  });
});
