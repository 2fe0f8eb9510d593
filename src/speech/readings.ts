// How a reading is run to its end, whatever happens to the server: the fallback voice reads when
// Kokoro is down (known before, or found out before any audio came), a failure offers Retry, and a
// reading goes on from where it is heard after a speed or voice change, a skip or a repeat.
// Written against the playback, server and host interfaces, so it runs in plain Node.

import * as l10n from '@vscode/l10n';
import type { SpeechParams } from '../kokoro/client';
import type { ServerState } from '../kokoro/connection';
import type { KokoroError } from '../kokoro/errors';
import type { Playback, PlayOptions } from './playback';
import type { ReadingRequest, ReadingResult, SpeechEngine } from './reader';

/** What readings need of the server connection (ServerConnection). */
export interface ReadingsServer {
  readonly state: ServerState;
  readonly lastError: KokoroError | undefined;
  readonly speech: SpeechParams;
  reportFailure(error: KokoroError): void;
  reportSuccess(): void;
}

/** What readings need of the extension around them. */
export interface ReadingsHost {
  /** The fallback voice available now, undefined when there is none (or it is turned off). */
  fallbackEngine(): SpeechEngine | undefined;
  /** The server is down and no fallback voice reads: say once how to get one. */
  noFallbackVoice(): void;
  /** Shows a server error (once per kind), with Retry when `retry` is given. */
  showError(error: KokoroError, retry?: () => unknown): void;
  /** A short information message. */
  inform(message: string): void;
  /** The user moves through the reading (a skip or a repeat), just before it goes on. */
  sentenceMoved(): void;
  log: { info(message: string): void; warn(message: string): void };
  /** A reading ended (completed, stopped, failed or empty); `request` is what was read last (the fallback's, after a fallback). */
  finished(result: ReadingResult, request: ReadingRequest): void;
}

type RetryOf = (failed: ReadingResult) => (() => unknown) | undefined;

/** A failure that says the server is not there (rather than that it refused this text). */
const serverDown = (error: KokoroError | undefined) => error?.kind === 'unreachable' || error?.kind === 'timeout';

export class Readings {
  private fallbackReadingValue = false;

  constructor(
    private readonly playback: Playback,
    private readonly server: ReadingsServer,
    private readonly host: ReadingsHost,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The reading being heard is in the fallback voice. */
  get fallbackReading(): boolean {
    return this.fallbackReadingValue && this.playback.reading;
  }

  /**
   * Reads `request`; on failure the error offers the action `retryOf(failed)` returns as Retry.
   * `options.commandStartedAt`: when the command behind the reading started (undefined: nothing is timed).
   */
  async run(request: ReadingRequest, options: PlayOptions, retryOf: RetryOf): Promise<ReadingResult> {
    // A server known to be down is not waited for: the fallback voice reads at once (and nothing is timed: the figures are the server's).
    const fallback = this.server.state === 'unreachable' && !request.engine ? this.host.fallbackEngine() : undefined;
    if (fallback) {
      request = { ...request, engine: fallback, words: false };
      options = { ...options, commandStartedAt: undefined };
      if (this.server.lastError) this.host.showError(this.server.lastError); // once per kind: the user knows Kokoro is down
    }
    let result = await this.play(request, options);
    const down = serverDown(result.error) && result.samples === 0 && !request.engine;
    const engine = down ? this.host.fallbackEngine() : undefined;
    if (down && !engine) this.host.noFallbackVoice();
    const rest = engine && this.playback.continuationFrom(result.id, 0);
    if (engine && rest && result.error) {
      // The server failed before any audio: the same reading, from its start, in the fallback voice.
      this.server.reportFailure(result.error);
      this.host.log.warn(`Reading ${result.id} failed before any audio (${result.error.message}); the fallback voice reads it.`);
      this.host.showError(result.error); // no Retry: the reading is heard
      request = { ...rest, engine, words: false };
      result = await this.play(request, { announcement: options.announcement });
    }
    if (result.outcome === 'completed' && !request.engine) this.server.reportSuccess();
    else if (result.outcome === 'empty') this.host.inform(l10n.t('Kokoro: nothing to read — the text has no words to speak.'));
    else if (result.error && request.engine) this.host.showError(result.error);
    else if (result.error) {
      this.server.reportFailure(result.error);
      this.host.showError(result.error, retryOf(result));
    }
    const voice = request.engine ? ' in the fallback voice' : '';
    const adopted = result.adoptedChunks > 0 ? ` (and ${result.adoptedChunks} taken over from the reading it continues)` : '';
    this.host.log.info(
      `Reading ${result.id}${voice} ${result.outcome}: ${result.requests} request(s)${adopted}, ${(result.samples / result.sampleRate).toFixed(2)} s of audio, first audio ${result.firstAudioMs?.toFixed(1) ?? '–'} ms, first byte ${result.firstByteMs?.toFixed(1) ?? '–'} ms.`,
    );
    this.host.finished(result, request);
    return result;
  }

  private play(request: ReadingRequest, options: PlayOptions): Promise<ReadingResult> {
    this.fallbackReadingValue = request.engine !== undefined;
    return this.playback.play({ ...request, params: this.server.speech, currentParams: () => this.server.speech }, options);
  }

  /** A speed or voice change while reading: the reading goes on from the sentence being heard, with the new settings. */
  continueAtPlayhead(why: string): void {
    const id = this.playback.currentId;
    const request = this.playback.continuation();
    if (!request) return;
    this.host.log.info(`Reading ${id} continues from the playhead ${why}.`);
    this.continueWith(request, this.playback.playingAnnouncement);
  }

  /**
   * Goes `by` sentences from the one heard (-1 previous, 0 repeat, 1 next), at once: audio already
   * received is played again, only what is missing is requested, the request under way is cancelled.
   */
  moveSentence(by: -1 | 0 | 1): void {
    const current = this.playback.currentSegment;
    if (current === undefined) {
      this.host.inform(l10n.t('Kokoro: nothing is being read.'));
      return;
    }
    const startedAt = this.now();
    const request = this.playback.continuationAt(current + by);
    if (!request) {
      this.host.inform(by < 0 ? l10n.t('Kokoro: this is the first sentence.') : l10n.t('Kokoro: this is the last sentence.'));
      return;
    }
    this.host.log.info(`Reading ${this.playback.currentId} goes to sentence ${current + by + 1} (from ${current + 1}).`);
    this.host.sentenceMoved();
    this.continueWith(request, this.playback.playingAnnouncement, startedAt);
  }

  /** Runs a continuation; if it fails, Retry (a command: timed from its click) goes on from the sentence that was being heard. */
  private continueWith(request: ReadingRequest, announcement: boolean, commandStartedAt?: number): void {
    void this.run(request, { announcement, commandStartedAt }, (failed) => {
      // Taken now: by the time the user picks Retry another reading may have replaced this one in the reader.
      const rest = this.playback.continuation(failed.id);
      return rest && (() => this.continueWith(rest, announcement, this.now()));
    });
  }
}
