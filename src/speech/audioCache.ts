// A least-recently-used cache of synthesised audio, bounded in bytes, so a repeated
// message (the same error read again) starts at once with no server round trip.

import type { WordTiming } from '../kokoro/captions';
import type { SpeechParams } from '../kokoro/client';

export interface CachedAudio {
  frames: Uint8Array[];
  sampleRate: number;
  bytes: number;
  /** The server's word timings, when the audio was asked for with them. */
  words?: readonly WordTiming[];
}

/**
 * Every field of `params` is part of the key (speed, voice, model, extra request fields, and any
 * field added later): whatever changes the request may change the audio. Object keys are sorted,
 * so the same extra fields written in another order still hit. The format is not a parameter: the
 * client always asks for raw PCM.
 */
export function audioCacheKey(text: string, params: SpeechParams): string {
  return canonicalJson({ params, text });
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export class AudioCache {
  private readonly entries = new Map<string, CachedAudio>();
  private size = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.entries.size;
  }

  get(key: string): CachedAudio | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry); // most recently used last
    return entry;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, audio: CachedAudio): void {
    if (audio.bytes > this.maxBytes / 4) return; // one entry may not push out everything else
    const old = this.entries.get(key);
    if (old) {
      this.size -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, audio);
    this.size += audio.bytes;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.entries.delete(oldestKey);
      this.size -= oldest.bytes;
    }
  }

  clear(): void {
    this.entries.clear();
    this.size = 0;
  }
}
