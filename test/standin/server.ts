// The project's stand-in for a Kokoro-FastAPI server: real HTTP on loopback that
// behaves like the real one on the wire (see docs/kokoro-protocol.md), with
// faults on demand, and records requests, TCP connections and client disconnects.
// Node's `http` only. The hot path (a short PCM request at zero delay) does no
// per-sample work: audio comes from cached tone tables as subarrays or memcpy.

import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export type VoicesShape = 'objects' | 'strings';
export type StandinMode = 'fast' | 'blocking';
export const MODES: readonly StandinMode[] = ['fast', 'blocking'];
export type Fault =
  | 'none'
  | 'error-500'
  | 'error-bare-500'
  | 'error-flask'
  | 'error-openai'
  | 'error-message'
  | 'empty-200'
  | 'html-200'
  | 'json-200'
  | 'stall-after-first'
  | 'never-answer'
  | 'hung-replica'
  | 'reset-mid-stream'
  | 'truncate'
  | 'huge'
  | 'close-keepalive'
  | 'drop-reused'
  | 'wav-44100'
  | 'wav-float32'
  | 'mp3'
  | 'redirect-https'
  | 'redirect-login'
  | 'endless-error';

export const FAULTS: readonly Fault[] = [
  'none',
  'error-500',
  'error-bare-500',
  'error-flask',
  'error-openai',
  'error-message',
  'empty-200',
  'html-200',
  'json-200',
  'stall-after-first',
  'never-answer',
  'hung-replica',
  'reset-mid-stream',
  'truncate',
  'huge',
  'close-keepalive',
  'drop-reused',
  'wav-44100',
  'wav-float32',
  'mp3',
  'redirect-https',
  'redirect-login',
  'endless-error',
];

export interface StandinOptions {
  host?: string;
  port?: number;
  /** Delay between the request body being received and the first audio byte (ms). */
  ttfbMs?: number;
  /** Audio seconds produced per wall second; 0 or Infinity: as fast as possible. */
  rtf?: number;
  /** Audio per streamed chunk (ms). */
  chunkMs?: number;
  /** Length of speech per input character (ms), tone mode. */
  msPerChar?: number;
  /** Write each chunk as two writes split at an odd byte offset, so a client read can end mid-sample. */
  splitOddBytes?: boolean;
  voices?: string[];
  voicesShape?: VoicesShape;
  /** 'espeak' speaks the input with `espeak-ng` (resampled to 24 kHz); falls back to the tone when espeak-ng is missing. */
  voiceSource?: 'tone' | 'espeak';
  /**
   * Applies to POST /v1/audio/speech and /dev/captioned_speech; 'close-keepalive' and 'drop-reused' apply to every
   * route. 'drop-reused' closes a kept-alive connection as a request arrives on it, unanswered: what a client meets
   * when it reuses an idle socket in the instant the server (uvicorn, after 5 s) closes it. 'hung-replica' is a load
   * balancer sending requests in turn to two replicas, one of them hung: every other speech request, from the next
   * one on, is taken and never answered (as 'never-answer'), the others are served.
   */
  fault?: Fault;
  /**
   * Requests the fault applies to (speech requests; for drop-reused, dropped requests; for hung-replica, the requests
   * that hang) before it clears itself.
   */
  faultTimes?: number;
  label?: string;
  /** Idle kept-alive connections are closed after this long. uvicorn (Kokoro-FastAPI) closes them after 5 s. */
  keepAliveTimeoutMs?: number;
  /**
   * Send Node's `Connection: keep-alive` + `Keep-Alive: timeout=N` hint (default true). uvicorn sends neither (no
   * Connection header at all), so a client cannot know when it will drop an idle socket: false mimics that exactly.
   */
  keepAliveHeader?: boolean;
  /**
   * 'fast' (default) paces chunks on timers and never blocks: it measures the client's own overhead. 'blocking'
   * behaves like Kokoro-FastAPI's HTTP stack with its model: the input is split into sentence groups
   * (sentenceGroups), each generated while the whole event loop is BLOCKED for startCostMs + group audio / rtf
   * (so /health, every other request and the CLI's control server wait), then written in ONE write. A client
   * disconnect is noticed only between groups: the group in progress is finished, then generation stops. No
   * Connection/Keep-Alive header. ttfbMs, chunkMs and splitOddBytes do not apply; the faults that shape a stream
   * (stall-after-first, reset-mid-stream, truncate, huge) still stream as in fast mode. Run it in its own process.
   */
  mode?: StandinMode;
  /** Blocking mode: fixed generation cost of each sentence group (ms). */
  startCostMs?: number;
  /** Blocking mode: most characters in a sentence group (Kokoro-FastAPI forms groups of ~175 tokens, about 180 characters). */
  groupChars?: number;
  /**
   * Serve POST /dev/captioned_speech (default true): the speech route's audio as NDJSON lines with word timings.
   * false: a server without it (Kokoro-FastAPI before v0.2.0, Kokoros, kokoro-web) answers 404 {"detail":"Not Found"}.
   */
  captions?: boolean;
  /**
   * Names this server in an `X-Kokoro-Replica` header on every answer, as the team's nginx names the replica that
   * answered (`add_header X-Kokoro-Replica $upstream_addr always;`). '' (default): no such header, as Kokoro-FastAPI.
   */
  replica?: string;
}

export type ResolvedStandinOptions = Required<Omit<StandinOptions, 'port' | 'host'>>;

