import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { WordTiming } from '../../src/kokoro/captions';
import { KokoroClient, type SpeechParams } from '../../src/kokoro/client';
import { AudioCache, audioCacheKey } from '../../src/speech/audioCache';
import { type AudioSink, Reader, type ReadingResult, type SpeechEngine } from '../../src/speech/reader';
import { LatencyStats } from '../../src/stats/latency';
import { StandinProcess } from '../standin/process';
import { MODES, type RecordedRequest, StandinServer, samplesForText } from '../standin/server';

const params: SpeechParams = { model: 'kokoro', voice: 'af_heart', speed: 1 };

/** Records what a player would get. */
class RecordingSink implements AudioSink {
  events: string[] = [];
  samples = new Map<number, number>();
  aborted: number[] = [];
  roomGate: Promise<void> | undefined;
  roomAsked: number[] = [];
  begin(id: number): void {
    this.events.push(`begin ${id}`);
  }
  segments: Array<[id: number, index: number, text: string]> = [];
  segment(id: number, text: string, index: number): void {
    this.events.push(`segment ${id} ${text}`);
    this.segments.push([id, index, text]);
  }
  audio(id: number, pcm: Uint8Array, _sampleRate?: number): void {
    this.samples.set(id, (this.samples.get(id) ?? 0) + pcm.length / 2);
  }
  end(id: number, error?: string): void {
    this.events.push(error === undefined ? `end ${id}` : `end ${id} failed: ${error}`);
  }
  abort(id: number): void {
    this.aborted.push(id);
    this.events.push(`abort ${id}`);
  }
  room(_id: number, aheadSeconds: number): Promise<void> {
    this.roomAsked.push(aheadSeconds);
    return this.roomGate ?? Promise.resolve();
  }
}

