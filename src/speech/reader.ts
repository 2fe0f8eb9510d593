// The reading pipeline: text → prepared blocks → chunks → streamed requests → audio
// sink, one reading at a time, with stop that silences and aborts at once.

import * as l10n from '@vscode/l10n';
import { performance } from 'node:perf_hooks';
import type { WordTiming, WordsCallback } from '../kokoro/captions';
import {
  type AudioCallback,
  type KokoroClient,
  type RequestMarks,
  type SpeechParams,
  type SpeechTimings,
  whenNotAborted,
} from '../kokoro/client';
import { KokoroError, briefly } from '../kokoro/errors';
import { type LatencyStats } from '../stats/latency';
import { AudioCache, audioCacheKey } from './audioCache';
import { type ChunkLimit, Chunker, type ChunkOptions, DEFAULT_CHUNK_OPTIONS } from './chunker';
import { ServerPace } from './pacing';

/** What speaks a chunk: the Kokoro client, or a fallback voice when the server is down. */
export interface SpeechEngine {
  speak(input: string, params: SpeechParams, onAudio: AudioCallback, signal?: AbortSignal): Promise<SpeechTimings>;
}

/** Where audio goes: the webview player in the editor, a counter in the benchmark. */
export interface AudioSink {
  begin(readingId: number, title: string): void;
  /** The chunk whose audio comes next (shown in the player); `index` numbers the chunks of a text across its continuations. */
  segment(readingId: number, text: string, index: number): void;
  /** s16le mono PCM; the sink must not keep `pcm` beyond the call without copying it. */
  audio(readingId: number, pcm: Uint8Array, sampleRate: number): void;
  /** All audio of the reading has been delivered; `error` (one sentence) when the reading failed. */
  end(readingId: number, error?: string): void;
  /** Silence the reading now. */
  abort(readingId: number): void;
  /** Resolves when less than `aheadSeconds` of audio is waiting to be played (bounds how far ahead of playback we fetch). */
  room(readingId: number, aheadSeconds: number): Promise<void>;
}

export interface ReadingRequest {
  /** Raw text, or raw text in pieces (a huge selection copied from the document as it is read). */
  text: string | Iterable<string>;
  /** Turns a block of raw text into speakable text; applied lazily, block by block. */
  prepare?: (block: string) => string;
  params: SpeechParams;
  /** When given, asked before every chunk, so a speed or voice change applies to the rest of the reading. */
  currentParams?: () => SpeechParams;
  /** Shown in the player. */
  title?: string;
  /** Keep the audio of each chunk in the reader's cache (messages that are likely to be read again). */
  cache?: boolean;
  /** Chunks already prepared (a reading continued from its playhead); replaces `text` and `prepare`. */
  chunks?: Iterator<string>;
  /** Every chunk is one sentence (text in the editor: followed, skipped through sentence by sentence). */
  sentences?: boolean;
  /** The number of the first chunk (a continuation goes on with the numbers of the reading it continues). */
  firstSegment?: number;
  /** The text's chunks before the first one (a continuation can go back to them); `firstSegment` of them. */
  earlierChunks?: readonly string[];
  /**
   * A continuation of a reading (a skip, a repeat, a speed change): the audio of its chunks received
   * before is played again, and the request under way for the reading it replaces is taken over when
   * it is for the first chunk the continuation must ask for, with the same settings (see Reader.read).
   * A new reading of the same text asks the server afresh.
   */
  continues?: boolean;
  /** Whatever the caller keeps with the text (the editor it came from); continuations carry it on. */
  origin?: object;
  /** Called as each chunk is taken, before it is requested, with its number. */
  onSegment?: (index: number, text: string) => void;
  /** Speaks the reading instead of the server (a fallback voice); continuations keep it. */
  engine?: SpeechEngine;
  /** Ask for word timings (the server's captioned route; see KokoroClient.supportsCaptions). */
  words?: boolean;
  /** With `words`: the words of chunk number `index` timed so far (seconds from its audio's start), as they come. */
  onWords?: (index: number, words: readonly WordTiming[]) => void;
  /** With `words`: the server refused the captioned route (it changed since it was asked); the reading goes on without words. */
  onWordsRefused?: () => void;
  /** The stream broke mid-reading and the reading went on with a fresh request (see Reader.read). */
  onResumedAfterBreak?: (error: KokoroError) => void;
  /** Called once, when the first audio of the reading is handed to the sink. */
  onFirstAudio?: (marks: FirstAudioMarks) => void;
}

