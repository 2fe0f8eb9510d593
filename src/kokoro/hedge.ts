// When to send a speech request a second time (a hedged request): learned from this client's own recent
// first-byte times, so a request that a hung replica will never answer is cut short, and a slow one is not.

/** The most recent first-byte times kept. */
export const HEDGE_WINDOW = 50;
/** Below this many, the delay comes from the first-byte timeout instead. */
export const HEDGE_MIN_SAMPLES = 10;
export const HEDGE_FLOOR_MS = 500;
/** The delay before enough samples: this part of the first-byte timeout, at most HEDGE_DEFAULT_MAX_MS. */
const HEDGE_DEFAULT_TIMEOUT_SHARE = 1 / 4;
const HEDGE_DEFAULT_MAX_MS = 2000;
/**
 * The delay is this many times the p99 of the window (nearest rank: of 50, their slowest). Hedging is for a request
 * that will never answer (a hung replica behind a load balancer), not for a slow one: on a single Kokoro server a
 * hedge competes with the request it doubles (one model, serial generation), so the delay sits far beyond what the
 * server has done lately (a cold GPU's ~1.2 s start after ~0.4 s answers included), and never under the floor (jitter).
 */
const HEDGE_P99_FACTOR = 3;

export class FirstByteWindow {
  private readonly times: number[] = [];
  private next = 0;

  constructor(private readonly firstByteTimeoutMs: number) {}

  /** A request's own time from being sent to its first audio byte (ms). */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    if (this.times.length < HEDGE_WINDOW) this.times.push(ms);
    else this.times[this.next] = ms;
    this.next = (this.next + 1) % HEDGE_WINDOW;
  }

  get samples(): number {
    return this.times.length;
  }

  /** How long a request may go without its first byte before the same request is sent again (ms). */
  get delayMs(): number {
    if (this.times.length < HEDGE_MIN_SAMPLES)
      return Math.max(HEDGE_FLOOR_MS, Math.min(this.firstByteTimeoutMs * HEDGE_DEFAULT_TIMEOUT_SHARE, HEDGE_DEFAULT_MAX_MS));
    const sorted = [...this.times].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(sorted.length * 0.99) - 1];
    return Math.max(HEDGE_FLOOR_MS, HEDGE_P99_FACTOR * p99);
  }
}
