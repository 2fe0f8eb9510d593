// Which output latency the player asks Web Audio for (AudioContext latencyHint), learned from the audio device.
// Plain logic, without the DOM: the webview player runs it, unit tests run it in Node.

/** Output latency, lowest first: about 11 ms in Chromium at 0, 42 ms at 'interactive'. */
export const LATENCY_HINTS: readonly (number | 'interactive' | 'playback')[] = [0, 'interactive', 'playback'];
/** Device underruns in one reading that move the latency up a step (one alone may be a passing hiccup). */
const GLITCHES_TO_STEP_UP = 2;
/** Clean readings (no underrun, at least CLEAN_READING_SECONDS heard) after which a lower latency is tried again. */
export const FIRST_PATIENCE = 10;
/** Patience doubles each time a lower latency glitched again, up to this many readings. */
export const MAX_PATIENCE = 160;
/** A reading shorter than this says too little about the device to count as clean. */
const CLEAN_READING_SECONDS = 1;

/** What the player keeps across reloads of its page (webview state). */
export interface OutputLatencyState {
  step: number;
  patience: number;
  clean: number;
  /** The last move was down and has not yet held for `patience` clean readings: a step up now doubles patience. */
  probing: boolean;
}

export interface LatencyChange {
  hint: number | string;
  message: string;
  level: 'info' | 'warn';
}

/**
 * Where the browser counts device underruns (Chromium's `AudioContext.playbackStats`), the player starts at the
 * lowest latency, moves one step up after a reading that glitched, and tries one step lower again after a run of
 * clean readings, waiting twice as long each time the lower latency glitched again: a machine busy for a moment
 * costs a few readings at 42 ms, not every reading from then on. Where the browser cannot count them, the ladder
 * stays on 'interactive', the browser's own low-latency choice.
 */
export class OutputLatencyLadder {
  private readonly floor: number;
  private current: OutputLatencyState;

  constructor(countsGlitches: boolean, saved?: Partial<OutputLatencyState>) {
    this.floor = countsGlitches ? 0 : 1;
    const top = LATENCY_HINTS.length - 1;
    const whole = (n: unknown, min: number, max: number, otherwise: number) =>
      typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : otherwise;
    this.current = {
      step: countsGlitches ? whole(saved?.step, 0, top, 0) : this.floor,
      patience: whole(saved?.patience, FIRST_PATIENCE, MAX_PATIENCE, FIRST_PATIENCE),
      clean: whole(saved?.clean, 0, MAX_PATIENCE, 0),
      probing: saved?.probing === true,
    };
  }

  get hint(): number | 'interactive' | 'playback' {
    return LATENCY_HINTS[this.current.step];
  }

  get state(): OutputLatencyState {
    return { ...this.current };
  }

  /** After each reading: the latency for the next one, when it changes. */
  afterReading(glitches: number, secondsHeard: number): LatencyChange | undefined {
    const s = this.current;
    if (glitches >= GLITCHES_TO_STEP_UP) {
      s.clean = 0;
      if (s.step >= LATENCY_HINTS.length - 1) return undefined;
      s.step++;
      if (s.probing) s.patience = Math.min(MAX_PATIENCE, s.patience * 2);
      s.probing = false;
      return {
        hint: this.hint,
        level: 'warn',
        message: `The audio output glitched ${glitches} times in one reading; from the next reading on the player uses latencyHint ${String(this.hint)} (a lower one is tried again after ${s.patience} clean readings).`,
      };
    }
    if (glitches > 0) {
      s.clean = 0;
      return undefined;
    }
    if (secondsHeard < CLEAN_READING_SECONDS) return undefined;
    s.clean = Math.min(s.clean + 1, MAX_PATIENCE);
    if (s.clean >= s.patience) s.probing = false; // the lower latency held
    if (s.step <= this.floor || s.clean < s.patience) return undefined;
    s.step--;
    s.clean = 0;
    s.probing = true;
    return {
      hint: this.hint,
      level: 'info',
      message: `The audio output played ${s.patience} readings without a glitch; from the next reading on the player tries latencyHint ${String(this.hint)} again.`,
    };
  }
}