/**
 * How the first audio of a reading came (performance.now() ms). The request marks are absent when it came
 * without waiting for a request: from the cache, or received before the reading started by a request it
 * took over (see ReadingResult.adoptedChunks). When a request taken over brings the first audio after the
 * reading started, the marks are that request's: it was sent (and maybe answered) before `startedAt`.
 */
export interface FirstAudioMarks extends Partial<RequestMarks> {
  /** The reader started. */
  startedAt: number;
  /** The first chunk of text was prepared. */
  preparedAt: number;
  /** The first audio was handed to the sink. */
  deliveredAt: number;
}

export type ReadingOutcome = 'completed' | 'stopped' | 'failed' | 'empty';

export interface ReadingResult {
  id: number;
  outcome: ReadingOutcome;
  error?: KokoroError;
  /** Reading started → first audio handed to the sink. */
  firstAudioMs?: number;
  firstAudio?: FirstAudioMarks;
  /** First request sent → its first audio byte (a request taken over was sent before the reading started). */
  firstByteMs?: number;
  /** Requests sent by this reading. */
  requests: number;
  samples: number;
  sampleRate: number;
  /** Chunks read, in order. */
  chunks: string[];
  /** Every chunk has been taken from the text: the number after the last one. */
  segmentCount?: number;
  /** Chunks played from the audio cache, without a request. */
  cachedChunks: number;
  /** Chunks whose request, under way for the reading this one continues, it took over instead of asking again. */
  adoptedChunks: number;
}

export interface ReaderOptions {
  /** Fixed request sizes; by default they follow the server's measured pace. */
  chunks?: ChunkOptions;
  /** Raw text is prepared in blocks of about this size; the first block is smaller for fast first audio. */
  firstBlockChars?: number;
  blockChars?: number;
  cache?: AudioCache;
  /** The audio of the latest readings' chunks, so a continuation (skipping back, a repeat) plays it again without a request. */
  recentAudioBytes?: number;
}

const now = () => performance.now();

/** A failure a fresh request may not have: the stream broke off, the connection went, the server stalled or its gateway failed. */
const breaksMidReading = (err: unknown) =>
  err instanceof KokoroError &&
  (err.kind === 'truncated' || err.kind === 'unreachable' || err.kind === 'timeout' || (err.kind === 'http' && (err.status ?? 0) >= 500));

/**
 * How a server without the captioned route refuses it: no such route or method, a body it does not take, an answer
 * that is not a stream of words, a proxy that sends that route elsewhere.
 */
const refusesWords = (err: unknown) =>
  err instanceof KokoroError &&
  (err.kind === 'notFound' ||
    err.kind === 'badRequest' ||
    err.kind === 'notAudio' ||
    err.kind === 'redirect' ||
    (err.kind === 'http' && err.status === 405));

/** Splits raw text into blocks at line ends (or spaces, for one huge line), the first one small. */
export function* rawBlocks(text: string, firstBlockChars: number, blockChars: number): Generator<string> {
  let at = 0;
  let size = firstBlockChars;
  while (at < text.length) {
    let end = Math.min(text.length, at + size);
    if (end < text.length) {
      const newline = text.lastIndexOf('\n', end);
      if (newline > at + size / 4) end = newline + 1;
      else {
        const nextNewline = text.indexOf('\n', end);
        if (nextNewline >= 0 && nextNewline < at + size * 2) end = nextNewline + 1;
        else {
          const space = text.lastIndexOf(' ', end);
          if (space > at + size / 4) end = space + 1;
        }
      }
    }
    yield text.slice(at, end);
    at = end;
    size = blockChars;
  }
}

