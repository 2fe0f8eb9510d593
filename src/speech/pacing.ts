// How big each request of a reading is, and how far ahead of playback to ask for the next one,
// learned from what this server's requests cost. Kokoro-FastAPI cannot be interrupted inside a
// sentence group: whatever we ask for it generates, even after a Stop, and the next reading waits
// behind it. So requests are sized to a fraction of a second of the server's work, and fetched
// only as far ahead as keeps playback gapless.

/** What one speech request cost. */
export interface RequestCost {
  chars: number;
  /** Sent → first audio byte. */
  firstByteMs: number;
  /** Sent → last byte. */
  totalMs: number;
}

export interface PaceModel {
  /** Cost of any request, however short (network, queueing, the model's start). */
  fixedMs: number;
  /** Generation cost per character of input. */
  msPerChar: number;
  /**
   * How much longer the first byte takes per character: about msPerChar for a server that writes a
   * sentence group whole (Kokoro-FastAPI), about 0 for one that streams as it generates.
   */
  firstByteMsPerChar: number;
}

/** Before any request has been measured: Kokoro-FastAPI on a GPU at about 40× real time over loopback. */
export const PRIOR_PACE: PaceModel = { fixedMs: 60, msPerChar: 1.6, firstByteMsPerChar: 1.6 };

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
    if (!(cost.chars > 0) || !(cost.totalMs >= 0) || !(cost.firstByteMs >= 0) || !Number.isFinite(cost.totalMs)) return;
    this.costs.push(cost);
    if (this.costs.length > WINDOW) this.costs.shift();
  }

  reset(): void {
    this.costs.length = 0;
  }

  /** Fitted to the recent requests: cost ≈ fixed + per character × characters. */
  model(): PaceModel {
    if (this.costs.length === 0) return PRIOR_PACE;
    const total = fit(this.costs.map((c) => [c.chars, c.totalMs]));
    const firstByte = fit(this.costs.map((c) => [c.chars, c.firstByteMs]));
    return { fixedMs: total.fixedMs, msPerChar: total.msPerChar, firstByteMsPerChar: Math.min(firstByte.msPerChar, total.msPerChar) };
  }

  /** Expected time from sending a request of `chars` characters to having all of its audio. */
  expectedMs(chars: number): number {
    const { fixedMs, msPerChar } = this.model();
    return fixedMs + msPerChar * chars;
  }

  /** The most characters request number `index` of a reading may hold. */
  chunkChars(index: number): number {
    const { msPerChar, firstByteMsPerChar } = this.model();
    const first = Math.round(
      clamp(FIRST_CHUNK_GENERATION_MS / Math.max(firstByteMsPerChar, 0.01), FIRST_CHUNK_CHARS.min, FIRST_CHUNK_CHARS.max),
    );
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

/** Least squares when the sizes differ enough; otherwise the fixed cost from the prior (or the cheapest request) and a ratio. */
function fit(points: Array<[chars: number, ms: number]>): { fixedMs: number; msPerChar: number } {
  const n = points.length;
  const meanChars = points.reduce((s, [x]) => s + x, 0) / n;
  const meanMs = points.reduce((s, [, y]) => s + y, 0) / n;
  if (n >= 3) {
    let sxx = 0;
    let sxy = 0;
    for (const [x, y] of points) {
      sxx += (x - meanChars) ** 2;
      sxy += (x - meanChars) * (y - meanMs);
    }
    if (Math.sqrt(sxx / n) / meanChars > 0.2) {
      const msPerChar = Math.max(0, sxy / sxx);
      const fixedMs = meanMs - msPerChar * meanChars;
      if (fixedMs >= 0) return { fixedMs, msPerChar };
    }
  }
  const fixedMs = Math.min(PRIOR_PACE.fixedMs, ...points.map(([, y]) => y));
  return { fixedMs, msPerChar: Math.max(0, (meanMs - fixedMs) / meanChars) };
}