describe('Reader pipeline against the stand-in server', function () {
  this.timeout(15_000);
  let server: StandinServer;
  let client: KokoroClient;
  let sink: RecordingSink;
  let stats: LatencyStats;
  let reader: Reader;

  before(async () => {
    server = await StandinServer.start();
  });
  after(async () => server.close());
  beforeEach(() => {
    server.reset();
    client = new KokoroClient({
      serverUrl: server.url,
      connections: 2,
      healthTimeoutMs: 500,
      firstByteTimeoutMs: 3000,
      streamTimeoutMs: 3000,
    });
    sink = new RecordingSink();
    stats = new LatencyStats();
    reader = new Reader(() => client, sink, stats);
  });
  afterEach(async () => {
    reader.stop();
    await client.close();
  });

  it('reads a text as a short first request and then bigger ones, delivering all the audio in order', async () => {
    const text = 'First sentence here. ' + 'This is a following sentence with more words in it. '.repeat(12);
    const result = await reader.read({ text, params });
    assert.equal(result.outcome, 'completed');
    const sent = server.speechRequests().map((r) => (r.body as { input: string }).input);
    assert.equal(sent[0], 'First sentence here.');
    assert.ok(sent.length >= 3);
    assert.deepEqual(sent, result.chunks);
    const expected = sent.reduce((n, input) => n + samplesForText(input, server.options.msPerChar), 0);
    assert.equal(sink.samples.get(result.id), expected);
    assert.equal(result.samples, expected);
    assert.equal(sink.events[0], `begin ${result.id}`);
    assert.equal(sink.events.at(-1), `end ${result.id}`);
    assert.equal(stats.summary('firstByteMs').count, sent.length);
    assert.equal(stats.summary('firstAudioMs').count, 1);
    assert.ok(result.firstAudioMs! >= 0);
  });

  it('applies the text preparation lazily, so a huge text starts as fast as a short one', async () => {
    let preparedChars = 0;
    const line = 'const value = computeSomething(input, options);\n';
    const text = line.repeat(20_000); // ~1 MB
    let firstAudioPrepared = -1;
    const sinkAudio = sink.audio.bind(sink);
    sink.audio = (id: number, pcm: Uint8Array, rate?: number) => {
      if (firstAudioPrepared < 0) {
        firstAudioPrepared = preparedChars;
        reader.stop();
      }
      sinkAudio(id, pcm, rate);
    };
    const result = await reader.read({ text, params, prepare: (block) => ((preparedChars += block.length), block) });
    assert.equal(result.outcome, 'stopped');
    assert.ok(firstAudioPrepared > 0 && firstAudioPrepared <= 2_000, `prepared ${firstAudioPrepared} chars before the first audio`);
  });

  it('stop silences the sink, aborts the request in flight, and the server sees the disconnect', async () => {
    server.setOptions({ rtf: 2, chunkMs: 50 });
    const reading = reader.read({ text: 'A sentence that takes a good while to speak at this slow pace of generation.', params });
    await server.waitFor(() => (server.speechRequests()[0]?.samplesSent ?? 0) > 0, 3000);
    assert.equal(reader.stop(), true);
    const result = await reading;
    assert.equal(result.outcome, 'stopped');
    assert.deepEqual(sink.aborted, [result.id]);
    assert.ok(!sink.events.includes(`end ${result.id}`));
    await server.waitFor(() => server.disconnects().length === 1, 2000);
  });

  it('a new reading stops the old one: only the last is heard and nothing is left in flight', async () => {
    server.setOptions({ rtf: 3, chunkMs: 50 });
    const readings = [];
    for (let i = 0; i < 5; i++) {
      readings.push(reader.read({ text: `Reading number ${i} is a sentence of some length to keep the server busy.`, params }));
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = await Promise.all(readings);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['stopped', 'stopped', 'stopped', 'stopped', 'completed'],
    );
    await server.waitFor(() => server.speechRequests().every((r) => r.endedAt !== undefined), 2000);
    const requests = server.speechRequests();
    const last = (r: (typeof requests)[number]) => results[4].chunks.includes((r.body as { input: string }).input);
    assert.ok(
      requests.filter((r) => !last(r)).every((r) => !r.completed),
      'every earlier request was cut off',
    );
    assert.ok(requests.filter(last).every((r) => r.completed));
    assert.deepEqual(
      sink.aborted,
      results.slice(0, 4).map((r) => r.id),
    );
  });

  it('waits for room in the player before fetching further ahead', async () => {
    let open!: () => void;
    sink.roomGate = new Promise((r) => (open = r));
    const reading = reader.read({ text: 'One. Two two two two. Three three three three three.', params });
    await server.waitFor(() => server.speechRequests().length === 1 && server.speechRequests()[0].completed, 2000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.speechRequests().length, 1, 'the second request waits for room');
    open();
    const result = await reading;
    assert.equal(result.outcome, 'completed');
    assert.equal(server.speechRequests().length, result.requests);
  });

  it("sizes its requests and its look-ahead from what this server's requests cost", async () => {
    const text = 'This is a following sentence with more words in it. '.repeat(30);
    server.setOptions({ ttfbMs: 0, rtf: 40 });
    const quick = await reader.read({ text, params });
    const quickAhead = Math.max(...sink.roomAsked);
    sink.roomAsked = [];
    server.setOptions({ ttfbMs: 0, rtf: 4 });
    const slowReader = new Reader(() => client, sink);
    const slow = await slowReader.read({ text: text.slice(0, 800), params });
    const slowAhead = Math.max(...sink.roomAsked);
    const longest = (chunks: string[]) => Math.max(...chunks.slice(1).map((c) => c.length));
    assert.ok(longest(slow.chunks) < longest(quick.chunks), `slow server ${longest(slow.chunks)} chars, fast ${longest(quick.chunks)}`);
    assert.ok(longest(slow.chunks) <= 120, `a request to a 4× server stays near the minimum: ${longest(slow.chunks)}`);
    assert.ok(slowAhead > quickAhead, `look-ahead ${slowAhead} s for the slow server, ${quickAhead} s for the fast one`);
  });

  it('reports failures with the error and an empty text as empty', async () => {
    const failed = await reader.read({ text: 'Hello.', params: { ...params, voice: 'zz_nobody' } });
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.error?.kind, 'badVoice');
    const empty = await reader.read({ text: '  \n\t ', params });
    assert.equal(empty.outcome, 'empty');
    assert.equal(server.speechRequests().length, 1);
  });

  it('tells the player that a reading failed, and why in one sentence, for every way a reading fails', async () => {
    const cases: Array<[string, () => Promise<void>, RegExp]> = [
      ['server down', () => server.down(), /^No Kokoro server is answering at .* \(connection refused\)\.$/],
      ['HTTP error', async () => server.setOptions({ fault: 'error-500' }), /^The server failed to speak \(HTTP 500\): .+\.$/],
      [
        'stream broken mid-audio',
        async () => server.setOptions({ fault: 'reset-mid-stream', rtf: 20 }),
        /^The connection to .* broke in the middle of the audio\.$/,
      ],
      ['timeout', async () => server.setOptions({ fault: 'stall-after-first' }), /^The audio stream from .* stalled for 300 ms/],
    ];
    for (const [name, fault, why] of cases) {
      server.reset();
      await client.close();
      client = new KokoroClient({
        serverUrl: server.url,
        connections: 2,
        healthTimeoutMs: 500,
        firstByteTimeoutMs: 1000,
        streamTimeoutMs: 300,
      });
      await fault();
      try {
        sink.events = [];
        const result = await reader.read({ text: 'One sentence to read. And another one after it.', params });
        assert.equal(result.outcome, 'failed', name);
        const end = sink.events.at(-1) ?? '';
        assert.match(end, new RegExp(`^end ${result.id} failed: `), `${name}: ${end}`);
        assert.match(end.replace(/^end \d+ failed: /, ''), why, name);
      } finally {
        await server.up();
      }
    }
  });

  it('continues a reading from the sentence under the playhead with new settings (a speed change)', async () => {
    server.setOptions({ rtf: 20, chunkMs: 50 });
    const text = 'First sentence is short. ' + 'Then comes a longer sentence with a number of words in it. '.repeat(30);
    const first = reader.read({ text, params });
    await server.waitFor(() => server.speechRequests().length >= 3, 5000);
    const firstId = reader.currentId!;
    const sent = server.speechRequests().map((r) => (r.body as { input: string }).input);
    const chunk0 = samplesForText(sent[0], server.options.msPerChar);
    const playedIntoChunk1 = chunk0 + 100;
    const next = reader.continuation(firstId, playedIntoChunk1)!;
    assert.ok(next, 'the reading can be continued');
    server.reset();
    const continued = await reader.read({ ...next, params: { ...params, speed: 2 } });
    assert.equal((await first).outcome, 'stopped');
    assert.equal(continued.outcome, 'completed');
    const inputs = server.speechRequests().map((r) => r.body as { input: string; speed: number });
    assert.equal(inputs[0].input, sent[1], 'it goes on from the chunk being heard');
    assert.ok(
      inputs.every((r) => r.speed === 2),
      'with the new speed',
    );
    // Chunks read (a chunk with the same text as one before it plays that one's audio, without a request).
    const allText = [sent[0], ...continued.chunks].join(' ');
    assert.equal(allText.replace(/\s+/g, ' ').trim(), text.trim(), 'nothing is lost or read twice after the playhead');
    assert.equal(reader.continuation(firstId, 0), undefined, 'an older reading cannot be continued');
  });

  it('a stream that breaks mid-reading goes on once from the next chunk (a gap, never a repeat); a second break fails the reading', async () => {
    server.setOptions({ fault: 'reset-mid-stream', faultTimes: 1, chunkMs: 50 });
    const text = 'The first sentence breaks off in the middle. The second sentence follows it. And a third one ends it.';
    const broke: string[] = [];
    const result = await reader.read({ text, params, sentences: true, onResumedAfterBreak: (e) => broke.push(e.kind) });
    assert.equal(result.outcome, 'completed', 'the listener hears the rest');
    assert.equal(broke.length, 1);
    const inputs = server.speechRequests().map((r) => (r.body as { input: string }).input);
    assert.deepEqual(
      inputs,
      ['The first sentence breaks off in the middle.', 'The second sentence follows it.', 'And a third one ends it.'],
      'nothing is asked twice',
    );
    server.reset();
    server.setOptions({ fault: 'reset-mid-stream', faultTimes: 2, chunkMs: 50 });
    const other = 'Another first sentence breaks off. Its second sentence breaks off too. The third is never reached.';
    const twice = await reader.read({ text: other, params, sentences: true });
    assert.equal(twice.outcome, 'failed', 'only once per reading');
    assert.equal(twice.error?.kind, 'truncated');
    assert.equal(server.speechRequests().length, 2);
  });

  it('continues a failed reading from the chunk that failed, even when its first audio had played', async () => {
    server.setOptions({ fault: 'reset-mid-stream', faultTimes: 2, chunkMs: 50 });
    const text = 'The first sentence breaks off in the middle. The second sentence follows it.';
    // Both chunks break (the first one is gone on from once): the reading fails in the second.
    const failed = await reader.read({ text, params, sentences: true });
    assert.equal(failed.outcome, 'failed');
    assert.ok(failed.samples > 0, 'some audio of both chunks came');
    const failedInput = (server.speechRequests().at(-1)!.body as { input: string }).input;
    assert.equal(failedInput, 'The second sentence follows it.');
    const rest = reader.continuation(failed.id, failed.samples)!; // all of it played
    server.reset();
    const retried = await reader.read(rest);
    assert.equal(retried.outcome, 'completed');
    const inputs = server.speechRequests().map((r) => (r.body as { input: string }).input);
    assert.deepEqual(inputs, [failedInput], 'the chunk that failed is read again, and only it');
  });

  describe('sentence by sentence (text in the editor)', () => {
    const text = 'One is first. Two comes next. Three is here. Four follows it. Five ends the text.';
    const sentences = ['One is first.', 'Two comes next.', 'Three is here.', 'Four follows it.', 'Five ends the text.'];

    it('sends one sentence per request and numbers the sentences for the player', async () => {
      const taken: Array<[number, string]> = [];
      const result = await reader.read({ text, params, sentences: true, onSegment: (i, t) => taken.push([i, t]) });
      assert.equal(result.outcome, 'completed');
      assert.deepEqual(
        server.speechRequests().map((r) => (r.body as { input: string }).input),
        sentences,
      );
      assert.deepEqual(
        sink.segments.map(([, i, t]) => [i, t]),
        sentences.map((t, i) => [i, t]),
      );
      assert.deepEqual(
        taken,
        sentences.map((t, i) => [i, t]),
      );
      assert.equal(result.segmentCount, 5);
    });

    it('goes back to a sentence whose audio came without asking the server again, and on from there', async () => {
      const first = await reader.read({ text, params, sentences: true });
      const samplesBefore = sink.samples.get(first.id)!;
      server.reset();
      const back = reader.continuationAt(first.id, 1)!;
      assert.equal(back.firstSegment, 1);
      const again = await reader.read(back);
      assert.equal(again.outcome, 'completed');
      assert.equal(server.speechRequests().length, 0, 'every sentence was played from the audio already received');
      assert.equal(again.cachedChunks, 4);
      assert.deepEqual(
        sink.segments.filter(([id]) => id === again.id).map(([, i]) => i),
        [1, 2, 3, 4],
        'the sentences keep their numbers',
      );
      assert.equal(sink.samples.get(again.id), samplesBefore - samplesForText(sentences[0], server.options.msPerChar));
    });

    it('skips ahead: the request under way is cancelled, only the missing sentences are requested', async () => {
      server.setOptions({ rtf: 1, chunkMs: 50 }); // real time: the first sentence is still being generated
      const first = reader.read({ text, params, sentences: true });
      await server.waitFor(() => (server.speechRequests()[0]?.samplesSent ?? 0) > 0, 3000);
      const id = reader.currentId!;
      const ahead = reader.continuationAt(id, 3)!;
      server.setOptions({ rtf: 50 });
      const skipped = await reader.read(ahead);
      assert.equal((await first).outcome, 'stopped');
      await server.waitFor(() => server.disconnects().length === 1, 2000);
      assert.equal(skipped.outcome, 'completed');
      assert.deepEqual(
        server.speechRequests().map((r) => (r.body as { input: string }).input),
        ['One is first.', 'Four follows it.', 'Five ends the text.'],
        'sentences two and three are never requested',
      );
      // And back from the continuation to a sentence before it: the text's earlier sentences are still known.
      const back = reader.continuationAt(skipped.id, 1)!;
      assert.equal(back.firstSegment, 1);
      server.reset();
      const fromTwo = await reader.read(back);
      assert.deepEqual(
        server.speechRequests().map((r) => (r.body as { input: string }).input),
        ['Two comes next.', 'Three is here.'],
        'four and five are played from memory',
      );
      assert.equal(fromTwo.cachedChunks, 2);
    });

    it('asks for word timings when told to, and hands them on per sentence as they come', async () => {
      const timed = new Map<number, string[]>();
      const result = await reader.read({
        text,
        params,
        sentences: true,
        words: true,
        onWords: (i, words) =>
          timed.set(
            i,
            words.map((w) => w.word),
          ),
      });
      assert.equal(result.outcome, 'completed');
      assert.ok(server.speechRequests().every((r) => r.path === '/dev/captioned_speech'));
      assert.deepEqual([...timed.keys()], [0, 1, 2, 3, 4]);
      assert.deepEqual(
        timed.get(1)!.filter((w) => /\w/.test(w)),
        ['Two', 'comes', 'next'],
      );
    });

    it('sentences played again from memory bring their word timings; audio kept without them is asked for again', async () => {
      const plain = await reader.read({ text, params, sentences: true }); // no words asked: kept without them
      server.reset();
      const timed = new Map<number, number>();
      const withWords = { words: true, onWords: (i: number, w: readonly unknown[]) => timed.set(i, w.length) };
      const first = await reader.read({ ...reader.continuationAt(plain.id, 0)!, ...withWords });
      assert.equal(first.requests, 5, 'asked again, for the words');
      server.reset();
      const replayed = new Map<number, number>();
      const again = await reader.read({ ...reader.continuationAt(first.id, 0)!, onWords: (i, w) => replayed.set(i, w.length) });
      assert.equal(again.requests, 0, 'all from memory');
      assert.deepEqual([...replayed], [...timed], 'with the same words');
    });

    it('a new reading of the same text asks the server afresh (only a continuation replays what came)', async () => {
      await reader.read({ text, params, sentences: true });
      server.reset();
      const fresh = await reader.read({ text, params, sentences: true });
      assert.equal(fresh.requests, 5);
    });

    it("a fallback voice (an engine) reads instead of the server, and its audio is not kept as the server's", async () => {
      const spoken: string[] = [];
      const engine: SpeechEngine = {
        speak: async (input, _p, onAudio) => {
          spoken.push(input);
          onAudio(new Uint8Array(2205 * 2), 22_050, { sentAt: 0, headersAt: 0, firstByteAt: 0 });
          return { sentAt: 0, headersAt: 0, firstByteAt: 0, endedAt: 1, samples: 2205, sampleRate: 22_050 };
        },
      };
      const fallback = await reader.read({ text, params, sentences: true, engine });
      assert.equal(fallback.outcome, 'completed');
      assert.deepEqual(spoken, sentences);
      assert.equal(server.speechRequests().length, 0, 'the server is not asked');
      assert.equal(stats.summary('firstAudioMs').count, 0, "the server's latency figures are not the fallback's");
      const kokoro = await reader.read({ ...reader.continuationAt(fallback.id, 0)!, engine: undefined });
      assert.equal(kokoro.requests, 5, 'Kokoro is asked for all of it: no fallback audio is played as its own');
    });

    it('a server that refuses word timings reads the same sentences without them, and says so once', async () => {
      server.setOptions({ captions: false });
      let refused = 0;
      const result = await reader.read({ text, params, sentences: true, words: true, onWordsRefused: () => refused++ });
      assert.equal(result.outcome, 'completed');
      assert.equal(refused, 1);
      const paths = server.requests.filter((r) => r.method === 'POST').map((r) => r.path);
      assert.deepEqual(paths, ['/dev/captioned_speech', ...sentences.map(() => '/v1/audio/speech')]);
      assert.equal(
        sink.samples.get(result.id),
        sentences.reduce((n, t) => n + samplesForText(t, server.options.msPerChar), 0),
      );
    });

    it('knows no sentence before the first or after the last', async () => {
      const result = await reader.read({ text, params, sentences: true });
      assert.equal(reader.continuationAt(result.id, -1), undefined);
      assert.equal(reader.continuationAt(result.id, 5), undefined);
      assert.ok(reader.continuationAt(result.id, 4));
    });
  });

  it('plays a repeated cached message from memory, with no request to the server', async () => {
    const cached = new Reader(() => client, sink, stats, { cache: new AudioCache(8 * 1024 * 1024) });
    const text = 'Error on line 12: cannot find name foo.';
    const first = await cached.read({ text, params, cache: true });
    assert.equal(first.requests, 1);
    const second = await cached.read({ text, params, cache: true });
    assert.equal(second.outcome, 'completed');
    assert.equal(second.requests, 0);
    assert.equal(second.cachedChunks, second.chunks.length);
    assert.equal(server.speechRequests().length, 1);
    assert.equal(sink.samples.get(second.id), sink.samples.get(first.id));
    const other = await cached.read({ text, params: { ...params, voice: 'af_bella' }, cache: true });
    assert.equal(other.requests, 1, 'another voice is another entry');
    const faster = await cached.read({ text, params: { ...params, speed: 1.5 }, cache: true });
    assert.equal(faster.requests, 1, 'after a speed change the message is synthesised again');
    assert.equal((server.speechRequests().at(-1)!.body as { speed: number }).speed, 1.5);
  });

  it('prefetches into the cache, and a reading cancels a prefetch in progress', async () => {
    const cached = new Reader(() => client, sink, stats, { cache: new AudioCache(8 * 1024 * 1024) });
    const text = 'Warning on line 3: unused variable x.';
    const first = cached.prefetch({ text, params });
    const again = cached.prefetch({ text, params }); // diagnostics change in bursts: the same text is not fetched twice
    assert.equal(await first, 1);
    assert.equal(await again, 1);
    assert.equal(server.speechRequests().length, 1);
    const result = await cached.read({ text, params, cache: true });
    assert.equal(result.requests, 0);
    server.setOptions({ rtf: 2, chunkMs: 50 });
    const slow = cached.prefetch({ text: 'A prefetch that takes far too long to finish at this pace.', params });
    await server.waitFor(() => server.speechRequests().length === 2 && server.speechRequests()[1].samplesSent > 0, 3000);
    const reading = cached.read({ text: 'Now.', params });
    assert.equal(await slow, 0);
    assert.equal((await reading).outcome, 'completed');
    await server.waitFor(() => server.disconnects().length === 1, 2000);
  });
});