function* speechChunks(
  request: ReadingRequest,
  options: ReaderOptions & { firstBlockChars: number; blockChars: number },
  limit: ChunkLimit | ChunkOptions,
): Generator<string> {
  const chunker = new Chunker(limit, request.sentences);
  let firstBlockChars = options.firstBlockChars;
  for (const piece of typeof request.text === 'string' ? [request.text] : request.text) {
    for (const block of rawBlocks(piece, firstBlockChars, options.blockChars)) {
      const prepared = request.prepare ? request.prepare(block) : block;
      if (prepared.trim()) yield* chunker.push(prepared);
    }
    firstBlockChars = options.blockChars;
  }
  yield* chunker.finish();
}

/** Where a chunk request's audio and words go as they come: the reading that owns the request. */
interface ChunkOwner {
  audio: AudioCallback;
  /** All the words timed so far. */
  words(timed: readonly WordTiming[]): void;
}

/**
 * A chunk's request under way, keeping what it has received, so that a continuation that needs the
 * same chunk under the same settings can take it over from the reading it replaces (see Reader.read).
 */
class ChunkRequest {
  readonly controller = new AbortController();
  /** Copies of the audio received so far. */
  readonly frames: Uint8Array[] = [];
  sampleRate = 24_000;
  /** The words timed so far (a request with words). */
  timed: readonly WordTiming[] = [];
  readonly done: Promise<SpeechTimings>;

  constructor(
    /** The chunk and the params it was asked with (audioCacheKey). */
    readonly key: string,
    /** What speaks it: the reading's engine or the client. */
    readonly speaker: SpeechEngine | KokoroClient,
    readonly withWords: boolean,
    public owner: ChunkOwner,
    send: (onAudio: AudioCallback, onWords: WordsCallback, signal: AbortSignal) => Promise<SpeechTimings>,
  ) {
    this.done = send(
      (pcm, sampleRate, marks) => {
        this.owner.audio(pcm, sampleRate, marks);
        this.frames.push(new Uint8Array(pcm)); // after: the first audio is not kept waiting for a copy
        this.sampleRate = sampleRate;
      },
      (words) => {
        this.timed = this.timed.concat(words);
        this.owner.words(this.timed);
      },
      this.controller.signal,
    );
  }
}

interface ActiveReading {
  id: number;
  /** Aborted when the reading is stopped; its requests have their own controllers (a continuation may take one over). */
  controller: AbortController;
  inFlight?: ChunkRequest;
  /** The request under way for the reading this one continues, kept until this reading's first request: it may be for that chunk. */
  handedOver?: ChunkRequest;
  request: ReadingRequest;
  /** The chunks taken from `source` so far, and the samples delivered for each. */
  chunks: string[];
  chunkSamples: number[];
  source: Iterator<string>;
  /** The number of chunk 0 among the chunks of the text. */
  firstSegment: number;
  /** The text's chunks before chunk 0. */
  earlier: readonly string[];
  /** Set once `source` is exhausted: the number after the text's last chunk. */
  segmentCount?: number;
}

export class Reader {
  private nextId = 1;
  private active: ActiveReading | undefined;
  /** The latest reading, kept after its audio is all fetched: its audio may still be playing. */
  private latest: ActiveReading | undefined;
  private readonly options: Omit<Required<ReaderOptions>, 'chunks'> & { chunks?: ChunkOptions };
  private readonly recentAudio: AudioCache;
  /** What this server's requests cost; forgotten when the client (the server) changes. */
  readonly pace = new ServerPace();
  private paceOf: KokoroClient | undefined;

