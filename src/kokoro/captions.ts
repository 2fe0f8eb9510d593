// Kokoro-FastAPI's captioned speech (POST /dev/captioned_speech): the audio stream comes as NDJSON lines
// `{"audio":"<base64>","audio_format":"audio/pcm","timestamps":[{"word","start_time","end_time"}]}` carrying
// each piece of audio with the words it holds (docs/kokoro-protocol.md, "Word timings").

import * as l10n from '@vscode/l10n';
import { KOKORO_SAMPLE_RATE, type PcmDecoder, concatBytes, decoderForContentType } from './decoder';
import { KokoroError } from './errors';

/** A word as the server timed it, in seconds from the start of the request's audio. */
export interface WordTiming {
  word: string;
  startSeconds: number;
  endSeconds: number;
}

export type WordsCallback = (words: WordTiming[]) => void;

export const CAPTIONS_PATH = '/dev/captioned_speech';

const NEWLINE = 0x0a;
const EMPTY = new Uint8Array(0);
/** Longest line accepted: a streamed line holds one sentence group's audio (~1 MB of base64 for 20 s). */
const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** Kokoro-FastAPI sends `application/json`; other NDJSON spellings are accepted too. */
function isJsonType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl';
}

/**
 * The decoder for a 200 answer to the captioned route: NDJSON lines, or (a server that answered with plain
 * audio, as Kokoro-FastAPI before v0.2.3 did) that audio without word timings.
 */
export function captionsDecoderFor(contentType: string): PcmDecoder {
  return isJsonType(contentType) ? new CaptionedSpeechDecoder() : decoderForContentType(contentType);
}

/**
 * Splits the stream into lines on the raw bytes (a network read may end anywhere, inside a UTF-8 character or
 * the base64 included), decodes each line's audio with the decoder for its `audio_format` (raw PCM carries an
 * odd byte over to the next piece), and keeps its words for `takeWords`.
 */
export class CaptionedSpeechDecoder implements PcmDecoder {
  private partial: Uint8Array[] = [];
  private partialBytes = 0;
  private audio: PcmDecoder | undefined;
  private words: WordTiming[] = [];
  private readonly text = new TextDecoder();

  get sampleRate(): number {
    return this.audio?.sampleRate ?? KOKORO_SAMPLE_RATE;
  }

  push(chunk: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    let from = 0;
    let newline: number;
    while ((newline = chunk.indexOf(NEWLINE, from)) >= 0) {
      const tail = chunk.subarray(from, newline);
      const line = this.partialBytes ? concatBytes([...this.partial, tail]) : tail;
      this.partial = [];
      this.partialBytes = 0;
      const pcm = this.line(line);
      if (pcm.length) out.push(pcm);
      from = newline + 1;
    }
    if (from < chunk.length) {
      this.partialBytes += chunk.length - from;
      if (this.partialBytes > MAX_LINE_BYTES)
        throw new KokoroError('tooLarge', l10n.t('The server sent a caption line larger than 32 MB.'));
      // A copy: a view would keep the whole network read alive until the line ends.
      this.partial.push(chunk.slice(from));
    }
    return out.length === 0 ? EMPTY : out.length === 1 ? out[0] : concatBytes(out);
  }

  end(): void {
    const rest = this.text.decode(concatBytes(this.partial)).trim();
    // A last line without its newline: JSON without audio is refused for that; anything else was cut off mid-line.
    if (rest && isJsonObject(rest)) this.line(Buffer.from(rest));
    if (rest) throw new KokoroError('truncated', l10n.t('The captioned audio stream ended in the middle of a line.'));
    this.audio?.end();
  }

  /** The words read since the last call, in the order they came. */
  takeWords(): WordTiming[] {
    const words = this.words;
    this.words = [];
    return words;
  }

  private line(bytes: Uint8Array): Uint8Array {
    const text = this.text.decode(bytes).trim();
    if (!text) return EMPTY;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      throw new KokoroError('notAudio', l10n.t('The server sent a caption line that is not JSON.'));
    }
    const { audio, audio_format: format, timestamps } = (typeof line === 'object' && line !== null ? line : {}) as Record<string, unknown>;
    if (typeof audio !== 'string') throw new KokoroError('notAudio', l10n.t('The server sent a caption line without audio.'));
    this.audio ??= decoderForContentType(typeof format === 'string' ? format : 'audio/pcm');
    if (Array.isArray(timestamps)) for (const t of timestamps) this.addWord(t);
    return audio ? this.audio.push(Buffer.from(audio, 'base64')) : EMPTY;
  }

  private addWord(timestamp: unknown): void {
    if (typeof timestamp !== 'object' || timestamp === null) return;
    const { word, start_time: start, end_time: end } = timestamp as Record<string, unknown>;
    if (typeof word !== 'string' || !word.trim() || typeof start !== 'number' || typeof end !== 'number') return;
    if (!Number.isFinite(start) || !Number.isFinite(end)) return;
    // Trimming the audio's lead-in can leave the first word a hair before zero.
    const startSeconds = Math.max(0, start);
    this.words.push({ word: word.trim(), startSeconds, endSeconds: Math.max(startSeconds, end) });
  }
}

/** A 200 answer to the captions probe (blank input) that is a caption stream: JSON lines with audio, or none at all. */
export function isCaptionStream(contentType: string, body: string): boolean {
  if (!isJsonType(contentType)) return false;
  return body
    .split('\n')
    .filter((line) => line.trim())
    .every((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return typeof value === 'object' && value !== null && typeof (value as { audio?: unknown }).audio === 'string';
      } catch {
        return false;
      }
    });
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}
