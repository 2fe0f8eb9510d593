// A player without sound for the benchmark: audio "plays" in real time from its first sample,
// room is given the way the webview player gives it, and every gap (audio that came after the
// audio before it had finished playing) is counted as an underrun.

import { performance } from 'node:perf_hooks';
import type { AudioSink } from '../src/speech/reader';

/** A later piece this late is a gap a listener hears. */
const AUDIBLE_GAP_MS = 20;

export class PacedSink implements AudioSink {
  underruns = 0;
  /** Longest gap heard (ms). */
  worstGapMs = 0;
  samples = 0;
  onFirstAudio: (() => void) | undefined;
  private readingId = -1;
  private firstAudioAt: number | undefined;
  /** When the audio delivered so far ends playing (performance.now() ms). */
  private playsUntil = 0;
  private waiting: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  begin(readingId: number): void {
    this.release();
    this.readingId = readingId;
    this.firstAudioAt = undefined;
  }

  segment(): void {}

  audio(readingId: number, pcm: Uint8Array, sampleRate: number): void {
    if (readingId !== this.readingId) return;
    const t = this.now();
    const ms = ((pcm.length >> 1) / sampleRate) * 1000;
    this.samples += pcm.length >> 1;
    if (this.firstAudioAt === undefined) {
      this.firstAudioAt = t;
      this.playsUntil = t + ms;
      const first = this.onFirstAudio;
      this.onFirstAudio = undefined;
      first?.();
      return;
    }
    const gap = t - this.playsUntil;
    if (gap > AUDIBLE_GAP_MS) {
      this.underruns++;
      this.worstGapMs = Math.max(this.worstGapMs, gap);
    }
    this.playsUntil = Math.max(this.playsUntil, t) + ms;
  }

  end(): void {}

  abort(readingId: number): void {
    if (readingId === this.readingId) this.release();
  }

  room(readingId: number, aheadSeconds: number): Promise<void> {
    const wait = this.playsUntil - aheadSeconds * 1000 - this.now();
    if (readingId !== this.readingId || this.firstAudioAt === undefined || wait <= 0) return Promise.resolve();
    this.release();
    return new Promise((resolve) => (this.waiting = { resolve, timer: setTimeout(() => this.release(), wait) }));
  }

  /** Milliseconds of the current reading played so far. */
  get playedMs(): number {
    return this.firstAudioAt === undefined ? 0 : Math.min(this.now(), this.playsUntil) - this.firstAudioAt;
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) {
      clearTimeout(waiting.timer);
      waiting.resolve();
    }
  }
}