  constructor(
    private readonly client: () => KokoroClient,
    private readonly sink: AudioSink,
    private readonly stats?: LatencyStats,
    options: ReaderOptions = {},
  ) {
    this.options = { firstBlockChars: 1_000, blockChars: 4_000, cache: new AudioCache(0), recentAudioBytes: 16 * 1024 * 1024, ...options };
    this.recentAudio = new AudioCache(this.options.recentAudioBytes);
  }

  /**
   * Request sizes follow the server's pace, except for cached messages: their chunks are the cache
   * keys, so they are cut the same way every time (a prefetched message must be found again).
   */
  private chunkLimit(request: ReadingRequest): ChunkLimit | ChunkOptions {
    if (this.options.chunks) return this.options.chunks;
    return request.cache ? DEFAULT_CHUNK_OPTIONS : (index) => this.pace.chunkChars(index);
  }

  /** The client for the next request; a different one (a new server URL) starts the pace afresh. */
  private currentClient(): KokoroClient {
    const client = this.client();
    if (client !== this.paceOf) {
      this.paceOf = client;
      this.pace.reset();
    }
    return client;
  }

  private recordCost(chars: number, timings: SpeechTimings): void {
    if (timings.firstByteAt !== undefined && timings.samples > 0)
      this.pace.record({ chars, firstByteMs: timings.firstByteAt - timings.sentAt, totalMs: timings.endedAt - timings.sentAt });
  }

  get reading(): boolean {
    return this.active !== undefined;
  }

  get currentId(): number | undefined {
    return this.active?.id;
  }

  /** Stops the current reading (silence, abort its request) and reports whether one was running. */
  stop(): boolean {
    const active = this.active;
    if (!active) return false;
    this.active = undefined;
    active.controller.abort();
    active.inFlight?.controller.abort();
    active.handedOver?.controller.abort();
    this.sink.abort(active.id);
    return true;
  }

  /** Sends the request for `chunk`; its audio and words go to `owner`. */
  private send(chunk: string, key: string, params: SpeechParams, engine: SpeechEngine | undefined, words: boolean, owner: ChunkOwner) {
    const client = engine ? undefined : this.currentClient();
    return new ChunkRequest(key, engine ?? client!, words && !engine, owner, (onAudio, onWords, signal) =>
      engine
        ? engine.speak(chunk, params, onAudio, signal)
        : words
          ? client!.speakCaptioned(chunk, params, onAudio, onWords, signal)
          : client!.speak(chunk, params, onAudio, signal),
    );
  }

  private prefetching: { key: string; controller: AbortController; done: Promise<number> } | undefined;

  /**
   * Synthesises `request` into the cache without playing it, so a later reading of the
   * same text starts at once. A newer prefetch or any reading cancels it; it never
   * runs beside a reading (the server generates one request at a time).
   */
  prefetch(request: ReadingRequest & { text: string }, maxChunks = 2): Promise<number> {
    const key = audioCacheKey(request.text, request.params);
    // The same text asked again while it is being fetched (diagnostics change in bursts): keep going.
    if (this.prefetching?.key === key && !this.prefetching.controller.signal.aborted) return this.prefetching.done;
    this.prefetching?.controller.abort();
    if (this.active) return Promise.resolve(0);
    const controller = new AbortController();
    const done = this.runPrefetch(request, maxChunks, controller.signal).finally(() => {
      if (this.prefetching?.controller === controller) this.prefetching = undefined;
    });
    this.prefetching = { key, controller, done };
    return done;
  }

  private async runPrefetch(request: ReadingRequest, maxChunks: number, signal: AbortSignal): Promise<number> {
    let fetched = 0;
    try {
      for (const chunk of speechChunks(request, this.options, this.chunkLimit({ ...request, cache: true }))) {
        if (signal.aborted || this.active || fetched >= maxChunks) break;
        const key = audioCacheKey(chunk, request.params);
        if (this.options.cache.has(key)) continue;
        const frames: Uint8Array[] = [];
        const timings = await this.currentClient().speak(chunk, request.params, (pcm) => frames.push(new Uint8Array(pcm)), signal);
        this.recordCost(chunk.length, timings);
        this.options.cache.set(key, { frames, sampleRate: timings.sampleRate, bytes: timings.samples * 2 });
        fetched++;
      }
    } catch {
      // a failed or cancelled prefetch costs nothing: the reading will ask again
    }
    return fetched;
  }