export interface RecordedRequest {
  id: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (the raw text when it is not JSON), or undefined when empty. */
  body: unknown;
  /** Which TCP connection carried it: 1-based, in order of accept since start (not renumbered by reset()). */
  connectionId: number;
  /** performance.now() when the body was fully received. */
  receivedAt: number;
  firstByteAt?: number;
  endedAt?: number;
  status?: number;
  /** Audio samples written (for wav-float32 and wav-44100: samples of that stream). */
  samplesSent: number;
  samplesTotal?: number;
  completed: boolean;
  clientDisconnected: boolean;
  /** Blocking mode: sentence groups generated for this request. */
  groups?: number;
  /** Blocking mode: of them, groups generated after the client had disconnected (0 or 1: the group in progress). */
  groupsAfterDisconnect?: number;
  /** Blocking mode: time the event loop was blocked generating this request's groups (ms). */
  busyMs?: number;
  /** Blocking mode: the part of busyMs spent on groupsAfterDisconnect: the server's leftover work after a Stop (ms). */
  busyAfterDisconnectMs?: number;
}

const SAMPLE_RATE = 24_000;
const MODELS = ['kokoro', 'tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'];
const FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'];
const CONTENT_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};
export const CAPTIONS_PATH = '/dev/captioned_speech';
const ROUTES: Record<string, string> = {
  '/health': 'GET',
  '/v1/audio/voices': 'GET',
  '/v1/models': 'GET',
  '/v1/audio/speech': 'POST',
  [CAPTIONS_PATH]: 'POST',
};
const DEFAULTS: ResolvedStandinOptions = {
  ttfbMs: 0,
  rtf: 0,
  chunkMs: 100,
  msPerChar: 60,
  splitOddBytes: true,
  voices: ['af_heart', 'af_bella', 'af_sky', 'am_adam', 'bf_emma', 'bm_george'],
  voicesShape: 'objects',
  voiceSource: 'tone',
  fault: 'none',
  faultTimes: Infinity,
  label: 'Kokoro stand-in',
  keepAliveTimeoutMs: 5_000,
  keepAliveHeader: true,
  mode: 'fast',
  startCostMs: 50,
  groupChars: 180,
  captions: true,
  replica: '',
};
/** Bound on the 'huge' fault: ten minutes of audio. */
const HUGE_SAMPLES = SAMPLE_RATE * 600;

/** Samples (24 kHz) the stand-in streams for a text in tone mode. */
export function samplesForText(text: string, msPerChar: number): number {
  return Math.round((text.length * msPerChar * SAMPLE_RATE) / 1000);
}

/**
 * Kokoro-FastAPI's smart split, by characters: sentences (ending in . ! ? ; or : before a space or the end, with the
 * spaces after them) packed greedily into groups of at most `groupChars`; a longer sentence is a group of its own.
 * The groups, joined, are the text.
 */
export function sentenceGroups(text: string, groupChars: number): string[] {
  const sentenceEnds = [...text.matchAll(/[.!?;:]+(?=\s|$)\s*/g)].map((m) => m.index + m[0].length);
  if (sentenceEnds.at(-1) !== text.length) sentenceEnds.push(text.length);
  const groups: string[] = [];
  let groupStart = 0;
  let previous = 0;
  for (const end of sentenceEnds) {
    if (end - groupStart > groupChars && previous > groupStart) {
      groups.push(text.slice(groupStart, previous));
      groupStart = previous;
    }
    previous = end;
  }
  if (text.length > groupStart) groups.push(text.slice(groupStart));
  return groups;
}

/** Blocks the whole event loop (no timer, socket or other request runs meanwhile), as a model generating on the server's loop does. */
const blocker = new Int32Array(new SharedArrayBuffer(4));
function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(blocker, 0, 0, ms);
}

// ---------------------------------------------------------------------------------------------
// Tone audio, from cached tables

/** Frequencies whose period is a whole number of samples at 24 kHz, so a table of whole periods loops seamlessly. */
const TONE_FREQS = [200, 240, 250, 300, 320, 375, 400];
const TONE_AMPLITUDE = 0.2 * 32767;
const FADE_SAMPLES = 120; // 5 ms
const TABLE_SAMPLES = SAMPLE_RATE * 2;

class Tone {
  private readonly period: number;
  /** Two seconds of the tone, starting at phase 0: any chunk up to one second is a zero-copy subarray. */
  private readonly table: Buffer;
  private readonly fades = new Map<number, Buffer>();

  constructor(private readonly freq: number) {
    this.period = SAMPLE_RATE / freq;
    this.table = Buffer.alloc(TABLE_SAMPLES * 2);
    for (let i = 0; i < TABLE_SAMPLES; i++) this.table.writeInt16LE(this.sample(i, 1), i * 2);
  }

  private sample(i: number, gain: number): number {
    return Math.round(Math.sin((2 * Math.PI * this.freq * (i % this.period)) / SAMPLE_RATE) * TONE_AMPLITUDE * gain);
  }

  /** Faded samples [start, start+length) of the tone; `rising` fades in, otherwise out. Cached by phase. */
  private fade(start: number, length: number, rising: boolean): Buffer {
    const phase = start % this.period;
    const key = (phase * 1000 + length) * 2 + (rising ? 1 : 0);
    let buf = this.fades.get(key);
    if (!buf) {
      buf = Buffer.alloc(length * 2);
      for (let k = 0; k < length; k++)
        buf.writeInt16LE(this.sample(phase + k, rising ? (k + 1) / length : (length - k - 1) / length), k * 2);
      this.fades.set(key, buf);
    }
    return buf;
  }

