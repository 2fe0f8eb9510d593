// Messages between the extension host and the player webview, defined once and
// imported by both sides (src/player/playerView.ts and media/player.ts).

/** Extension → webview. Audio is mono signed 16-bit little-endian PCM. */
export type ToPlayer =
  | { type: 'begin'; readingId: number; text: string; sampleRate: number }
  | { type: 'audio'; readingId: number; pcm: Uint8Array; sampleRate: number }
  /** The sentence whose audio comes next; `index` numbers the sentences of the text (across its continuations). */
  | { type: 'segment'; readingId: number; text: string; index: number }
  /**
   * Where the sentence being heard is in the text: its number (1-based), how many there are once
   * known, how far through the text (0–1) when known; `announce`: the user moved, so screen readers hear it.
   */
  | { type: 'position'; readingId: number; sentence: number; sentences?: number; fraction?: number; announce: boolean }
  /** The system voice (the fallback) says `text` at `rate` (1 = normal), after what it is saying now. */
  | { type: 'speakText'; readingId: number; text: string; rate: number }
  /** When each word of sentence `segment` starts, in seconds from the start of its audio (word-level highlight). */
  | { type: 'words'; readingId: number; segment: number; starts: number[] }
  /** All audio is sent; with `error`, the reading failed (why, in one sentence) and what arrived plays out. */
  | { type: 'end'; readingId: number; error?: string }
  | { type: 'stop' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'setSpeed'; speed: number }
  /** What the server is when it is not Kokoro (the demo voice); empty for Kokoro. */
  | { type: 'serverNote'; text: string }
  /** Clock alignment: the player answers with a pong at once. */
  | { type: 'ping'; id: number };

/** How the player page started (webview epoch ms): navigation, script start, AudioContext created, ready posted. */
export interface PlayerPageMarks {
  navigationAt: number;
  scriptAt: number;
  contextAt: number;
  readyAt: number;
}