  get cache(): AudioCache {
    return this.options.cache;
  }

  /**
   * The rest of reading `readingId` from the chunk under the playhead (`samplesPlayed` into its
   * audio), as a request to read with new settings (a speed change). Undefined when that reading
   * is no longer the latest.
   */
  continuation(readingId: number, samplesPlayed: number): ReadingRequest | undefined {
    const reading = this.latest;
    if (!reading || reading.id !== readingId) return undefined;
    let index = 0;
    // Skip the chunks fully played; a chunk with no audio delivered yet is where the playhead waits.
    for (
      let played = samplesPlayed;
      index < reading.chunkSamples.length && reading.chunkSamples[index] > 0 && played >= reading.chunkSamples[index];
      index++
    ) {
      played -= reading.chunkSamples[index];
    }
    return this.continueFrom(reading, reading.firstSegment + index);
  }

  /**
   * The rest of reading `readingId` from chunk number `segment` (numbered as `sink.segment` numbers
   * them): to skip or repeat sentences. Undefined when that reading is no longer the latest or the
   * text has no such chunk. Chunks whose audio came whole are played again without a request.
   */
  continuationAt(readingId: number, segment: number): ReadingRequest | undefined {
    const reading = this.latest;
    if (!reading || reading.id !== readingId) return undefined;
    const index = segment - reading.firstSegment;
    if (segment < 0) return undefined;
    while (reading.chunks.length <= index && reading.segmentCount === undefined) {
      const next = reading.source.next();
      if (next.done) reading.segmentCount = reading.firstSegment + reading.chunks.length;
      else {
        reading.chunks.push(next.value);
        reading.chunkSamples.push(0);
        reading.request.onSegment?.(reading.firstSegment + reading.chunks.length - 1, next.value);
      }
    }
    return index < reading.chunks.length ? this.continueFrom(reading, segment) : undefined;
  }

  /** The text of `reading` from its chunk numbered `segment` on (which may be before the reading's first). */
  private continueFrom(reading: ActiveReading, segment: number): ReadingRequest {
    const known = reading.earlier.concat(reading.chunks);
    const again = known.slice(segment);
    const rest = reading.source;
    let next = 0;
    const chunks: Iterator<string> = {
      next: () => (next < again.length ? { done: false, value: again[next++] } : rest.next()),
    };
    return { ...reading.request, chunks, firstSegment: segment, earlierChunks: known.slice(0, segment), continues: true };
  }

