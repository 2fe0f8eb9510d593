// The pooled HTTP client for a Kokoro (OpenAI-compatible) TTS server: one undici Pool
// per server with long keep-alive, health and voices, streamed speech, warm-up.

import { performance } from 'node:perf_hooks';
import * as l10n from '@vscode/l10n';
import { Pool } from 'undici';
import { CAPTIONS_PATH, CaptionedSpeechDecoder, type WordsCallback, captionsDecoderFor, isCaptionStream } from './captions';
import { type PcmDecoder, decoderForContentType } from './decoder';
import {
  KokoroError,
  errorBodyMessage,
  gatewayError,
  isGatewayFailure,
  isRedirect,
  networkError,
  redirectError,
  speechHttpError,
} from './errors';
import { FirstByteWindow } from './hedge';
import { outcome } from './outcome';
import { invalidServerUrlMessage, parseServerUrl } from './serverUrl';

export interface KokoroClientOptions {
  /** Base URL; a path prefix is kept (kokoro-web serves under `/api`). */
  serverUrl: string;
  connections: number;
  apiKey?: string;
  healthTimeoutMs: number;
  firstByteTimeoutMs: number;
  /** Longest silence allowed between two pieces of a stream. */
  streamTimeoutMs: number;
  /**
   * Send a speech request again when it has no first byte long after this server's usual time (default true), and
   * play whichever answers first. Never with a pool of one connection: the second request needs a second one.
   */
  hedging?: boolean;
}

export interface SpeechParams {
  model: string;
  voice: string;
  speed: number;
  /** Extra fields merged into the body (user setting); the core fields win. */
  extraFields?: Record<string, unknown>;
}

export interface SpeechTimings {
  sentAt: number;
  headersAt: number;
  firstByteAt: number | undefined;
  endedAt: number;
  samples: number;
  sampleRate: number;
  /** Which replica behind a load balancer answered, where the balancer says (`X-Kokoro-Replica`). */
  replica?: string;
}

export interface HealthResult {
  ok: boolean;
  status: number;
  ms: number;
  /** The project's stand-in server (the demo voice of `npm start`) names itself here: it is not Kokoro. */
  standIn?: string;
}

/** What the user is told about a stand-in server (status bar tooltip, player). */
export function standInNote(name: string): string {
  return l10n.t("{0}: the project's stand-in server, not Kokoro.", name);
}