  /** s16le samples [start, start+n) of an utterance `total` samples long (short fades at both ends). */
  bytes(start: number, n: number, total: number): Buffer {
    const phase = start % this.period;
    const fade = Math.min(FADE_SAMPLES, Math.floor(total / 2));
    const end = start + n;
    const touchesFade = start < fade || end > total - fade;
    if (!touchesFade && phase + n <= TABLE_SAMPLES) return this.table.subarray(phase * 2, (phase + n) * 2);
    const out = Buffer.allocUnsafe(n * 2);
    let written = 0;
    let at = phase * 2;
    while (written < out.length) {
      const m = Math.min(out.length - written, this.table.length - at);
      this.table.copy(out, written, at, at + m);
      written += m;
      at = 0;
    }
    if (fade > 0 && start < fade) {
      const from = start;
      const to = Math.min(end, fade);
      this.fade(0, fade, true).copy(out, 0, from * 2, to * 2);
    }
    if (fade > 0 && end > total - fade) {
      const fadeStart = total - fade;
      const from = Math.max(start, fadeStart);
      const to = Math.min(end, total);
      this.fade(fadeStart, fade, false).copy(out, (from - start) * 2, (from - fadeStart) * 2, (to - fadeStart) * 2);
    }
    return out;
  }
}

const tones = new Map<number, Tone>();
/** The tone of a voice: every voice (first part of a mix) has its own pitch, so a voice change is audible in the demo. */
function toneFor(voice: string): Tone {
  const name = voice
    .split(/[+-]/)[0]
    .replace(/\([\d.]+\)$/, '')
    .trim();
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  const freq = TONE_FREQS[hash % TONE_FREQS.length];
  let tone = tones.get(freq);
  if (!tone) tones.set(freq, (tone = new Tone(freq)));
  return tone;
}

// ---------------------------------------------------------------------------------------------
// Encoded formats: a real-looking start, then junk the client must refuse, from a cached buffer

/** A fake MPEG-1 Layer III frame: sync word + 128 kbit/s 44.1 kHz header, 417 bytes. */
const MP3_FRAME = (() => {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return frame;
})();
const JUNK = (() => {
  const junk = Buffer.alloc(MP3_FRAME.length * 160);
  for (let i = 0; i < 160; i++) MP3_FRAME.copy(junk, i * MP3_FRAME.length);
  return junk;
})();
const ENCODED_HEADERS: Record<string, Buffer> = {
  mp3: Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x0aTSSE\x00\x00\x00\x00\x00\x00', 'latin1'),
  opus: Buffer.concat([
    Buffer.from('OggS\x00\x02', 'latin1'),
    Buffer.alloc(22),
    Buffer.from('\x01\x13OpusHead\x01\x01\x38\x01\xc0\x5d\x00\x00\x00\x00\x00', 'latin1'),
  ]),
  aac: Buffer.from([0xff, 0xf1, 0x60, 0x40, 0x10, 0x1f, 0xfc]),
  flac: Buffer.concat([Buffer.from('fLaC\x80\x00\x00\x22', 'latin1'), Buffer.alloc(34)]),
};

function junkBytes(n: number): Buffer {
  if (n <= JUNK.length) return JUNK.subarray(0, n);
  const out = Buffer.allocUnsafe(n);
  for (let at = 0; at < n; at += JUNK.length) JUNK.copy(out, at, 0, Math.min(JUNK.length, n - at));
  return out;
}

// ---------------------------------------------------------------------------------------------
// WAV

/** Kokoro-FastAPI's streaming WAV header: 78 bytes, a LIST chunk before data, sizes 0xFFFFFFFF. */
export function streamingWavHeader(sampleRate = SAMPLE_RATE, formatTag = 1, bitsPerSample = 16): Buffer {
  const list = Buffer.from('INFOISFT\x0e\x00\x00\x00Lavf61.7.100\x00\x00', 'latin1');
  const h = Buffer.alloc(12 + 24 + 8 + list.length + 8);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(0xffffffff, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(formatTag, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE((sampleRate * bitsPerSample) / 8, 28);
  h.writeUInt16LE(bitsPerSample / 8, 32);
  h.writeUInt16LE(bitsPerSample, 34);
  h.write('LIST', 36, 'ascii');
  h.writeUInt32LE(list.length, 40);
  list.copy(h, 44);
  h.write('data', 44 + list.length, 'ascii');
  h.writeUInt32LE(0xffffffff, 48 + list.length);
  return h;
}
const WAV_HEADER = streamingWavHeader();

function toFloat32(pcm: Buffer): Buffer {
  const out = Buffer.allocUnsafe(pcm.length * 2);
  for (let i = 0; i < pcm.length >> 1; i++) out.writeFloatLE(pcm.readInt16LE(i * 2) / 32768, i * 4);
  return out;
}

// ---------------------------------------------------------------------------------------------
// espeak-ng (demo voice)

const ESPEAK_LANGS: Record<string, string> = { a: 'en-us', b: 'en-gb', e: 'es', f: 'fr', h: 'hi', i: 'it', j: 'ja', p: 'pt-br', z: 'cmn' };
const espeakCache = new Map<string, Promise<Buffer | undefined>>();
let espeakMissing = false;

/** Speech from espeak-ng, resampled to 24 kHz s16le mono; undefined when espeak-ng is missing or fails. Cached. */
function espeakPcm(text: string, voice: string, speed: number): Promise<Buffer | undefined> {
  if (espeakMissing) return Promise.resolve(undefined);
  const first = voice.split(/[+-]/)[0].trim();
  const espeakVoice = `${ESPEAK_LANGS[first[0]] ?? 'en-us'}+${first[1] === 'm' ? 'm3' : 'f3'}`;
  const key = `${espeakVoice}|${speed}|${text}`;
  let result = espeakCache.get(key);
  if (result) return result;
  result = new Promise<Buffer | undefined>((resolve) => {
    const child = spawn('espeak-ng', ['--stdout', '--stdin', '-v', espeakVoice, '-s', String(Math.round(175 * speed))], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const parts: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => parts.push(c));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') espeakMissing = true;
      resolve(undefined);
    });
    child.on('close', (code) => resolve(code === 0 ? wavTo24k(Buffer.concat(parts)) : undefined));
    child.stdin.on('error', () => undefined);
    child.stdin.end(text.replace(/\s+/g, ' '));
  });
  espeakCache.set(key, result);
  if (espeakCache.size > 64) espeakCache.delete(espeakCache.keys().next().value as string);
  return result;
}

