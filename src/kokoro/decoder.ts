// Streaming decoders: bytes as they arrive from the network → mono signed 16-bit
// little-endian PCM, chosen from the answer's Content-Type (never from what was asked).

import * as l10n from '@vscode/l10n';
import { KokoroError } from './errors';

export const KOKORO_SAMPLE_RATE = 24_000;

export interface PcmDecoder {
  /** Sample rate of the PCM this decoder emits (known once the header is parsed, for WAV). */
  readonly sampleRate: number;
  /** Feeds bytes; returns whole s16le mono samples ready to play (possibly empty). */
  push(chunk: Uint8Array): Uint8Array;
  /** The stream ended; throws if it ended inside a header. */
  end(): void;
}

const EMPTY = new Uint8Array(0);

/** Raw s16le mono: forwards whole samples and carries an odd trailing byte to the next read. */
export class RawPcmDecoder implements PcmDecoder {
  private carry = -1;
  constructor(readonly sampleRate = KOKORO_SAMPLE_RATE) {}

  push(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return EMPTY;
    if (this.carry < 0) {
      if ((chunk.length & 1) === 0) return chunk;
      this.carry = chunk[chunk.length - 1];
      return chunk.subarray(0, chunk.length - 1);
    }
    const total = chunk.length + 1;
    const even = total & ~1;
    const out = new Uint8Array(even);
    out[0] = this.carry;
    out.set(chunk.subarray(0, even - 1), 1);
    this.carry = (total & 1) === 1 ? chunk[chunk.length - 1] : -1;
    return out;
  }

  end(): void {
    this.carry = -1; // a lone byte at the very end is half a sample: drop it
  }
}

interface WavFormat {
  formatTag: number; // 1 integer PCM, 3 IEEE float
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

const MAX_WAV_HEADER_BYTES = 64 * 1024;

/**
 * Streaming WAV: parses RIFF chunks (Kokoro-FastAPI puts a LIST chunk before `data`
 * and writes 0xFFFFFFFF sizes), then converts integer or float samples of any
 * channel count to s16 mono at the file's own sample rate.
 */
export class WavDecoder implements PcmDecoder {
  private header: Uint8Array = EMPTY;
  private format: WavFormat | undefined;
  private inData = false;
  private frameCarry: Uint8Array = EMPTY;

  get sampleRate(): number {
    return this.format?.sampleRate ?? KOKORO_SAMPLE_RATE;
  }

  push(chunk: Uint8Array): Uint8Array {
    if (this.inData) return this.convert(chunk);
    this.header = concat(this.header, chunk);
    const rest = this.parseHeader();
    return rest ? this.convert(rest) : EMPTY;
  }

  end(): void {
    if (!this.inData) throw new KokoroError('truncated', l10n.t('The WAV stream ended before its audio data began.'));
  }

  /** Returns the bytes after the `data` chunk header once it is reached. */
  private parseHeader(): Uint8Array | undefined {
    const h = this.header;
    if (h.length < 12) return undefined;
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
    if (ascii(h, 0) !== 'RIFF' || ascii(h, 8) !== 'WAVE') {
      throw new KokoroError('notAudio', l10n.t('The server said audio/wav but sent something that is not a WAV stream.'));
    }
    let offset = 12;
    while (offset + 8 <= h.length) {
      const id = ascii(h, offset);
      const size = view.getUint32(offset + 4, true);
      const body = offset + 8;
      if (id === 'data') {
        if (!this.format) throw new KokoroError('notAudio', l10n.t('The WAV stream has no format (fmt) chunk before its data.'));
        this.inData = true;
        const rest = h.subarray(body);
        this.header = EMPTY;
        return rest;
      }
      if (id === 'fmt ') {
        if (body + 16 > h.length) return undefined;
        let formatTag = view.getUint16(body, true);
        const channels = view.getUint16(body + 2, true);
        const sampleRate = view.getUint32(body + 4, true);
        const bitsPerSample = view.getUint16(body + 14, true);
        if (formatTag === 0xfffe && size >= 40) {
          if (body + 26 > h.length) return undefined;
          formatTag = view.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE sub-format
        }
        const supported =
          (formatTag === 1 && [8, 16, 24, 32].includes(bitsPerSample)) ||
          (formatTag === 3 && (bitsPerSample === 32 || bitsPerSample === 64));
        if (!supported || channels < 1 || sampleRate < 3000 || sampleRate > 768_000) {
          throw new KokoroError(
            'unsupportedFormat',
            l10n.t(
              'The server sent WAV audio this player cannot play (format {0}, {1}-bit, {2} channel(s), {3} Hz).',
              formatTag,
              bitsPerSample,
              channels,
              sampleRate,
            ),
          );
        }
        this.format = { formatTag, channels, sampleRate, bitsPerSample };
      }
      const next = body + size + (size & 1);
      if (size === 0xffffffff || next > MAX_WAV_HEADER_BYTES) {
        throw new KokoroError(
          'notAudio',
          l10n.t('The WAV stream has an unexpected "{0}" chunk before its audio.', id.replace(/[^\x20-\x7e]/g, '?')),
        );
      }
      if (next > h.length) return undefined;
      offset = next;
    }
    if (h.length > MAX_WAV_HEADER_BYTES) throw new KokoroError('notAudio', l10n.t('The WAV header is too large.'));
    return undefined;
  }

