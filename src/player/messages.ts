// Messages between the extension host and the player webview, defined once and
// imported by both sides (src/player/playerView.ts and media/player.ts).

/** Extension → webview. Audio is mono signed 16-bit little-endian PCM. */
export type ToPlayer =
  | { type: 'begin'; readingId: number; text: string; sampleRate: number }
  | { type: 'audio'; readingId: number; pcm: Uint8Array; sampleRate: number }
  | { type: 'segment'; readingId: number; text: string }
  /** All audio is sent; with `error`, the reading failed (why, in one sentence) and what arrived plays out. */
  | { type: 'end'; readingId: number; error?: string }
  | { type: 'stop' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'setSpeed'; speed: number }
  /** What the server is when it is not Kokoro (the demo voice); empty for Kokoro. */
  | { type: 'serverNote'; text: string };

/** Webview → extension. Times are the webview's `performance.timeOrigin + now()` in ms. */
export type FromPlayer =
  | { type: 'ready'; audioUnlocked: boolean }
  | { type: 'needsGesture' }
  | { type: 'audioUnlocked' }
  | { type: 'started'; readingId: number; at: number; outputLatencyMs: number }
  | { type: 'underrun'; readingId: number }
  | { type: 'ended'; readingId: number; samplesPlayed: number; stopped: boolean }
  | { type: 'progress'; readingId: number; samplesPlayed: number; samplesQueued: number }
  | { type: 'userAction'; action: 'stop' | 'togglePause' }
  | { type: 'userAction'; action: 'setSpeed'; speed: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

const fromPlayerTypes: ReadonlySet<string> = new Set([
  'ready', 'needsGesture', 'audioUnlocked', 'started', 'underrun', 'ended', 'progress', 'userAction', 'log',
]);

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Validates a message from the webview before the extension acts on it. */
export function parseFromPlayer(raw: unknown): FromPlayer | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (typeof m.type !== 'string' || !fromPlayerTypes.has(m.type)) return undefined;
  switch (m.type) {
    case 'ready':
      return typeof m.audioUnlocked === 'boolean' ? { type: 'ready', audioUnlocked: m.audioUnlocked } : undefined;
    case 'needsGesture':
    case 'audioUnlocked':
      return { type: m.type };
    case 'started':
      return isFiniteNumber(m.readingId) && isFiniteNumber(m.at) && isFiniteNumber(m.outputLatencyMs)
        ? { type: 'started', readingId: m.readingId, at: m.at, outputLatencyMs: m.outputLatencyMs }
        : undefined;
    case 'underrun':
      return isFiniteNumber(m.readingId) ? { type: 'underrun', readingId: m.readingId } : undefined;
    case 'ended':
      return isFiniteNumber(m.readingId) && isFiniteNumber(m.samplesPlayed) && typeof m.stopped === 'boolean'
        ? { type: 'ended', readingId: m.readingId, samplesPlayed: m.samplesPlayed, stopped: m.stopped }
        : undefined;
    case 'progress':
      return isFiniteNumber(m.readingId) && isFiniteNumber(m.samplesPlayed) && isFiniteNumber(m.samplesQueued)
        ? { type: 'progress', readingId: m.readingId, samplesPlayed: m.samplesPlayed, samplesQueued: m.samplesQueued }
        : undefined;
    case 'userAction': {
      const actions = ['stop', 'togglePause', 'setSpeed'];
      if (typeof m.action !== 'string' || !actions.includes(m.action)) return undefined;
      if (m.action === 'setSpeed') {
        return isFiniteNumber(m.speed) ? { type: 'userAction', action: 'setSpeed', speed: m.speed } : undefined;
      }
      return { type: 'userAction', action: m.action as 'stop' | 'togglePause' };
    }
    case 'log': {
      const levels = ['info', 'warn', 'error'];
      if (typeof m.level !== 'string' || !levels.includes(m.level) || typeof m.message !== 'string') return undefined;
      return { type: 'log', level: m.level as 'info' | 'warn' | 'error', message: m.message.slice(0, 2000) };
    }
  }
  return undefined;
}