/** The samples of a (possibly streamed, sizes unknown) 16-bit mono WAV, linearly resampled to 24 kHz. */
function wavTo24k(wav: Buffer): Buffer | undefined {
  if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF') return undefined;
  let offset = 12;
  let rate = 22050;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'fmt ') rate = wav.readUInt32LE(offset + 12);
    if (id === 'data') {
      offset += 8;
      break;
    }
    offset += 8 + size + (size & 1);
  }
  const count = Math.floor((wav.length - offset) / 2);
  if (count <= 0) return undefined;
  const outSamples = Math.floor((count * SAMPLE_RATE) / rate);
  const out = Buffer.alloc(outSamples * 2);
  for (let i = 0; i < outSamples; i++) {
    const pos = (i * rate) / SAMPLE_RATE;
    const j = Math.floor(pos);
    const a = wav.readInt16LE(offset + Math.min(j, count - 1) * 2);
    const b = wav.readInt16LE(offset + Math.min(j + 1, count - 1) * 2);
    out.writeInt16LE(Math.round(a + (b - a) * (pos - j)), i * 2);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Captioned speech: the audio as NDJSON lines with word timings

interface CaptionRequest {
  /** The audio's own type, as the speech route would send it (audio/pcm …). */
  audioFormat: string;
  timestamps: boolean;
}

export interface CaptionWord {
  word: string;
  startSample: number;
  endSample: number;
}

/** How audio goes on the wire: as it is (speech route), or as the captioned route's JSON. */
interface Wire {
  /** One write of a stream, the audio up to sample `toSample`. */
  piece(bytes: Buffer, toSample: number): Buffer;
  /** A non-streamed answer. */
  whole(bytes: Buffer): Buffer;
}

const RAW_WIRE: Wire = { piece: (bytes) => bytes, whole: (bytes) => bytes };

const ONES = [
  ...'zero one two three four five six seven eight nine'.split(' '),
  ...'ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen'.split(' '),
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** A number up to 99 in words, as Kokoro-FastAPI's normaliser says it ("42" → "forty-two"); any other word as it is. */
function spelled(word: string): string {
  if (!/^\d{1,2}$/.test(word)) return word;
  const n = Number(word);
  return n < 20 ? ONES[n] : TENS[Math.floor(n / 10)] + (n % 10 ? `-${ONES[n % 10]}` : '');
}

/**
 * The words Kokoro-FastAPI times for a text: each word (contractions whole), each run of punctuation as a word of
 * its own, numbers up to 99 spelled out; each timed by its characters' share of the `total` samples, which is
 * exactly where the tone (msPerChar per character) and the sentence groups of blocking mode put them.
 */
export function captionWords(input: string, total: number): CaptionWord[] {
  return [...input.matchAll(/[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*|[^\s\p{L}\p{M}\p{N}]+/gu)].map((m) => ({
    word: spelled(m[0]),
    startSample: Math.round((total * m.index) / input.length),
    endSample: Math.round((total * (m.index + m[0].length)) / input.length),
  }));
}

/**
 * The captioned route's JSON: a streamed write is one line `{"audio":base64,"audio_format","timestamps"}` + "\n"
 * carrying the words that end within the audio sent so far (times in seconds from the stream's start); a
 * non-streamed answer is one such object with everything.
 */
function captionWire(words: CaptionWord[], caption: CaptionRequest, rate: number): Wire {
  let sent = 0;
  const json = (bytes: Buffer, timed: CaptionWord[]): string =>
    JSON.stringify({
      audio: bytes.toString('base64'),
      audio_format: caption.audioFormat,
      timestamps: caption.timestamps
        ? timed.map((w) => ({
            word: w.word,
            start_time: Math.round((w.startSample / rate) * 1000) / 1000,
            end_time: Math.round((w.endSample / rate) * 1000) / 1000,
          }))
        : [],
    });
  return {
    piece: (bytes, toSample) => {
      const from = sent;
      while (sent < words.length && words[sent].endSample <= toSample) sent++;
      return Buffer.from(`${json(bytes, words.slice(from, sent))}\n`);
    },
    whole: (bytes) => Buffer.from(json(bytes, words)),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation, as FastAPI + pydantic v2 answer it

interface Problem {
  status: number;
  body: unknown;
}

/** `checkModel`: the captioned route never looks at the model (Kokoro-FastAPI leaves that check out there). */
function validate(body: unknown, voices: string[], checkModel: boolean): Problem | undefined {
  const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (!b || typeof b.input !== 'string') {
    return { status: 422, body: { detail: [{ type: 'missing', loc: ['body', 'input'], msg: 'Field required', input: b ?? null }] } };
  }
  const detail: unknown[] = [];
  const format = b.response_format ?? 'mp3';
  if (typeof format !== 'string' || !FORMATS.includes(format)) {
    const expected = "'mp3', 'opus', 'aac', 'flac', 'wav' or 'pcm'";
    detail.push({
      type: 'literal_error',
      loc: ['body', 'response_format'],
      msg: `Input should be ${expected}`,
      input: format,
      ctx: { expected },
    });
  }
  const speed = b.speed ?? 1;
  if (typeof speed !== 'number' || !Number.isFinite(speed))
    detail.push({ type: 'float_parsing', loc: ['body', 'speed'], msg: 'Input should be a valid number', input: speed });
  else if (speed < 0.25)
    detail.push({
      type: 'greater_than_equal',
      loc: ['body', 'speed'],
      msg: 'Input should be greater than or equal to 0.25',
      input: speed,
      ctx: { ge: 0.25 },
    });
  else if (speed > 4)
    detail.push({
      type: 'less_than_equal',
      loc: ['body', 'speed'],
      msg: 'Input should be less than or equal to 4',
      input: speed,
      ctx: { le: 4 },
    });
  if (detail.length) return { status: 422, body: { detail } };
  const model = b.model ?? 'kokoro';
  if (checkModel && (typeof model !== 'string' || !MODELS.includes(model))) {
    return {
      status: 400,
      body: { detail: { error: 'invalid_model', message: `Unsupported model: ${String(model)}`, type: 'invalid_request_error' } },
    };
  }
  const voice = typeof b.voice === 'string' ? b.voice : 'af_heart';
  const parts = voice.split(/[+-]/).map((p) =>
    p
      .trim()
      .replace(/\(\s*[\d.]+\s*\)$/, '')
      .trim(),
  );
  const unknown = parts.find((p) => !voices.includes(p));
  if (unknown !== undefined) {
    return {
      status: 400,
      body: {
        detail: {
          error: 'validation_error',
          message: `Voice '${unknown}' not found. Available voices: ${voices.join(', ')}`,
          type: 'invalid_request_error',
        },
      },
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

export class StandinServer {
  readonly requests: RecordedRequest[] = [];
  /** TCP connections accepted since start/reset. */
  connectionsOpened = 0;
  options: ResolvedStandinOptions;
  /** Called once per request when its response has ended or its connection closed (the CLI logs with it). */
  onRequestEnded?: (request: RecordedRequest) => void;

  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly socketIds = new WeakMap<Socket, number>();
  /** Sockets the server itself destroyed (down(), reset-mid-stream): their requests did not see a client disconnect. */
  private readonly killedByServer = new WeakSet<Socket>();
  private readonly requestsServed = new WeakMap<Socket, number>();
  private nextConnectionId = 1;
  private nextRequestId = 1;
  private faultUses = 0;
  /** Speech requests that met the hung-replica fault: the even-numbered ones (from 0) went to the hung replica. */
  private replicaTurns = 0;
  private readonly initial: ResolvedStandinOptions;
  private portValue: number;

  private constructor(
    readonly host: string,
    port: number,
    options: StandinOptions,
  ) {
    this.portValue = port;
    const { port: _port, host: _host, ...rest } = options;
    this.initial = { ...DEFAULTS, ...stripUndefined(rest) };
    this.options = { ...this.initial, voices: [...this.initial.voices] };
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = this.options.keepAliveTimeoutMs;
    this.server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      this.connectionsOpened++;
      this.socketIds.set(socket, this.nextConnectionId++);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: StandinOptions = {}): Promise<StandinServer> {
    const server = new StandinServer(options.host ?? '127.0.0.1', options.port ?? 0, options);
    await server.up();
    return server;
  }

  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.portValue}`;
  }

  get port(): number {
    return this.portValue;
  }

  /** TCP connections open right now (kept alive, or carrying a request). */
  get connectionsOpen(): number {
    return this.sockets.size;
  }

  setOptions(partial: Partial<StandinOptions>): void {
    const { port: _port, host: _host, ...rest } = partial;
    this.options = { ...this.options, ...stripUndefined(rest) };
    this.server.keepAliveTimeout = this.options.keepAliveTimeoutMs;
    if (partial.fault !== undefined || partial.faultTimes !== undefined) this.faultUses = this.replicaTurns = 0;
  }

  /** Requests to the speech route and to the captioned one. */
  speechRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && (r.path === '/v1/audio/speech' || r.path === CAPTIONS_PATH));
  }

  disconnects(): RecordedRequest[] {
    return this.requests.filter((r) => r.clientDisconnected);
  }

  reset(): void {
    this.requests.length = 0;
    this.connectionsOpened = 0;
    this.nextRequestId = 1;
    this.faultUses = this.replicaTurns = 0;
    this.options = { ...this.initial, voices: [...this.initial.voices] };
    this.server.keepAliveTimeout = this.options.keepAliveTimeoutMs;
  }

  async waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > deadline) {
        const last = this.requests
          .slice(-3)
          .map(
            (r) => `${r.method} ${r.path} ${r.status ?? '-'}${r.completed ? ' done' : ''}${r.clientDisconnected ? ' disconnected' : ''}`,
          );
        throw new Error(
          `stand-in: ${what} not met within ${timeoutMs} ms (${this.requests.length} requests recorded${last.length ? `, last: ${last.join('; ')}` : ''})`,
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops listening and drops every connection: clients now get ECONNREFUSED, as before Kokoro-FastAPI's model is loaded. */
  async down(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) {
      this.killedByServer.add(socket);
      socket.destroy();
    }
    await closed;
  }

  /** Listens again, on the same port. */
  async up(): Promise<void> {
    if (this.server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.portValue, this.host, () => {
        this.server.off('error', reject);
        this.portValue = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    await this.down();
  }

  // -------------------------------------------------------------------------------------------

  private currentFault(): Fault {
    const { fault, faultTimes } = this.options;
    if (fault === 'none' || this.faultUses >= faultTimes) return 'none';
    return fault;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    const record: RecordedRequest = {
      id: this.nextRequestId++,
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      headers: req.headers,
      body: undefined,
      connectionId: this.socketIds.get(socket) ?? 0,
      receivedAt: 0,
      samplesSent: 0,
      completed: false,
      clientDisconnected: false,
    };
    this.requests.push(record);
    res.on('finish', () => {
      record.completed = true;
      record.endedAt = performance.now();
      // Node (20.20) has just armed the idle timer at keepAliveTimeout + 1 s; uvicorn closes at exactly its 5 s.
      if (this.server.keepAliveTimeout > 0 && !socket.destroyed && socket.timeout !== undefined && socket.timeout > 0)
        socket.setTimeout(this.options.keepAliveTimeoutMs);
    });
    res.on('close', () => {
      record.endedAt ??= performance.now();
      if (!record.completed && !this.killedByServer.has(socket)) record.clientDisconnected = true;
      this.onRequestEnded?.(record);
    });
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      record.receivedAt = performance.now();
      if (parts.length) {
        const text = (parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('utf8');
        try {
          record.body = JSON.parse(text);
        } catch {
          record.body = text;
        }
      }
      if (res.destroyed) return;
      const served = this.requestsServed.get(socket) ?? 0;
      this.requestsServed.set(socket, served + 1);
      if (this.currentFault() === 'drop-reused' && served > 0) {
        this.faultUses++;
        this.killedByServer.add(socket);
        socket.destroy();
        return;
      }
      if (this.currentFault() === 'close-keepalive')
        res.setHeader('connection', 'close'); // Node then closes the socket after the response
      else if (!this.options.keepAliveHeader || this.options.mode === 'blocking') res.removeHeader('connection'); // no Connection/Keep-Alive header at all, as h11 answers
      this.route(record, res);
    });
  }

  /** Response headers common to every route: uvicorn's server name, and the replica's name when one is set. */
  private headers(extra: http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
    return { server: 'uvicorn', ...(this.options.replica ? { 'x-kokoro-replica': this.options.replica } : {}), ...extra };
  }

  private json(
    record: RecordedRequest,
    res: http.ServerResponse,
    status: number,
    body: unknown,
    extra: http.OutgoingHttpHeaders = {},
  ): void {
    record.status = status;
    const text = JSON.stringify(body);
    res.writeHead(status, this.headers({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra }));
    res.end(text);
  }

  private route(record: RecordedRequest, res: http.ServerResponse): void {
    const allowed = record.path === CAPTIONS_PATH && !this.options.captions ? undefined : ROUTES[record.path];
    if (allowed === undefined) return this.json(record, res, 404, { detail: 'Not Found' });
    if (allowed !== record.method) return this.json(record, res, 405, { detail: 'Method Not Allowed' }, { allow: allowed });
    switch (record.path) {
      case '/health':
        // Kokoro-FastAPI answers {"status":"healthy"}; the stand-in also says what it is, so the extension can tell the user.
        return this.json(record, res, 200, { status: 'healthy', stand_in: this.options.label });
      case '/v1/audio/voices': {
        const { voices, voicesShape } = this.options;
        return this.json(record, res, 200, { voices: voicesShape === 'strings' ? voices : voices.map((v) => ({ id: v, name: v })) });
      }
      case '/v1/models':
        return this.json(record, res, 200, {
          object: 'list',
          data: MODELS.map((id) => ({ id, object: 'model', created: 1686935002, owned_by: 'kokoro' })),
        });
      default:
        return this.speech(record, res);
    }
  }

  private speech(record: RecordedRequest, res: http.ServerResponse): void {
    const captions = record.path === CAPTIONS_PATH;
    const problem = validate(record.body, this.options.voices, !captions);
    if (problem) return this.json(record, res, problem.status, problem.body);
    const body = record.body as Record<string, unknown>;
    const input = body.input as string;
    const format = (body.response_format as string | undefined) ?? 'mp3';
    const speed = (body.speed as number | undefined) ?? 1;
    const voice = typeof body.voice === 'string' ? body.voice : 'af_heart';
    const stream = body.stream !== false;
    let fault = this.currentFault();
    if (fault === 'hung-replica' && this.replicaTurns++ % 2 === 1) fault = 'none'; // the replica that answers
    if (fault !== 'none' && fault !== 'drop-reused') this.faultUses++;
    switch (fault) {
      case 'error-500':
        return this.json(record, res, 500, {
          detail: { error: 'processing_error', message: 'Error generating audio: CUDA out of memory', type: 'server_error' },
        });
      case 'error-bare-500':
        record.status = 500;
        res.writeHead(500, this.headers({ 'content-length': 0 }));
        return void res.end();
      case 'error-flask':
        return this.json(record, res, 500, { error: 'Voice generation failed: model not loaded' });
      case 'error-openai':
        return this.json(record, res, 500, {
          error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null },
        });
      case 'error-message':
        return this.json(record, res, 400, { message: 'Invalid model: use an ONNX variant such as model_q8f16' });
      case 'redirect-https':
        // A proxy that sends plain HTTP on to HTTPS, as nginx's `return 301 https://$host$request_uri;`.
        record.status = 301;
        res.writeHead(301, this.headers({ location: `https://tts.example.com${record.path}`, 'content-length': 0 }));
        return void res.end();
      case 'redirect-login': {
        record.status = 302;
        const page = '<html><body>Redirecting to the sign-in page</body></html>';
        const location = `https://sso.example.com/login?next=${encodeURIComponent(record.path)}`;
        res.writeHead(302, this.headers({ location, 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) }));
        return void res.end(page);
      }
      case 'endless-error': {
        // An error page that never ends (a broken or hostile server): the client must not wait for its end.
        record.status = 500;
        res.writeHead(500, this.headers({ 'content-type': 'text/html' }));
        const line = Buffer.from(`<p>${'Internal error. '.repeat(60)}</p>\n`);
        const write = () => {
          if (res.destroyed || res.writableEnded) return;
          while (res.write(line));
          res.once('drain', write);
        };
        write();
        return;
      }
      case 'empty-200':
        record.status = 200;
        record.samplesTotal = 0;
        res.writeHead(200, this.headers({ 'content-type': captions ? 'application/json' : 'audio/pcm', 'content-length': 0 }));
        return void res.end();
      case 'html-200': {
        record.status = 200;
        const page = '<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1></body></html>\n';
        res.writeHead(200, this.headers({ 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) }));
        return void res.end(page);
      }
      case 'json-200':
        return this.json(record, res, 200, { ok: true });
      case 'never-answer':
      case 'hung-replica':
        return; // headers never come; the socket stays open until the client gives up
    }
    const contentType =
      fault === 'mp3' ? 'audio/mpeg' : fault === 'wav-44100' || fault === 'wav-float32' ? 'audio/wav' : CONTENT_TYPES[format];
    const streamHeaders: http.OutgoingHttpHeaders = {
      'content-type': captions ? 'application/json' : contentType,
      'content-disposition': `attachment; filename=speech.${captions ? format : contentType === 'audio/wav' ? 'wav' : contentType === 'audio/mpeg' ? 'mp3' : format}`,
      'cache-control': 'no-cache',
      ...(stream ? { 'x-accel-buffering': 'no' } : {}),
    };
    const caption = captions ? { audioFormat: contentType, timestamps: body.return_timestamps !== false } : undefined;
    if (!input.trim() && captions && !stream) {
      // Generated whole before answering, and nothing came of it.
      return this.json(record, res, 400, {
        detail: { error: 'validation_error', message: 'Input contains no speakable text', type: 'invalid_request_error' },
      });
    }
    if (!input.trim()) {
      // Nothing speakable: Kokoro-FastAPI opens the stream and ends it at once.
      record.status = 200;
      record.samplesTotal = 0;
      res.writeHead(200, this.headers(stream ? streamHeaders : { ...streamHeaders, 'content-length': 0 }));
      return void res.end();
    }
    if (this.options.voiceSource === 'espeak') {
      void espeakPcm(input, voice, speed).then((pcm) => {
        if (!res.destroyed) this.audio(record, res, fault, format, stream, streamHeaders, voice, input, pcm, caption);
      });
      return;
    }
    this.audio(record, res, fault, format, stream, streamHeaders, voice, input, undefined, caption);
  }

  private audio(
    record: RecordedRequest,
    res: http.ServerResponse,
    fault: Fault,
    format: string,
    stream: boolean,
    streamHeaders: http.OutgoingHttpHeaders,
    voice: string,
    input: string,
    spoken: Buffer | undefined,
    caption: CaptionRequest | undefined,
  ): void {
    const opts = this.options;
    let total = spoken ? spoken.length >> 1 : samplesForText(input, opts.msPerChar);
    if (fault === 'huge') total = HUGE_SAMPLES;
    let rate = SAMPLE_RATE;
    let header: Buffer | undefined;
    let encode: ((pcm: Buffer) => Buffer) | undefined;
    if (fault === 'wav-44100') {
      rate = 44_100;
      header = streamingWavHeader(rate);
      total = Math.round((total * rate) / SAMPLE_RATE);
    } else if (fault === 'wav-float32') {
      header = streamingWavHeader(SAMPLE_RATE, 3, 32);
      encode = toFloat32;
    } else if (fault === 'mp3') {
      header = ENCODED_HEADERS.mp3;
      encode = (pcm) => junkBytes(Math.ceil(pcm.length / 6));
    } else if (format === 'wav') {
      header = WAV_HEADER;
    } else if (format !== 'pcm') {
      header = ENCODED_HEADERS[format];
      encode = (pcm) => junkBytes(Math.ceil(pcm.length / 6));
    }
    record.samplesTotal = total;
    const wire = caption ? captionWire(captionWords(input, total), caption, rate) : RAW_WIRE;
    const tone = spoken ? undefined : toneFor(voice);
    const samples = (start: number, n: number): Buffer =>
      spoken ? spoken.subarray(start * 2, (start + n) * 2) : tone!.bytes(start, n, total);
    record.status = 200;
    const shapesStream = fault === 'stall-after-first' || fault === 'reset-mid-stream' || fault === 'truncate' || fault === 'huge';
    if (opts.mode === 'blocking' && !shapesStream)
      return this.generateInGroups(record, res, stream, streamHeaders, input, total, rate, header, encode, samples, wire);

    if (!stream) {
      // The whole file at once, after the same delay; never cancelled (as in Kokoro-FastAPI).
      const send = () => {
        if (res.destroyed) return;
        const pcm = samples(0, total);
        const payload = wire.whole(header ? Buffer.concat([header, encode ? encode(pcm) : pcm]) : encode ? encode(pcm) : pcm);
        res.writeHead(200, this.headers({ ...streamHeaders, 'content-length': payload.length }));
        record.firstByteAt = performance.now();
        record.samplesSent = total;
        res.end(payload);
      };
      const wait = opts.ttfbMs + (opts.rtf > 0 && Number.isFinite(opts.rtf) ? ((total / rate) * 1000) / opts.rtf : 0);
      if (wait > 0) setTimeout(send, wait);
      else send();
      return;
    }

    res.writeHead(200, this.headers(streamHeaders));
    const chunkSamples = Math.max(1, Math.round((opts.chunkMs * rate) / 1000));
    const pacing = opts.rtf > 0 && Number.isFinite(opts.rtf) ? opts.chunkMs / opts.rtf : 0;
    const split = opts.splitOddBytes;
    const stopAt =
      fault === 'truncate'
        ? Math.floor(total / 2)
        : fault === 'reset-mid-stream'
          ? Math.max(1, Math.min(total - 1, chunkSamples * 2))
          : total;
    let sent = 0;
    let index = 0;
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    let stopped = false;
    const started = record.receivedAt + opts.ttfbMs;
    res.on('close', () => {
      // The client went (or the server dropped it): stop generating after the chunk in hand, like Kokoro-FastAPI.
      stopped = true;
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      timer = immediate = undefined;
    });
    const write = (bytes: Buffer, done?: () => void): void => {
      if (split && bytes.length > 2) {
        // Always odd; the first read of a stream is one byte. A caption line is also cut in its middle.
        const cut = (caption ? [1, bytes.length >> 1, bytes.length - 1][index % 3] : index % 2 === 0 ? 1 : bytes.length - 1) | 1;
        res.write(bytes.subarray(0, cut));
        res.write(bytes.subarray(cut), done);
      } else res.write(bytes, done);
    };
    const schedule = (): void => {
      const due = started + index * pacing;
      const delay = due - performance.now();
      if (delay > 0) timer = setTimeout(sendNext, delay);
      else if (res.writableNeedDrain)
        res.once('drain', sendNext); // the client reads slower than we generate: wait for it
      else if (index % 64 === 0)
        timer = setTimeout(sendNext, 0); // let other connections and disconnects through
      else sendNext();
    };
    const sendNext = (): void => {
      timer = undefined;
      if (stopped) return;
      if (sent >= stopAt) {
        if (fault !== 'reset-mid-stream') res.end();
        return;
      }
      const n = Math.min(chunkSamples, stopAt - sent);
      const pcm = samples(sent, n);
      let bytes = encode ? encode(pcm) : pcm;
      if (index === 0 && header) bytes = Buffer.concat([header, bytes]);
      record.firstByteAt ??= performance.now();
      sent += n;
      bytes = wire.piece(bytes, sent);
      const last = sent >= stopAt;
      if (last && fault === 'reset-mid-stream') {
        // Let what was written reach the client, then a TCP reset: no chunked terminator, an error on the client's side.
        write(bytes, () => {
          const socket = res.socket;
          if (!socket || stopped) return;
          this.killedByServer.add(socket);
          setTimeout(() => (socket.destroyed ? undefined : socket.resetAndDestroy()), 5);
        });
      } else write(bytes);
      record.samplesSent = sent;
      index++;
      if (fault === 'stall-after-first') return; // never another byte, never the end
      if (last && fault === 'reset-mid-stream') return;
      schedule();
    };
    if (opts.ttfbMs > 0) {
      // Timers fire a millisecond or two late: wake early and finish on the event loop, so the delay is the one asked for.
      const onTime = () => {
        timer = immediate = undefined;
        if (stopped) return;
        if (performance.now() >= started) sendNext();
        else immediate = setImmediate(onTime);
      };
      timer = setTimeout(onTime, Math.max(0, started - performance.now() - 2));
    } else sendNext();
  }

  /**
   * Blocking mode: one sentence group at a time, generated with the event loop blocked, then written whole. Between
   * groups the loop turns twice, so that a poll phase runs: the socket's EOF or reset from a client that left during
   * the group is seen there, and no further group is started (the one in progress was finished: that is the leftover
   * work a Stop costs the real server). A non-streaming request is generated to the end, as Kokoro-FastAPI does.
   */
  private generateInGroups(
    record: RecordedRequest,
    res: http.ServerResponse,
    stream: boolean,
    streamHeaders: http.OutgoingHttpHeaders,
    input: string,
    total: number,
    rate: number,
    header: Buffer | undefined,
    encode: ((pcm: Buffer) => Buffer) | undefined,
    samples: (start: number, n: number) => Buffer,
    wire: Wire,
  ): void {
    const groups = sentenceGroups(input, this.options.groupChars);
    record.groups = record.groupsAfterDisconnect = record.busyMs = record.busyAfterDisconnectMs = 0;
    const socket = res.socket;
    let gone = false;
    let lastGroupMs = 0;
    const leave = () => {
      if (gone || res.writableFinished) return;
      gone = true;
      if (lastGroupMs > 0) {
        // Noticed right after a group: the client left while it was being generated.
        record.groupsAfterDisconnect! += 1;
        record.busyAfterDisconnectMs! += lastGroupMs;
      }
    };
    socket?.on('end', leave);
    socket?.on('error', leave);
    res.on('close', () => {
      leave();
      socket?.off('end', leave);
      socket?.off('error', leave);
    });
    const pcmParts: Buffer[] = [];
    let index = 0;
    let chars = 0;
    let sent = 0;
    if (stream) res.writeHead(200, this.headers(streamHeaders));
    const next = (): void => {
      if (stream && (gone || res.destroyed)) return leave(); // res.destroyed can come before its 'close' event
      lastGroupMs = 0;
      if (index === groups.length) {
        if (stream) return void res.end();
        if (res.destroyed) return;
        const pcm = Buffer.concat(pcmParts);
        const payload = wire.whole(header ? Buffer.concat([header, encode ? encode(pcm) : pcm]) : encode ? encode(pcm) : pcm);
        res.writeHead(200, this.headers({ ...streamHeaders, 'content-length': payload.length }));
        record.firstByteAt = performance.now();
        record.samplesSent = total;
        return void res.end(payload);
      }
      if (stream && res.writableNeedDrain) return void res.once('drain', next); // uvicorn's send() waits for the client too
      chars += groups[index++].length;
      const end = index === groups.length ? total : Math.round((total * chars) / input.length);
      const n = end - sent;
      const { startCostMs, rtf } = this.options;
      const started = performance.now();
      blockFor(startCostMs + (rtf > 0 && Number.isFinite(rtf) ? ((n / rate) * 1000) / rtf : 0));
      const ms = performance.now() - started;
      record.busyMs! += ms;
      record.groups! += 1;
      if (gone) {
        record.groupsAfterDisconnect! += 1;
        record.busyAfterDisconnectMs! += ms;
      } else lastGroupMs = ms;
      const pcm = samples(sent, n);
      if (stream) {
        let bytes = encode ? encode(pcm) : pcm;
        if (sent === 0 && header) bytes = Buffer.concat([header, bytes]);
        record.firstByteAt ??= performance.now();
        res.write(wire.piece(bytes, end));
        record.samplesSent = end;
      } else pcmParts.push(pcm);
      sent = end;
      setImmediate(() => setImmediate(next));
    };
    next();
  }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
