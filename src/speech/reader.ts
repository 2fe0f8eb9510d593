// The reading pipeline: text → prepared blocks → chunks → streamed requests → audio
// sink, one reading at a time, with stop that silences and aborts at once.

import * as l10n from '@vscode/l10n';
import { performance } from 'node:perf_hooks';
import type { KokoroClient, RequestMarks, SpeechParams, SpeechTimings } from '../kokoro/client';
import { KokoroError, briefly } from '../kokoro/errors';
import { type LatencyStats } from '../stats/latency';
import { AudioCache, audioCacheKey } from './audioCache';
import { type ChunkLimit, Chunker, type ChunkOptions, DEFAULT_CHUNK_OPTIONS } from './chunker';
import { ServerPace } from './pacing';

/** Where audio goes: the webview player in the editor, a counter in the benchmark. */
export interface AudioSink {
  begin(readingId: number, title: string): void;
  /** The chunk whose audio comes next (shown in the player). */
  segment(readingId: number, text: string): void;
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
  /** Called once, when the first audio of the reading is handed to the sink. */
  onFirstAudio?: (marks: FirstAudioMarks) => void;
}

/** How the first audio of a reading came (performance.now() ms); the request marks are absent when it came from the cache. */
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
  /** First request sent → its first audio byte. */
  firstByteMs?: number;
  requests: number;
  samples: number;
  sampleRate: number;
  /** Chunks read, in order. */
  chunks: string[];
  /** Chunks played from the audio cache, without a request. */
  cachedChunks: number;
}

export interface ReaderOptions {
  /** Fixed request sizes; by default they follow the server's measured pace. */
  chunks?: ChunkOptions;
  /** Raw text is prepared in blocks of about this size; the first block is smaller for fast first audio. */
  firstBlockChars?: number;
  blockChars?: number;
  cache?: AudioCache;
}

const now = () => performance.now();

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
  const chunker = new Chunker(limit);
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

interface ActiveReading {
  id: number;
  controller: AbortController;
  request: ReadingRequest;
  /** The chunks taken from `source` so far, and the samples delivered for each. */
  chunks: string[];
  chunkSamples: number[];
  source: Iterator<string>;
}

export class Reader {
  private nextId = 1;
  private active: ActiveReading | undefined;
  /** The latest reading, kept after its audio is all fetched: its audio may still be playing. */
  private latest: ActiveReading | undefined;
  private readonly options: Omit<Required<ReaderOptions>, 'chunks'> & { chunks?: ChunkOptions };
  /** What this server's requests cost; forgotten when the client (the server) changes. */
  readonly pace = new ServerPace();
  private paceOf: KokoroClient | undefined;

  constructor(
    private readonly client: () => KokoroClient,
    private readonly sink: AudioSink,
    private readonly stats?: LatencyStats,
    options: ReaderOptions = {},
  ) {
    this.options = { firstBlockChars: 1_000, blockChars: 4_000, cache: new AudioCache(0), ...options };
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
    this.sink.abort(active.id);
    return true;
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
    const again = reading.chunks.slice(index);
    const rest = reading.source;
    const chunks: Iterator<string> = {
      next: () => (again.length ? { done: false, value: again.shift()! } : rest.next()),
    };
    return { ...reading.request, chunks };
  }

  /** Reads `request` to the end; a reading already running is stopped first. */
  async read(request: ReadingRequest): Promise<ReadingResult> {
    this.stop();
    this.prefetching?.controller.abort();
    const startedAt = now();
    const source = request.chunks ?? speechChunks(request, this.options, this.chunkLimit(request));
    const reading: ActiveReading = { id: this.nextId++, controller: new AbortController(), request, chunks: [], chunkSamples: [], source };
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
    };
    let preparedAt = startedAt;
    const deliver = (pcm: Uint8Array, sampleRate: number, marks?: RequestMarks) => {
      if (result.firstAudio === undefined) {
        result.firstAudio = { ...marks, startedAt, preparedAt, deliveredAt: now() };
        result.firstAudioMs = result.firstAudio.deliveredAt - startedAt;
        this.stats?.record('firstAudioMs', result.firstAudioMs);
        request.onFirstAudio?.(result.firstAudio);
      }
      result.samples += pcm.length >> 1;
      result.sampleRate = sampleRate;
      reading.chunkSamples[reading.chunkSamples.length - 1] += pcm.length >> 1;
      this.sink.audio(reading.id, pcm, sampleRate);
    };
    this.sink.begin(reading.id, request.title ?? (typeof request.text === 'string' ? request.text : ''));
    let speaking: number | undefined;
    try {
      // A manual loop, not for-of: breaking out must not close `source`, a continuation may go on with it.
      for (let next = source.next(); !next.done; next = source.next()) {
        const chunk = next.value;
        if (reading.chunks.length === 0) preparedAt = now();
        reading.chunks.push(chunk);
        reading.chunkSamples.push(0);
        if (signal.aborted) break;
        if (result.chunks.length > 0) await this.sink.room(reading.id, this.pace.lookAheadSeconds(chunk.length));
        if (signal.aborted) break;
        this.sink.segment(reading.id, chunk);
        result.chunks.push(chunk);
        const params = request.currentParams?.() ?? request.params;
        const key = audioCacheKey(chunk, params);
        const cached = this.options.cache.get(key);
        if (cached) {
          result.cachedChunks++;
          for (const frame of cached.frames) deliver(frame, cached.sampleRate);
          continue;
        }
        result.requests++;
        speaking = reading.chunks.length - 1;
        const frames: Uint8Array[] | undefined = request.cache ? [] : undefined;
        const timings = await this.currentClient().speak(
          chunk,
          params,
          (pcm, sampleRate, marks) => {
            if (signal.aborted) return;
            frames?.push(new Uint8Array(pcm));
            deliver(pcm, sampleRate, marks);
          },
          signal,
        );
        speaking = undefined;
        this.recordCost(chunk.length, timings);
        if (frames && !signal.aborted) this.options.cache.set(key, { frames, sampleRate: timings.sampleRate, bytes: timings.samples * 2 });
        if (timings.firstByteAt !== undefined) {
          const firstByteMs = timings.firstByteAt - timings.sentAt;
          result.firstByteMs ??= firstByteMs;
          this.stats?.record('firstByteMs', firstByteMs);
          const streamSeconds = (timings.endedAt - timings.sentAt) / 1000;
          if (timings.samples > timings.sampleRate / 10 && streamSeconds > 0) {
            this.stats?.record('realTimeFactor', timings.samples / timings.sampleRate / streamSeconds);
          }
        }
      }
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
      if (this.active === reading) this.active = undefined;
    }
    if (this.stats) {
      this.stats.readings++;
      if (result.outcome === 'failed') this.stats.failures++;
    }
    return result;
  }
}