/** A RecordingSink that keeps each reading's audio and says when a sentence starts or its audio comes. */
class PcmSink extends RecordingSink {
  pcm = new Map<number, Buffer[]>();
  onSegment: ((id: number, index: number) => void) | undefined;
  onAudio: ((id: number) => void) | undefined;
  override segment(id: number, text: string, index: number): void {
    super.segment(id, text, index);
    this.onSegment?.(id, index);
  }
  override audio(id: number, pcm: Uint8Array, sampleRate?: number): void {
    super.audio(id, pcm, sampleRate);
    const frames = this.pcm.get(id) ?? [];
    frames.push(Buffer.from(pcm));
    this.pcm.set(id, frames);
    this.onAudio?.(id);
  }
  heard(id: number): Buffer {
    return Buffer.concat(this.pcm.get(id) ?? []);
  }
}

describe('Reader: a continuation takes over the request under way for a sentence it needs', function () {
  this.timeout(30_000);
  const text = 'One sentence opens. Two follows it here. Three is in the middle. Four comes near the end. Five closes it.';
  const sentences = [
    'One sentence opens.',
    'Two follows it here.',
    'Three is in the middle.',
    'Four comes near the end.',
    'Five closes it.',
  ];
  const inputOf = (r: RecordedRequest) => (r.body as { input: string }).input;
  const samplesOf = (sentence: string) => samplesForText(sentence, 60); // the stand-in's default length of speech per character

  for (const mode of MODES) {
    describe(`on a ${mode} server`, () => {
      let server: StandinProcess;
      let client: KokoroClient;
      let sink: PcmSink;
      let stats: LatencyStats;
      let reader: Reader;

      before(async () => {
        // Blocking: each sentence blocks the server for 50 + 1200 / 4 ms and comes whole. Fast: it streams in 20 ms pieces over 240 ms.
        server = await StandinProcess.start(mode === 'blocking' ? { mode, rtf: 4, startCostMs: 50 } : { mode, rtf: 5, chunkMs: 20 });
      });
      after(async () => server.stop());
      beforeEach(async () => {
        await server.reset();
        client = new KokoroClient({
          serverUrl: server.url,
          connections: 2,
          healthTimeoutMs: 500,
          firstByteTimeoutMs: 5000,
          streamTimeoutMs: 5000,
        });
        sink = new PcmSink();
        stats = new LatencyStats();
        reader = new Reader(() => client, sink, stats);
      });
      afterEach(async () => {
        reader.stop();
        await client.close();
      });

      /** The server's speech requests once none is running any more. */
      async function settledRequests(): Promise<RecordedRequest[]> {
        const deadline = performance.now() + 10_000;
        for (;;) {
          const requests = (await server.state()).requests.filter((r) => r.method === 'POST');
          if (requests.every((r) => r.completed || r.clientDisconnected)) return requests;
          if (performance.now() > deadline) throw new Error(`requests still running: ${JSON.stringify(requests.map(inputOf))}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }

      /** Starts reading the text; resolves with its id once its request for sentence two is under way (sent in this very tick). */
      async function readUntilTwoIsAsked(): Promise<{ id: number; first: Promise<ReadingResult> }> {
        const asked = new Promise<void>((resolve) => (sink.onSegment = (_id, index) => index === 1 && resolve()));
        const first = reader.read({ text, params, sentences: true });
        const id = reader.currentId!;
        await asked;
        sink.onSegment = undefined;
        return { id, first };
      }

      /** Long enough for a request to reach the server, well within the 350 ms it blocks on it (240 ms it streams it). */
      const serverHasIt = () => new Promise((r) => setTimeout(r, 50));

      /** A fresh reading of `texts`: the audio a listener should hear for them, each whole and once. */
      async function freshAudio(texts: string[]): Promise<Buffer> {
        await server.setOptions({ rtf: 0 });
        const fresh = await reader.read({ text: texts.join(' '), params, sentences: true });
        assert.equal(fresh.requests, texts.length);
        return sink.heard(fresh.id);
      }

      for (const moment of ['as it is sent', 'while the server has it']) {
        it(`Next Sentence pressed ${moment} asks nothing again: its audio is heard once, whole, in order, first`, async () => {
          const { id, first } = await readUntilTwoIsAsked();
          if (moment === 'while the server has it') await serverHasIt();
          let requestsSentAtFirstAudio: number | undefined;
          sink.onAudio = (audioId) => {
            if (audioId !== id) requestsSentAtFirstAudio ??= client.speechRequests;
          };
          const next = await reader.read(reader.continuationAt(id, 1)!);
          assert.equal((await first).outcome, 'stopped');
          assert.equal(next.outcome, 'completed');
          assert.equal(
            requestsSentAtFirstAudio,
            2,
            'sentence two was heard before any further request was sent: it waited for one generation, not two',
          );
          const firstAudio = next.firstAudio!;
          if (moment === 'as it is sent')
            assert.ok(
              firstAudio.sentAt! < firstAudio.startedAt && firstAudio.firstByteAt! >= firstAudio.startedAt,
              'its first audio is timed from the request taken over, sent before the continuation started',
            );
          else assert.ok(firstAudio.sentAt === undefined || firstAudio.sentAt < firstAudio.startedAt);
          const requests = await settledRequests();
          assert.deepEqual(requests.map(inputOf), sentences, 'every sentence asked for once');
          assert.ok(
            requests.every((r) => r.completed),
            'none was cut off',
          );
          if (mode === 'blocking') assert.ok(requests.every((r) => r.groups === 1 && r.groupsAfterDisconnect === 0));
          assert.equal(next.adoptedChunks, 1, 'the request under way for sentence two was taken over');
          assert.equal(next.requests, 3, 'only three, four and five were asked for');
          assert.deepEqual(
            sink.segments.filter(([segmentId]) => segmentId === next.id).map(([, index]) => index),
            [1, 2, 3, 4],
          );
          assert.equal(stats.summary('firstByteMs').count, 5, "each request's latency counted once");
          assert.ok(
            sink.heard(next.id).equals(await freshAudio(sentences.slice(1))),
            'the continuation heard sentences two to five exactly',
          );
        });
      }

      it('Repeat Sentence while the next one is being fetched plays the sentence from memory, then takes the next one over', async () => {
        const { id, first } = await readUntilTwoIsAsked();
        await serverHasIt();
        const again = await reader.read(reader.continuationAt(id, 0)!);
        assert.equal((await first).outcome, 'stopped');
        assert.equal(again.outcome, 'completed');
        const requests = await settledRequests();
        assert.deepEqual(requests.map(inputOf), sentences, 'every sentence asked for once');
        assert.ok(requests.every((r) => r.completed));
        assert.equal(again.cachedChunks, 1);
        assert.equal(again.adoptedChunks, 1);
        assert.ok(sink.heard(again.id).equals(await freshAudio(sentences)), 'the whole text heard again exactly');
      });

      it('a speed change while the sentence is being fetched asks for it again at the new speed', async () => {
        const { id, first } = await readUntilTwoIsAsked();
        await serverHasIt();
        const rest = reader.continuation(id, samplesOf(sentences[0]))!; // sentence one fully played
        const faster = await reader.read({ ...rest, params: { ...params, speed: 2 } });
        assert.equal((await first).outcome, 'stopped');
        assert.equal(faster.outcome, 'completed');
        assert.equal(faster.adoptedChunks, 0);
        assert.equal(faster.requests, 4);
        const requests = await settledRequests();
        assert.deepEqual(
          requests.map((r) => [inputOf(r), (r.body as { speed: number }).speed]),
          [[sentences[0], 1], [sentences[1], 1], ...sentences.slice(1).map((t) => [t, 2])],
        );
        assert.equal(requests[1].clientDisconnected, true, 'the request at the old speed was cancelled');
      });

      it('Stop cancels a request taken over', async () => {
        const { id, first } = await readUntilTwoIsAsked();
        await serverHasIt();
        const next = reader.read(reader.continuationAt(id, 1)!);
        assert.equal(reader.stop(), true);
        assert.equal((await next).outcome, 'stopped');
        assert.equal((await first).outcome, 'stopped');
        const requests = await settledRequests();
        assert.deepEqual(requests.map(inputOf), sentences.slice(0, 2));
        assert.equal(requests[1].clientDisconnected, true, 'the server was told to stop sentence two');
        assert.equal(requests[1].completed, false);
      });
    });
  }

  it('audio and words of the sentence that came before Next Sentence was pressed are handed on first, then the rest as it streams', async () => {
    const server = await StandinServer.start({ rtf: 5, chunkMs: 20 });
    const client = new KokoroClient({
      serverUrl: server.url,
      connections: 2,
      healthTimeoutMs: 500,
      firstByteTimeoutMs: 3000,
      streamTimeoutMs: 3000,
    });
    const sink = new PcmSink();
    const reader = new Reader(() => client, sink);
    try {
      const timed = new Map<number, string[]>();
      let twoTimed: (() => void) | undefined;
      const onWords = (index: number, words: readonly WordTiming[]) => {
        timed.set(
          index,
          words.map((w) => w.word),
        );
        if (index === 1) twoTimed?.();
      };
      const first = reader.read({ text, params, sentences: true, words: true, onWords });
      const id = reader.currentId!;
      await new Promise<void>((resolve) => (twoTimed = resolve)); // some of sentence two's audio and words came
      twoTimed = undefined;
      const samplesOfTwoBefore = sink.samples.get(id)! - samplesOf(sentences[0]);
      timed.clear();
      const continued = reader.read(reader.continuationAt(id, 1)!);
      assert.ok(timed.has(1), 'the words that came before are handed on at once, with their audio');
      const next = await continued;
      assert.equal((await first).outcome, 'stopped');
      assert.ok(samplesOfTwoBefore > 0 && samplesOfTwoBefore < samplesOf(sentences[1]), 'part of sentence two came before');
      await server.waitFor(() => server.speechRequests().every((r) => r.completed || r.clientDisconnected), 3000);
      assert.deepEqual(
        server.speechRequests().map((r) => (r.body as { input: string }).input),
        sentences,
        'sentence two is not asked again',
      );
      assert.equal(next.adoptedChunks, 1);
      assert.equal(next.firstAudio!.sentAt, undefined, 'its first audio waited for no request: it is marked as cached audio is');
      server.setOptions({ rtf: 0 });
      const freshWords = new Map<number, string[]>();
      const fresh = await reader.read({
        text: sentences.slice(1).join(' '),
        params,
        sentences: true,
        words: true,
        onWords: (index, words) =>
          freshWords.set(
            index + 1,
            words.map((w) => w.word),
          ),
      });
      assert.ok(sink.heard(next.id).equals(sink.heard(fresh.id)), 'no gap, no repeat');
      assert.deepEqual(timed, freshWords, 'every sentence with all its words');
    } finally {
      reader.stop();
      await client.close();
      await server.close();
    }
  });
});

describe('AudioCache', () => {
  const entry = (bytes: number) => ({ frames: [new Uint8Array(bytes)], sampleRate: 24000, bytes });

  it('keys audio by the text and every speech parameter, so changed settings never play old audio', () => {
    // Required<>: a field added to SpeechParams must be added here too, and is then checked below.
    const all: Required<SpeechParams> = {
      model: 'kokoro',
      voice: 'af_heart',
      speed: 1,
      extraFields: { lang_code: 'a', volume_multiplier: 1 },
    };
    const changed: { [K in keyof SpeechParams]-?: SpeechParams[K] } = {
      model: 'tts-1',
      voice: 'af_bella',
      speed: 1.25,
      extraFields: { lang_code: 'b', volume_multiplier: 1 },
    };
    const key = audioCacheKey('Error on line 3.', all);
    assert.notEqual(audioCacheKey('Error on line 4.', all), key);
    for (const field of Object.keys(all) as Array<keyof SpeechParams>) {
      assert.notEqual(audioCacheKey('Error on line 3.', { ...all, [field]: changed[field] }), key, field);
    }
    assert.notEqual(
      audioCacheKey('Error on line 3.', { ...all, extraFields: { ...all.extraFields, normalization_options: { normalize: false } } }),
      key,
      'an added extra field',
    );
    assert.notEqual(audioCacheKey('Error on line 3.', { ...all, extraFields: undefined }), key, 'no extra fields');
    assert.equal(
      audioCacheKey('Error on line 3.', {
        extraFields: { volume_multiplier: 1, lang_code: 'a' },
        speed: 1,
        voice: 'af_heart',
        model: 'kokoro',
      }),
      key,
      'the same fields in another order',
    );
  });

  it('evicts the least recently used entries to stay within its byte budget', () => {
    const cache = new AudioCache(1000);
    cache.set('a', entry(200));
    cache.set('b', entry(200));
    cache.set('c', entry(200));
    assert.ok(cache.get('a'));
    cache.set('d', entry(200));
    cache.set('e', entry(200));
    assert.equal(cache.bytes, 1000);
    cache.set('f', entry(200));
    assert.equal(cache.has('b'), false, 'b was least recently used');
    assert.equal(cache.has('a'), true);
    assert.ok(cache.bytes <= 1000);
    cache.set('huge', entry(600));
    assert.equal(cache.has('huge'), false, 'an entry over a quarter of the budget is not kept');
  });
});
