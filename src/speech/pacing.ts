// How big each request of a reading is, and how far ahead of playback to ask for the next one,
// learned from what this server's requests cost. Kokoro-FastAPI cannot be interrupted inside a
// sentence group: whatever we ask for it generates, even after a Stop, and the next reading waits
// behind it. So requests are sized to a fraction of a second of the server's work, and fetched
// only as far ahead as keeps playback gapless.

/** What one speech request cost. */
export interface RequestCost {
  chars: number;
  /** Sent → last byte. */
  totalMs: number;
}

export interface PaceModel {
  /** Cost of any request, however short (network, queueing, the model's start). */
  fixedMs: number;
  /** Generation cost per character of input. */
  msPerChar: number;
}

/** Before any request has been measured: a GPU server at about 40× real time over loopback. */
export const PRIOR_PACE: PaceModel = { fixedMs: 60, msPerChar: 1.6 };

const WINDOW = 12;
/** The first request: this much generation beyond the fixed cost, so long text starts as fast as a short line. */
const FIRST_CHUNK_GENERATION_MS = 100;
const FIRST_CHUNK_CHARS = { min: 40, max: 120 };
/** Later requests: about this much of the server's time each, the most a Stop can leave it busy with. */
const CHUNK_GENERATION_MS = 300;
const CHUNK_CHARS = { min: 80, max: 480 };
const LOOK_AHEAD_SECONDS = { min: 2, max: 10 };
/** Look-ahead: this many times the next request's expected cost, plus a margin for a busy machine. */
const LOOK_AHEAD_FACTOR = 2;
const LOOK_AHEAD_MARGIN_SECONDS = 1;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export class ServerPace {
  private readonly costs: RequestCost[] = [];

  record(cost: RequestCost): void {
    if (!(cost.chars > 0) || !Number.isFinite(cost.totalMs) || cost.totalMs < 0) return;
    this.costs.push(cost);
    if (this.costs.length > WINDOW) this.costs.shift();
  }

  reset(): void {
    this.costs.length = 0;
  }

  /** totalMs ≈ fixedMs + msPerChar × chars, fitted to the recent requests (least squares when their sizes differ enough). */
  model(): PaceModel {
    const n = this.costs.length;
    if (n === 0) return PRIOR_PACE;
    const meanChars = this.costs.reduce((s, c) => s + c.chars, 0) / n;
    const meanMs = this.costs.reduce((s, c) => s + c.totalMs, 0) / n;
    if (n >= 3) {
      let sxx = 0;
      let sxy = 0;
      for (const c of this.costs) {
        sxx += (c.chars - meanChars) ** 2;
        sxy += (c.chars - meanChars) * (c.totalMs - meanMs);
      }
      const spread = Math.sqrt(sxx / n) / meanChars;
      if (spread > 0.2 && sxy > 0) {
        const msPerChar = sxy / sxx;
        const fixedMs = meanMs - msPerChar * meanChars;
        if (fixedMs >= 0) return { fixedMs, msPerChar };
      }
    }
    const fixedMs = Math.min(PRIOR_PACE.fixedMs, ...this.costs.map((c) => c.totalMs));
    return { fixedMs, msPerChar: Math.max(0.05, (meanMs - fixedMs) / meanChars) };
  }

  /** Expected time from sending a request of `chars` characters to having all of its audio. */
  expectedMs(chars: number): number {
    const { fixedMs, msPerChar } = this.model();
    return fixedMs + msPerChar * chars;
  }

  /** The most characters request number `index` of a reading may hold. */
  chunkChars(index: number): number {
    const { msPerChar } = this.model();
    const first = Math.round(clamp(FIRST_CHUNK_GENERATION_MS / msPerChar, FIRST_CHUNK_CHARS.min, FIRST_CHUNK_CHARS.max));
    if (index === 0) return first;
    // Grow from the first request so the buffer builds up before requests reach their full size.
    const full = clamp(CHUNK_GENERATION_MS / msPerChar, CHUNK_CHARS.min, CHUNK_CHARS.max);
    return Math.round(Math.min(full, Math.max(CHUNK_CHARS.min, first * 2 ** index)));
  }

  /** Seconds of audio to keep buffered ahead of the playhead before sending a request of `chars` characters. */
  lookAheadSeconds(chars: number): number {
    const seconds = (LOOK_AHEAD_FACTOR * this.expectedMs(chars)) / 1000 + LOOK_AHEAD_MARGIN_SECONDS;
    return clamp(seconds, LOOK_AHEAD_SECONDS.min, LOOK_AHEAD_SECONDS.max);
  }
}