  /**
   * Reads `request` to the end; a reading already running is stopped first. A continuation keeps that
   * reading's request under way until its own first request: when that is for the same chunk (the
   * first one, or the next after chunks played again from memory, as in Repeat Sentence), under the
   * same settings, by the same engine or client, it takes the request over (the audio received so far
   * and the rest as it streams) instead of asking again, which a server that finishes what it started
   * (Kokoro-FastAPI notices a disconnect only between sentence groups) would generate twice. Otherwise
   * it cancels it then, before sending its own.
   */
  async read(request: ReadingRequest): Promise<ReadingResult> {
    const previous = this.active;
    const handedOver = request.continues ? (previous?.inFlight ?? previous?.handedOver) : undefined;
    if (handedOver) previous!.inFlight = previous!.handedOver = undefined; // spared by stop()
    this.stop();
    this.prefetching?.controller.abort();
    const startedAt = now();
    const source = request.chunks ?? speechChunks(request, this.options, this.chunkLimit(request));
    const firstSegment = request.firstSegment ?? 0;
    const reading: ActiveReading = {
      id: this.nextId++,
      controller: new AbortController(),
      request,
      chunks: [],
      chunkSamples: [],
      source,
      firstSegment,
      earlier: request.earlierChunks ?? [],
      handedOver,
    };
    this.active = reading;
    this.latest = reading;
    const { signal } = reading.controller;
    const result: ReadingResult = {
      id: reading.id,
      outcome: 'completed',
      requests: 0,
      samples: 0,
      sampleRate: 24_000,
      chunks: [],
      cachedChunks: 0,
      adoptedChunks: 0,
    };
    let preparedAt = startedAt;
    const deliver = (pcm: Uint8Array, sampleRate: number, marks?: RequestMarks) => {
      if (result.firstAudio === undefined) {
        result.firstAudio = { ...marks, startedAt, preparedAt, deliveredAt: now() };
        result.firstAudioMs = result.firstAudio.deliveredAt - startedAt;
        if (!request.engine) this.stats?.record('firstAudioMs', result.firstAudioMs); // the server's figures, not a fallback's
        request.onFirstAudio?.(result.firstAudio);
      }
      result.samples += pcm.length >> 1;
      result.sampleRate = sampleRate;
      reading.chunkSamples[reading.chunkSamples.length - 1] += pcm.length >> 1;
      this.sink.audio(reading.id, pcm, sampleRate);
    };
    this.sink.begin(reading.id, request.title ?? (typeof request.text === 'string' ? request.text : ''));
    let speaking: number | undefined;
    let useWords = request.words === true;
    /** The reading went on once after its stream broke; `again`: the chunk to ask for again first. */
    let resumed = false;
    let again: string | undefined;
    try {
      // A manual loop, not for-of: breaking out must not close `source`, a continuation may go on with it. A stopped
      // reading takes no further chunk from it: that one would be lost to the reading that continues this one.
      for (let next; !signal.aborted && (again !== undefined || !(next = source.next()).done);) {
        const chunk = again ?? next!.value;
        again = undefined;
        if (reading.chunks.length === 0) preparedAt = now();
        const segment = firstSegment + reading.chunks.length;
        reading.chunks.push(chunk);
        reading.chunkSamples.push(0);
        request.onSegment?.(segment, chunk);
        if (signal.aborted) break;
        if (result.chunks.length > 0) await this.sink.room(reading.id, this.pace.lookAheadSeconds(chunk.length));
        if (signal.aborted) break;
        this.sink.segment(reading.id, chunk, segment);
        result.chunks.push(chunk);
        const params = request.currentParams?.() ?? request.params;
        const key = audioCacheKey(chunk, params);
        const cached = request.engine
          ? undefined
          : (this.options.cache.get(key) ?? (request.continues ? this.recentAudio.get(key) : undefined));
        // Audio kept without word timings is asked for again when the words are wanted.
        const replayed = cached && (!useWords || cached.words) ? cached : undefined;
        if (replayed) {
          result.cachedChunks++;
          for (const frame of replayed.frames) deliver(frame, replayed.sampleRate);
          if (useWords && replayed.words) request.onWords?.(segment, replayed.words);
          continue;
        }
        const handedOver = reading.handedOver;
        reading.handedOver = undefined;
        const adopted =
          handedOver &&
          handedOver.key === key &&
          (!useWords || handedOver.withWords) &&
          handedOver.speaker === (request.engine ?? this.currentClient())
            ? handedOver
            : undefined;
        if (handedOver !== adopted) handedOver?.controller.abort();
        speaking = reading.chunks.length - 1;
        const owner: ChunkOwner = {
          audio: (pcm, sampleRate, marks) => {
            if (!signal.aborted) deliver(pcm, sampleRate, marks);
          },
          words: (timed) => {
            if (!signal.aborted && useWords) request.onWords?.(segment, timed);
          },
        };
        const engine = request.engine;
        let current: ChunkRequest;
        if (adopted) {
          result.adoptedChunks++;
          current = adopted;
          current.owner = owner;
          // What it received before it was taken over goes first, without request marks (as cached audio); the rest follows as it comes.
          for (const frame of current.frames) deliver(frame, current.sampleRate);
          if (useWords && current.timed.length > 0) request.onWords?.(segment, current.timed);
        } else {
          result.requests++;
          current = this.send(chunk, key, params, engine, useWords, owner);
        }
        reading.inFlight = current;
        let timings: SpeechTimings;
        try {
          timings = await whenNotAborted(current.done, signal);
        } catch (err) {
          if (useWords && refusesWords(err) && current.frames.length === 0) {
            // A server that no longer has the captioned route (replaced by an older one): the same chunk without words.
            useWords = false;
            request.onWordsRefused?.();
            current = reading.inFlight = this.send(chunk, key, params, engine, false, owner);
            timings = await whenNotAborted(current.done, signal);
          } else if (!signal.aborted && !resumed && result.samples > 0 && breaksMidReading(err)) {
            // The stream broke in the middle of the reading (a replica behind a load balancer died): once per reading, a
            // fresh request goes on from the next unheard chunk, this one if none of its audio came; a gap, never a repeat.
            reading.inFlight = undefined;
            resumed = true;
            speaking = undefined;
            request.onResumedAfterBreak?.(err as KokoroError);
            if (current.frames.length === 0) {
              reading.chunks.pop();
              reading.chunkSamples.pop();
              result.chunks.pop();
              again = chunk;
            }
            continue;
          } else throw err;
        }
        reading.inFlight = undefined;
        speaking = undefined;
        // Taken over by a continuation as it ended: what it cost and brought are the continuation's.
        if (current.owner !== owner) break;
        if (!engine) this.recordCost(chunk.length, timings);
        // A fallback voice's audio is not kept: under the same text and settings the cache holds Kokoro's.
        if (!signal.aborted && !engine)
          (request.cache ? this.options.cache : this.recentAudio).set(key, {
            frames: current.frames,
            sampleRate: timings.sampleRate,
            bytes: timings.samples * 2,
            words: current.withWords ? current.timed : undefined,
          });
        if (timings.firstByteAt !== undefined && !engine) {
          const firstByteMs = timings.firstByteAt - timings.sentAt;
          result.firstByteMs ??= firstByteMs;
          this.stats?.record('firstByteMs', firstByteMs);
          const streamSeconds = (timings.endedAt - timings.sentAt) / 1000;
          if (timings.samples > timings.sampleRate / 10 && streamSeconds > 0) {
            this.stats?.record('realTimeFactor', timings.samples / timings.sampleRate / streamSeconds);
          }
        }
      }
      if (!signal.aborted) reading.segmentCount ??= firstSegment + reading.chunks.length;
      result.segmentCount = reading.segmentCount;
      if (signal.aborted) result.outcome = 'stopped';
      else if (result.chunks.length === 0) result.outcome = 'empty';
      if (!signal.aborted) this.sink.end(reading.id);
    } catch (err) {
      const error =
        err instanceof KokoroError ? err : new KokoroError('http', l10n.t('Reading failed: {0}', (err as Error)?.message ?? String(err)));
      if (error.kind === 'aborted' || signal.aborted) {
        result.outcome = 'stopped';
      } else {
        result.outcome = 'failed';
        result.error = error;
        // The chunk that failed is not done, even if some of its audio came and played: a continuation (Retry) starts at it.
        if (speaking !== undefined) reading.chunkSamples[speaking] = 0;
        if (this.active === reading) this.sink.end(reading.id, briefly(error.message)); // already-sent audio plays out
      }
    } finally {
      // A reading that ends before its first request (stopped, or all of it played from memory) takes nothing over.
      reading.handedOver?.controller.abort();
      if (this.active === reading) this.active = undefined;
    }
    if (this.stats) {
      this.stats.readings++;
      if (result.outcome === 'failed') this.stats.failures++;
    }
    return result;
  }
}