/** The stand-in's name from a /health body (`{"status":"healthy","stand_in":"…"}`); undefined for a real server. */
export function standInName(body: string): string | undefined {
  try {
    const name = (JSON.parse(body) as { stand_in?: unknown }).stand_in;
    return typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

export interface WarmUpResult {
  healthMs: number;
  /** The first synthesis to answer: from sending it to its end (the server was ready from then on). */
  synthesisMs: number;
  firstByteMs: number;
  /** Syntheses sent: one per pooled connection, all at once. */
  syntheses: number;
  /** How many of them answered with audio. */
  answered: number;
  /**
   * The distinct replicas that answered, sorted, where the server (its load balancer) names them in
   * `X-Kokoro-Replica`; undefined when no answer named one. Best effort: the balancer picks the replica
   * of each request, so a pool of N connections may well reach fewer than N replicas.
   */
  replicas: string[] | undefined;
  connectionsOpen: number;
}

export interface WarmUpOptions {
  signal?: AbortSignal;
  /** Called once, as soon as one synthesis has answered: the server is ready, the others may still be going. */
  onFirstAnswer?: () => void;
}

/** The response header in which a load balancer names the replica that answered (nginx: `add_header X-Kokoro-Replica $upstream_addr always;`). */
const REPLICA_HEADER = 'x-kokoro-replica';

/**
 * The replica named by a header value. nginx's `$upstream_addr` lists every upstream tried, separated by commas
 * (and by colons across internal redirects): the last one answered.
 */
export function replicaName(value: string): string | undefined {
  const last = value
    .split(/\s*,\s*|\s+:\s+/)
    .at(-1)
    ?.trim();
  return last ? last.slice(0, 100) : undefined;
}

/** When a request was sent, its headers came and its first audio byte came (performance.now() ms). */
export interface RequestMarks {
  sentAt: number;
  headersAt: number;
  firstByteAt: number;
}

export type AudioCallback = (pcm: Uint8Array, sampleRate: number, marks: RequestMarks) => void;

/** What differs between the speech routes: where the request goes, what it adds to the body, how the answer is read. */
interface SpeechRoute {
  path: string;
  fields: Record<string, unknown>;
  /** The decoder for a 200 answer's Content-Type; throws a KokoroError for one it cannot play. */
  decoderFor(contentType: string): PcmDecoder;
  /** After each network read's audio went to onAudio: hands on what else the read carried. */
  afterAudio?(decoder: PcmDecoder): void;
}

const SPEECH_ROUTE: SpeechRoute = { path: '/v1/audio/speech', fields: {}, decoderFor: decoderForContentType };

const now = () => performance.now();
const SOCKET_CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
/** Upper bound on speech per input character, generous for speed 0.25 with pauses. */
const MAX_AUDIO_SECONDS_PER_CHAR = 0.5;
const MAX_AUDIO_SECONDS_BASE = 10;
const WARM_UP_TEXT = 'Ready.';

export class KokoroClient {
  readonly origin: string;
  private readonly prefix: string;
  /** Undefined when the configured URL cannot be used (`urlError` says why). */
  private readonly pool: Pool | undefined;
  /** Why the configured URL cannot be used; every request fails with it. */
  readonly urlError: KokoroError | undefined;
  private closed = false;
  /** Connections opened, for any request (the benchmark compares it with the server's count). */
  connectionsOpened = 0;
  /**
   * Speech requests sent for readings, and how many of them had to wait for a new connection. Warm-up's own
   * syntheses are not counted: they are not readings, and would show as kept-alive connections being reused.
   */
  speechRequests = 0;
  speechOnNewConnection = 0;
  /** Connections closed to cancel a request in progress (a Stop, a timeout): HTTP/1.1 has no other way. */
  connectionsAborted = 0;
  /** Connections closed for any reason: cancelled, or idle past the keep-alive, or by the server. */
  connectionsClosed = 0;
  /** Speech requests sent a second time for want of a first byte, and how many of those second requests answered first. */
  hedgesFired = 0;
  hedgesWon = 0;
  /**
   * For each won hedge, how long before the first-byte timeout its audio came: the wait it saved if the first request
   * would never have answered (a hung replica), which is what hedging is for. The first request is aborted at once, so
   * when it was only slow, what it would have taken is unknown and this is an upper bound.
   */
  hedgeSavedMs = 0;
  private readonly firstBytes: FirstByteWindow;
  private speechInFlight = 0;
  private lastAudioAt = -Infinity;
  /** What the last health check said the server is, when it is the project's stand-in. */
  standIn: string | undefined;

  constructor(readonly options: KokoroClientOptions) {
    this.firstBytes = new FirstByteWindow(options.firstByteTimeoutMs);
    const parsed = parseServerUrl(options.serverUrl);
    if (!parsed.ok) {
      // Not thrown: a client for a URL that cannot be used still answers, with this error, so nothing that holds one breaks.
      this.urlError = new KokoroError('badUrl', invalidServerUrlMessage(options.serverUrl, parsed.reason));
      this.origin = '';
      this.prefix = options.serverUrl.trim();
      return;
    }
    const url = new URL(parsed.url);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    const pool = new Pool(this.origin, {
      connections: Math.max(1, options.connections),
      pipelining: 1,
      keepAliveTimeout: 10 * 60_000,
      keepAliveMaxTimeout: 60 * 60_000,
      // A server's Keep-Alive hint (Node: "timeout=5") is trusted down to one second before it.
      keepAliveTimeoutThreshold: 1000,
      connectTimeout: Math.max(options.firstByteTimeoutMs, 1000),
      headersTimeout: 0, // own timers: first byte and stall
      bodyTimeout: 0,
    });
    pool.on('connect', () => this.connectionsOpened++);
    pool.on('disconnect', () => {
      this.connectionsClosed++;
      const listeners = this.disconnectListeners.splice(0);
      for (const listener of listeners) listener();
    });
    this.pool = pool;
  }

  private readonly disconnectListeners: Array<() => void> = [];

  /** Calls `listener` once, when the next pooled connection closes (the benchmark times stop with it). */
  onNextDisconnect(listener: () => void): void {
    this.disconnectListeners.push(listener);
  }

  get url(): string {
    return this.origin + this.prefix;
  }

  /** How long a speech request may go without a first byte before it is hedged, learned from this client's requests (ms). */
  get hedgeDelayMs(): number {
    return this.firstBytes.delayMs;
  }

  private get mayHedge(): boolean {
    return this.options.hedging !== false && this.options.connections >= 2;
  }

  /**
   * A health check on every idle pooled connection at once, so none sits idle long enough for the server to close it.
   * It only keeps sockets open, so it waits as long as a stream may be silent: a server generating speech
   * answers nothing else until its current sentence group is done (Kokoro-FastAPI blocks its event loop).
   */
  async touchConnections(): Promise<void> {
    const idle = this.pool?.stats.free ?? 0;
    const timeoutMs = Math.max(this.options.healthTimeoutMs, this.options.streamTimeoutMs);
    await Promise.all(Array.from({ length: idle }, () => this.request('/health', timeoutMs)));
  }

  /**
   * The server is holding a speech request of ours, or sent audio within the stream timeout: it is
   * alive, however long it takes to answer anything else.
   */
  get busy(): boolean {
    return this.speechInFlight > 0 || now() - this.lastAudioAt < this.options.streamTimeoutMs;
  }

  /** Connections the pool holds open right now. */
  get openConnections(): number {
    return this.pool?.stats.connected ?? 0;
  }

  private headers(json: boolean): Record<string, string> {
    const headers: Record<string, string> = {};
    if (json) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }

  /** A request returning status and body text; retried once on a fresh connection if a kept-alive socket was closed under it. */
  private async request(
    path: string,
    timeoutMs: number,
    signal?: AbortSignal,
    body?: string,
  ): Promise<{ status: number; body: string; contentType: string; location: string }> {
    const pool = this.pool;
    if (!pool) throw this.urlError;
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const res = await pool.request({
          method: body === undefined ? 'GET' : 'POST',
          path: this.prefix + path,
          headers: this.headers(body !== undefined),
          body,
          signal: controller.signal,
        });
        return {
          status: res.statusCode,
          body: await readAtMost(res.body, MAX_ANSWER_BYTES),
          contentType: String(res.headers['content-type'] ?? ''),
          location: String(res.headers.location ?? ''),
        };
      } catch (err) {
        if (controller.signal.aborted && !signal?.aborted)
          throw new KokoroError('timeout', l10n.t('The server at {0} did not answer {1} within {2} ms.', this.url, path, timeoutMs));
        if (attempt === 0 && isSocketClosed(err)) continue;
        throw networkError(err, this.url);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    }
  }

  async health(signal?: AbortSignal): Promise<HealthResult> {
    const start = now();
    const res = await this.request('/health', this.options.healthTimeoutMs, signal);
    if (isGatewayFailure(res.status)) throw gatewayError(res.status, this.url);
    this.standIn = res.status === 200 ? standInName(res.body) : undefined;
    // Servers without /health (Kokoros) still prove they are up by answering at all.
    return { ok: res.status < 500, status: res.status, ms: now() - start, standIn: this.standIn };
  }

  /** Voice ids from any of the shapes servers use: {voices:[id|{id}]}, {data:[{id}]}, [id]. */
  async voices(signal?: AbortSignal): Promise<string[]> {
    const timeout = Math.max(this.options.healthTimeoutMs, 5000);
    let res = await this.request('/v1/audio/voices', timeout, signal);
    if (res.status === 404) res = await this.request('/v1/voices', timeout, signal);
    if (isRedirect(res.status)) throw redirectError(res.status, res.location, this.url, '/v1/audio/voices');
    if (res.status !== 200) {
      const detail = errorBodyMessage(res.body, res.contentType);
      throw new KokoroError(
        res.status === 404 ? 'notFound' : 'http',
        detail
          ? l10n.t('The server did not list its voices (HTTP {0}): {1}.', res.status, detail)
          : l10n.t('The server did not list its voices (HTTP {0}).', res.status),
        res.status,
      );
    }
    return parseVoices(res.body);
  }

  /**
   * Streams speech for `input`, calling `onAudio` with s16le mono PCM as it arrives.
   * Resolves when the stream ends; rejects with a KokoroError (kind 'aborted' when `signal` fired).
   */
  speak(input: string, params: SpeechParams, onAudio: AudioCallback, signal?: AbortSignal): Promise<SpeechTimings> {
    return this.stream(SPEECH_ROUTE, input, params, onAudio, signal, true);
  }

  /**
   * `speak` through Kokoro-FastAPI's captioned route: the same audio, and `onWords` with the words of each piece
   * (the server's words: punctuation as words, numbers spelled out), in seconds from the start of this request's
   * audio, right after that piece's audio went to `onAudio`. Ask `supportsCaptions` first: a server without the
   * route answers 404 (kind 'notFound'). A server that answers with plain audio is played without words.
   */
  speakCaptioned(
    input: string,
    params: SpeechParams,
    onAudio: AudioCallback,
    onWords: WordsCallback,
    signal?: AbortSignal,
  ): Promise<SpeechTimings> {
    const route: SpeechRoute = {
      path: CAPTIONS_PATH,
      fields: { return_timestamps: true },
      decoderFor: captionsDecoderFor,
      afterAudio: (decoder) => {
        if (!(decoder instanceof CaptionedSpeechDecoder)) return;
        const words = decoder.takeWords();
        if (words.length) onWords(words);
      },
    };
    return this.stream(route, input, params, onAudio, signal, true);
  }

  /**
   * Whether the server has the captioned route, asked once per client with blank input (which the server answers
   * at once, generating nothing) and remembered. A missing route (404, 405), a body it does not take (422) or an
   * answer that is not a caption stream is false for good; a server error is false for now (asked again next
   * time); a network failure or timeout is thrown, and asked again next time.
   */
  supportsCaptions(signal?: AbortSignal): Promise<boolean> {
    let probe = this.captionsProbe;
    if (!probe) {
      const asked = (probe = this.probeCaptions());
      this.captionsProbe = asked;
      const forget = () => {
        if (this.captionsProbe === asked) this.captionsProbe = undefined;
      };
      asked.then((supported) => {
        if (supported === undefined) forget();
      }, forget);
    }
    return whenNotAborted(
      probe.then((supported) => supported ?? false),
      signal,
    );
  }

  private captionsProbe: Promise<boolean | undefined> | undefined;

  /** True or false when the server's answer settles it; undefined when it may answer otherwise later. */
  private async probeCaptions(): Promise<boolean | undefined> {
    const body = JSON.stringify({ input: ' ', response_format: 'pcm', stream: true, return_timestamps: true });
    // A server generating speech answers nothing else until its current sentence group is done.
    const timeoutMs = Math.max(this.options.healthTimeoutMs, this.options.streamTimeoutMs);
    const res = await this.request(CAPTIONS_PATH, timeoutMs, undefined, body);
    if (res.status >= 500 || [401, 403, 408, 429].includes(res.status)) return undefined;
    return res.status === 200 && isCaptionStream(res.contentType, res.body);
  }

  private async stream(
    route: SpeechRoute,
    input: string,
    params: SpeechParams,
    onAudio: AudioCallback,
    signal: AbortSignal | undefined,
    reading: boolean,
  ): Promise<SpeechTimings> {
    const pool = this.pool;
    if (!pool) throw this.urlError;
    if (reading) this.speechRequests++;
    // The pool sends to an idle connection when it has one, otherwise it opens a new one (below its size) or queues.
    // (`stats.free` lags a tick behind a request that just completed: counted from busy connections instead.)
    const { connected, size, queued } = pool.stats;
    let onNewConnection = connected <= size + queued && connected < Math.max(1, this.options.connections);
    const send: SendAttempt = async (attemptRoute, deliver, attemptSignal, firstByteTimeoutMs) => {
      for (let attempt = 0; ; attempt++) {
        let delivered = false;
        try {
          return await this.speakOnce(
            pool,
            attemptRoute,
            input,
            params,
            (pcm, rate, marks) => {
              if (!delivered) this.firstBytes.record(marks.firstByteAt - marks.sentAt);
              delivered = true;
              deliver(pcm, rate, marks);
            },
            attemptSignal,
            firstByteTimeoutMs,
          );
        } catch (err) {
          // A kept-alive connection the server had closed: safe to send again on a fresh one, since nothing was played.
          if (attempt === 0 && !delivered && !attemptSignal?.aborted && err instanceof RetryableSocketError) {
            onNewConnection = true;
            continue;
          }
          throw err instanceof RetryableSocketError ? networkError(err.cause, this.url) : err;
        }
      }
    };
    const deliver: AudioCallback = (pcm, rate, marks) => {
      this.lastAudioAt = now();
      onAudio(pcm, rate, marks);
    };
    this.speechInFlight++;
    try {
      // Warm-up syntheses are not hedged: each is meant to reach its own connection (and the replica behind it).
      return this.mayHedge && reading
        ? await this.hedged(route, send, deliver, signal)
        : await send(route, deliver, signal, this.options.firstByteTimeoutMs);
    } finally {
      this.speechInFlight--;
      if (reading && onNewConnection) this.speechOnNewConnection++;
    }
  }

  /**
   * `send`, and when no audio came within the hedge delay, `send` again (speech is idempotent): the pool puts the
   * second request on another connection. The first to deliver audio (or to end well without any) wins and the
   * other is aborted at once, its connection closed, so the server stops generating it; only the winner's audio
   * and words reach the caller. One failing leaves the other to answer; when both fail, the first one's error is
   * the answer. Both share the first request's first-byte deadline, and the winner's timings and marks count from
   * when the first request was sent: the wait for the hedge is part of what the reading waited.
   */
  private hedged(route: SpeechRoute, send: SendAttempt, deliver: AudioCallback, signal: AbortSignal | undefined): Promise<SpeechTimings> {
    const startedAt = now();
    const { firstByteTimeoutMs } = this.options;
    // The hedge's controller is made when the hedge is sent: most requests never need one.
    const controllers = [new AbortController()];
    const abortAll = () => controllers.forEach((c) => c.abort());
    if (signal?.aborted) abortAll();
    signal?.addEventListener('abort', abortAll, { once: true });
    let winner: number | undefined;
    let hedgeTimer: NodeJS.Timeout | undefined;
    const win = (who: number) => {
      if (winner !== undefined) return;
      winner = who;
      clearTimeout(hedgeTimer);
      controllers[1 - who]?.abort();
      if (who === 1) {
        this.hedgesWon++;
        this.hedgeSavedMs += Math.max(0, startedAt + firstByteTimeoutMs - now());
      }
    };
    const fromStart = <T extends { sentAt: number }>(who: number, marks: T): T => (who === 0 ? marks : { ...marks, sentAt: startedAt });
    return new Promise<SpeechTimings>((resolve, reject) => {
      const errors: unknown[] = [];
      let running = 0;
      const finish = () => {
        clearTimeout(hedgeTimer);
        signal?.removeEventListener('abort', abortAll);
      };
      const run = (who: number, timeoutMs: number) => {
        running++;
        // Words the loser read are never taken from its decoder; the winner's stay there until its audio has won.
        const afterAudio = route.afterAudio;
        const attemptRoute: SpeechRoute = afterAudio
          ? { ...route, afterAudio: (decoder) => (winner === who ? afterAudio(decoder) : undefined) }
          : route;
        const attemptAudio: AudioCallback = (pcm, rate, marks) => {
          win(who);
          if (winner === who) deliver(pcm, rate, fromStart(who, marks));
        };
        send(attemptRoute, attemptAudio, controllers[who].signal, timeoutMs).then(
          (timings) => {
            running--;
            win(who);
            if (winner !== who) return;
            finish();
            resolve(fromStart(who, timings));
          },
          (error: unknown) => {
            running--;
            errors[who] = error;
            if (winner === who) {
              // It broke after its audio began: nothing to fall back on without repeating what was heard.
              finish();
              reject(error);
            } else if (winner === undefined && running === 0) {
              finish();
              reject(errors[0] ?? error);
            }
          },
        );
      };
      run(0, firstByteTimeoutMs);
      const delay = this.firstBytes.delayMs;
      if (delay >= firstByteTimeoutMs) return;
      hedgeTimer = setTimeout(() => {
        if (winner !== undefined || running === 0 || signal?.aborted || this.closed) return;
        this.hedgesFired++;
        controllers.push(new AbortController());
        run(1, Math.max(0, startedAt + firstByteTimeoutMs - now()));
      }, delay);
    });
  }

  /**
   * One streamed request through undici's dispatcher: audio reaches `onAudio` straight from the
   * socket, without a stream or async iterator in between (measurably less latency per chunk).
   */
  private speakOnce(
    pool: Pool,
    route: SpeechRoute,
    input: string,
    params: SpeechParams,
    onAudio: AudioCallback,
    signal: AbortSignal | undefined,
    firstByteTimeoutMs: number,
  ): Promise<SpeechTimings> {
    if (this.closed || signal?.aborted) return Promise.reject(new KokoroError('aborted', l10n.t('Stopped.')));
    const body = JSON.stringify({
      ...params.extraFields,
      model: params.model,
      input,
      voice: params.voice,
      speed: params.speed,
      response_format: 'pcm',
      stream: true,
      ...route.fields,
    });
    const { streamTimeoutMs } = this.options;
    const maxSamples = Math.ceil(
      ((input.length * MAX_AUDIO_SECONDS_PER_CHAR + MAX_AUDIO_SECONDS_BASE) / Math.max(params.speed, 0.25)) * 48_000,
    );
    return new Promise<SpeechTimings>((resolve, reject) => {
      const sentAt = now();
      let headersAt = sentAt;
      let firstByteAt: number | undefined;
      let samples = 0;
      let status = 0;
      let contentType = '';
      let replica: string | undefined;
      let decoder: PcmDecoder | undefined;
      const errorBody: Buffer[] = [];
      let errorBytes = 0;
      let abortRequest: ((reason?: Error) => void) | undefined;
      let timer: NodeJS.Timeout | undefined;
      // Failing mid-stream aborts the request: undici destroys the socket, so the server sees the disconnect and stops.
      const result = outcome<SpeechTimings>(
        resolve,
        reject,
        signal,
        (error) => {
          if (!abortRequest) return;
          this.connectionsAborted++;
          abortRequest(error instanceof Error ? error : new Error(String(error)));
        },
        () => clearTimeout(timer),
      );
      const { settle, fail } = result;
      const httpError = () =>
        speechHttpError(status, Buffer.concat(errorBody).toString('utf8'), contentType, { voice: params.voice, url: this.url });
      const onTimeout = () =>
        fail(
          firstByteAt === undefined
            ? new KokoroError(
                'timeout',
                l10n.t('No audio from {0} within {1} ms (kokoro.timeouts.firstByteMs).', this.url, this.options.firstByteTimeoutMs),
              )
            : new KokoroError(
                'timeout',
                l10n.t('The audio stream from {0} stalled for {1} ms (kokoro.timeouts.streamMs).', this.url, streamTimeoutMs),
              ),
        );
      timer = setTimeout(onTimeout, firstByteTimeoutMs);
      result.listen();

      pool.dispatch(
        { method: 'POST', path: this.prefix + route.path, headers: this.headers(true), body },
        {
          onConnect: (abort) => {
            abortRequest = abort;
            if (result.settled) abort();
          },
          onHeaders: (statusCode, rawHeaders) => {
            if (result.settled) return false;
            status = statusCode;
            headersAt = now();
            contentType = headerValue(rawHeaders, 'content-type');
            replica = replicaName(headerValue(rawHeaders, REPLICA_HEADER));
            if (isRedirect(status)) {
              fail(redirectError(status, headerValue(rawHeaders, 'location'), this.url, route.path));
              return false;
            }
            if (status === 200) {
              try {
                decoder = route.decoderFor(contentType);
              } catch (err) {
                fail(err);
                return false;
              }
            }
            return true;
          },
          onData: (chunk: Buffer) => {
            if (result.settled) return false;
            if (status !== 200) {
              errorBody.push(chunk);
              errorBytes += chunk.length;
              if (errorBytes < MAX_ERROR_BODY_BYTES) return true;
              // Enough to say what went wrong: a body that goes on (a hostile or broken server) is not waited for.
              fail(httpError());
              return false;
            }
            if (firstByteAt === undefined) {
              firstByteAt = now();
              clearTimeout(timer);
              timer = setTimeout(onTimeout, streamTimeoutMs);
            } else {
              timer?.refresh();
            }
            let pcm: Uint8Array;
            try {
              pcm = decoder!.push(chunk);
            } catch (err) {
              fail(err);
              return false;
            }
            if (pcm.length === 0) {
              route.afterAudio?.(decoder!);
              return true;
            }
            samples += pcm.length >> 1;
            if (samples > maxSamples) {
              fail(
                new KokoroError(
                  'tooLarge',
                  l10n.t('The server sent far more audio than {0} characters can explain; stopped listening.', input.length),
                ),
              );
              return false;
            }
            onAudio(pcm, decoder!.sampleRate, { sentAt, headersAt, firstByteAt });
            route.afterAudio?.(decoder!);
            return true;
          },
          onComplete: () => {
            if (result.settled) return;
            if (status !== 200) {
              settle(httpError());
              return;
            }
            try {
              decoder!.end();
            } catch (err) {
              settle(err);
              return;
            }
            if (samples === 0 && input.trim()) {
              settle(
                new KokoroError('emptyAudio', l10n.t('The server at {0} answered with no audio for "{1}".', this.url, preview(input))),
              );
              return;
            }
            settle(undefined, { sentAt, headersAt, firstByteAt, endedAt: now(), samples, sampleRate: decoder!.sampleRate, replica });
          },
          onError: (err: Error) => {
            if (result.settled) return;
            if (status === 0 && isSocketClosed(err)) settle(new RetryableSocketError(err));
            else if (status !== 0 && isSocketClosed(err))
              settle(new KokoroError('truncated', l10n.t('The connection to {0} broke in the middle of the audio.', this.url)));
            else settle(networkError(err, this.url));
          },
        },
      );
    });
  }

  /**
   * Opens the pool's connections with a health check on each, then synthesises a tiny text on each at once, so
   * the model is loaded (on the GPU) before the user asks for anything, on every replica the connections reach
   * behind a load balancer (best effort: the balancer picks them). Resolves when all have settled; rejects only
   * when none answered, with the first one's error.
   */
  async warmUp(params: SpeechParams, options: WarmUpOptions = {}): Promise<WarmUpResult> {
    const { signal, onFirstAnswer } = options;
    const count = Math.max(1, this.options.connections);
    const healths = await Promise.all(Array.from({ length: count }, () => this.health(signal)));
    const start = now();
    let first: { synthesisMs: number; firstByteMs: number } | undefined;
    const outcomes = await Promise.allSettled(
      Array.from({ length: count }, async () => {
        const timings = await this.stream(SPEECH_ROUTE, WARM_UP_TEXT, params, () => undefined, signal, false);
        if (!first) {
          first = { synthesisMs: now() - start, firstByteMs: (timings.firstByteAt ?? timings.endedAt) - timings.sentAt };
          onFirstAnswer?.();
        }
        return timings;
      }),
    );
    const answers = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    if (!first) throw (outcomes[0] as PromiseRejectedResult).reason;
    const replicas = [...new Set(answers.flatMap((t) => (t.replica ? [t.replica] : [])))].sort();
    return {
      healthMs: Math.min(...healths.map((h) => h.ms)),
      ...first,
      syntheses: count,
      answered: answers.length,
      replicas: replicas.length ? replicas : undefined,
      connectionsOpen: this.openConnections,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool?.destroy().catch(() => undefined);
  }

  /** Sends nothing new; the requests under way end as they would have (a reading keeps its audio), then the pool closes. */
  async retire(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool?.close().catch(() => undefined);
  }
}

/** `promise`, or a rejection ('aborted') as soon as `signal` fires. */
export function whenNotAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  const stopped = () => new KokoroError('aborted', l10n.t('Stopped.'));
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** One try at a speech request, through the route given, with its own abort signal and first-byte time limit. */
type SendAttempt = (
  route: SpeechRoute,
  deliver: AudioCallback,
  signal: AbortSignal | undefined,
  firstByteTimeoutMs: number,
) => Promise<SpeechTimings>;

class RetryableSocketError extends Error {
  constructor(override readonly cause: unknown) {
    super('socket closed before the answer');
  }
}

function isSocketClosed(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return SOCKET_CLOSED_CODES.has(e?.code ?? '') || SOCKET_CLOSED_CODES.has(e?.cause?.code ?? '');
}

/** An error answer is read this far: enough for any message a server gives. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A health, voices or captions answer is read this far (68 voices are about 3 KB). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** The body as text, at most `limit` bytes of it; the rest is not read (the connection is closed instead). */
async function readAtMost(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function headerValue(raw: Buffer[] | string[] | null, name: string): string {
  if (!raw) return '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toString().toLowerCase() === name) return raw[i + 1].toString();
  }
  return '';
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine;
}

export function parseVoices(body: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new KokoroError('notAudio', l10n.t("The server's voice list is not JSON."));
  }
  const list = Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null
      ? ((json as Record<string, unknown>).voices ?? (json as Record<string, unknown>).data)
      : undefined;
  if (!Array.isArray(list)) throw new KokoroError('notAudio', l10n.t("The server's voice list has an unknown shape."));
  const ids = list
    .map((v) =>
      typeof v === 'string'
        ? v
        : typeof v === 'object' && v !== null
          ? ((v as Record<string, unknown>).id ?? (v as Record<string, unknown>).name)
          : undefined,
    )
    .filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length < 200);
  return [...new Set(ids)];
}