  private convert(chunk: Uint8Array): Uint8Array {
    const f = this.format!;
    const bytesPerFrame = (f.bitsPerSample / 8) * f.channels;
    if (f.formatTag === 1 && f.bitsPerSample === 16 && f.channels === 1 && this.frameCarry.length === 0 && (chunk.length & 1) === 0) {
      return chunk;
    }
    const data = this.frameCarry.length ? concat(this.frameCarry, chunk) : chunk;
    const frames = Math.floor(data.length / bytesPerFrame);
    const used = frames * bytesPerFrame;
    this.frameCarry = used < data.length ? data.slice(used) : EMPTY;
    if (frames === 0) return EMPTY;
    const view = new DataView(data.buffer, data.byteOffset, used);
    const out = new Uint8Array(frames * 2);
    const outView = new DataView(out.buffer);
    const bytes = f.bitsPerSample / 8;
    if (f.formatTag === 1 && f.bitsPerSample === 16) {
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < f.channels; c++) sum += view.getInt16(i * bytesPerFrame + c * 2, true);
        outView.setInt16(i * 2, Math.round(sum / f.channels), true);
      }
      return out;
    }
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < f.channels; c++) sum += readSample(view, i * bytesPerFrame + c * bytes, f);
      const v = sum / f.channels;
      outView.setInt16(i * 2, v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767), true);
    }
    return out;
  }
}

/** One sample as a float in [-1, 1]. */
function readSample(view: DataView, at: number, f: WavFormat): number {
  if (f.formatTag === 3) return f.bitsPerSample === 32 ? view.getFloat32(at, true) : view.getFloat64(at, true);
  switch (f.bitsPerSample) {
    case 8:
      return (view.getUint8(at) - 128) / 128;
    case 16:
      return view.getInt16(at, true) / 32768;
    case 24: {
      const v = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
      return v / 8388608;
    }
    default:
      return view.getInt32(at, true) / 2147483648;
  }
}

/**
 * `text/event-stream` as speaches and OpenAI send it: `data: {"type":"speech.audio.delta","audio":"<base64>"}`
 * events carrying base64 PCM.
 */
export class EventStreamPcmDecoder implements PcmDecoder {
  readonly sampleRate = KOKORO_SAMPLE_RATE;
  private readonly pcm = new RawPcmDecoder();
  private pending = '';
  private readonly text = new TextDecoder();

  push(chunk: Uint8Array): Uint8Array {
    this.pending += this.text.decode(chunk, { stream: true });
    const parts: Uint8Array[] = [];
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline).replace(/\r$/, '');
      this.pending = this.pending.slice(newline + 1);
      if (!line.startsWith('data:')) continue;
      const payload = line.slice(5).trim();
      if (!payload || payload === '[DONE]') continue;
      let event: { type?: unknown; audio?: unknown; delta?: unknown };
      try {
        event = JSON.parse(payload);
      } catch {
        throw new KokoroError('notAudio', l10n.t('The server sent an event stream with an unreadable event.'));
      }
      if (event.type === 'error')
        throw new KokoroError('http', l10n.t('The server reported an error mid-stream: {0}', JSON.stringify(event).slice(0, 200)));
      const b64 = typeof event.audio === 'string' ? event.audio : typeof event.delta === 'string' ? event.delta : undefined;
      if (b64) parts.push(this.pcm.push(Buffer.from(b64, 'base64')));
    }
    if (this.pending.length > 8 * 1024 * 1024) throw new KokoroError('tooLarge', l10n.t('The server sent an event larger than 8 MB.'));
    return parts.length === 1 ? parts[0] : parts.length === 0 ? EMPTY : concatBytes(parts);
  }

  end(): void {
    this.pcm.end();
  }
}

/** Picks the decoder for an answer's Content-Type, or says clearly why it cannot be streamed. */
export function decoderForContentType(contentType: string | undefined): PcmDecoder {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const rate = /rate=(\d+)/i.exec(contentType ?? '');
  switch (type) {
    case '':
    case 'audio/pcm':
    case 'audio/l16':
    case 'audio/raw':
    case 'application/octet-stream':
      return new RawPcmDecoder(rate ? Number(rate[1]) : KOKORO_SAMPLE_RATE);
    case 'audio/wav':
    case 'audio/wave':
    case 'audio/x-wav':
    case 'audio/vnd.wave':
      return new WavDecoder();
    case 'text/event-stream':
      return new EventStreamPcmDecoder();
  }
  if (type.startsWith('audio/') || type === 'application/ogg') {
    throw new KokoroError(
      'unsupportedFormat',
      l10n.t(
        'The server answered with {0} audio, which cannot be streamed here. Kokoro Read Aloud asks for raw PCM ("response_format":"pcm"); use a server that honours it (Kokoro-FastAPI does).',
        type,
      ),
    );
  }
  if (type.includes('html')) {
    throw new KokoroError(
      'notAudio',
      l10n.t('The server answered with a web page instead of audio. Is kokoro.serverUrl pointing at a Kokoro server?'),
    );
  }
  throw new KokoroError(
    'notAudio',
    l10n.t('The server answered with {0} instead of audio. Is kokoro.serverUrl pointing at a Kokoro server?', type),
  );
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The parts, one after another, in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