/** Webview → extension. Times are the webview's `performance.timeOrigin + now()` in ms. */
export type FromPlayer =
  | { type: 'ready'; startup: PlayerPageMarks }
  | { type: 'needsGesture' }
  | { type: 'audioUnlocked' }
  /** Sent when the first audio is audible: when it arrived, was scheduled and became audible, and the output latency counted in. */
  | { type: 'started'; readingId: number; receivedAt: number; scheduledAt: number; audibleAt: number; outputLatencyMs: number }
  | { type: 'pong'; id: number; at: number }
  /** How many voices the page's speechSynthesis lists (0 where it has none, as on Linux desktop VS Code). */
  | { type: 'voices'; count: number }
  /** The system voice started (or failed) saying the text of speakText number `utterance` (counted from 0 per reading). */
  | { type: 'spoke'; readingId: number; utterance: number; error?: string }
  /** Sentence `segment` (the index its segment message gave) became audible; with word timings, its word number `word`. */
  | { type: 'heard'; readingId: number; segment: number; word?: number }
  | { type: 'underrun'; readingId: number }
  /** `glitches`: times the audio device ran dry during the reading (Chromium counts them; 0 where unknown). */
  | { type: 'ended'; readingId: number; samplesPlayed: number; stopped: boolean; glitches: number }
  | { type: 'progress'; readingId: number; samplesPlayed: number; samplesQueued: number }
  | { type: 'userAction'; action: 'stop' | 'togglePause' | 'previousSentence' | 'nextSentence' | 'repeatSentence' | 'readFromCursor' }
  | { type: 'userAction'; action: 'setSpeed'; speed: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** Speaking speeds: Kokoro's own range, the slider's, the setting's (manifest.test checks package.json agrees), and the commands' step. */
export const SPEED = { min: 0.25, max: 4, step: 0.25 } as const;
const MIN_SPEED = SPEED.min;
const MAX_SPEED = SPEED.max;

/** A reading id or a number of samples: a whole number, not negative (NaN or -1 would stall back-pressure). */
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/** A duration or a time in ms: finite, not negative. */
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isOneOf = <T extends string>(v: unknown, values: readonly T[]): v is T =>
  typeof v === 'string' && (values as readonly string[]).includes(v);

const ACTIONS = ['stop', 'togglePause', 'setSpeed', 'previousSentence', 'nextSentence', 'repeatSentence', 'readFromCursor'] as const;
const LEVELS = ['info', 'warn', 'error'] as const;

/**
 * Validates a message from the webview before the extension acts on it: every field of every
 * message type, with a fresh object returned (nothing else the webview sent gets through).
 */
export function parseFromPlayer(raw: unknown): FromPlayer | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready': {
      const s = (typeof m.startup === 'object' && m.startup !== null ? m.startup : {}) as Record<string, unknown>;
      return isMs(s.navigationAt) && isMs(s.scriptAt) && isMs(s.contextAt) && isMs(s.readyAt)
        ? {
            type: 'ready',
            startup: { navigationAt: s.navigationAt, scriptAt: s.scriptAt, contextAt: s.contextAt, readyAt: s.readyAt },
          }
        : undefined;
    }
    case 'needsGesture':
    case 'audioUnlocked':
      return { type: m.type };
    case 'started':
      return isCount(m.readingId) && isMs(m.receivedAt) && isMs(m.scheduledAt) && isMs(m.audibleAt) && isMs(m.outputLatencyMs)
        ? {
            type: 'started',
            readingId: m.readingId,
            receivedAt: m.receivedAt,
            scheduledAt: m.scheduledAt,
            audibleAt: m.audibleAt,
            outputLatencyMs: m.outputLatencyMs,
          }
        : undefined;
    case 'pong':
      return isCount(m.id) && isMs(m.at) ? { type: 'pong', id: m.id, at: m.at } : undefined;
    case 'voices':
      return isCount(m.count) ? { type: 'voices', count: m.count } : undefined;
    case 'spoke':
      if (!isCount(m.readingId) || !isCount(m.utterance)) return undefined;
      if (m.error === undefined) return { type: 'spoke', readingId: m.readingId, utterance: m.utterance };
      return typeof m.error === 'string'
        ? { type: 'spoke', readingId: m.readingId, utterance: m.utterance, error: m.error.slice(0, 300) }
        : undefined;
    case 'heard':
      if (!isCount(m.readingId) || !isCount(m.segment)) return undefined;
      if (m.word === undefined) return { type: 'heard', readingId: m.readingId, segment: m.segment };
      return isCount(m.word) ? { type: 'heard', readingId: m.readingId, segment: m.segment, word: m.word } : undefined;
    case 'underrun':
      return isCount(m.readingId) ? { type: 'underrun', readingId: m.readingId } : undefined;
    case 'ended':
      return isCount(m.readingId) && isCount(m.samplesPlayed) && typeof m.stopped === 'boolean' && isCount(m.glitches)
        ? { type: 'ended', readingId: m.readingId, samplesPlayed: m.samplesPlayed, stopped: m.stopped, glitches: m.glitches }
        : undefined;
    case 'progress':
      return isCount(m.readingId) && isCount(m.samplesPlayed) && isCount(m.samplesQueued) && m.samplesPlayed <= m.samplesQueued
        ? { type: 'progress', readingId: m.readingId, samplesPlayed: m.samplesPlayed, samplesQueued: m.samplesQueued }
        : undefined;
    case 'userAction':
      if (!isOneOf(m.action, ACTIONS)) return undefined;
      if (m.action !== 'setSpeed') return { type: 'userAction', action: m.action };
      return typeof m.speed === 'number' && m.speed >= MIN_SPEED && m.speed <= MAX_SPEED
        ? { type: 'userAction', action: 'setSpeed', speed: m.speed }
        : undefined;
    case 'log':
      return isOneOf(m.level, LEVELS) && typeof m.message === 'string'
        ? { type: 'log', level: m.level, message: m.message.slice(0, 2000) }
        : undefined;
  }
  return undefined;
}
