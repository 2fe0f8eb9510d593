// The project's stand-in for a Kokoro-FastAPI server: real HTTP on loopback that
// behaves like the real one on the wire (see ../shared/kokoro-protocol.md), with
// faults on demand, and records requests, TCP connections and client disconnects.

import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export type VoicesShape = 'objects' | 'strings';
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
  | 'reset-mid-stream'
  | 'truncate'
  | 'huge'
  | 'close-keepalive'
  | 'wav-44100'
  | 'wav-float32'
  | 'mp3';

export interface StandinOptions {
  host?: string;
  port?: number;
  ttfbMs?: number;
  rtf?: number;
  chunkMs?: number;
  msPerChar?: number;
  splitOddBytes?: boolean;
  voices?: string[];
  voicesShape?: VoicesShape;
  voiceSource?: 'tone' | 'espeak';
  fault?: Fault;
  faultTimes?: number;
  label?: string;
  /** Idle kept-alive connections are closed after this long; uvicorn (Kokoro-FastAPI) uses 5 s. */
  keepAliveTimeoutMs?: number;
}

export interface RecordedRequest {
  id: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  connectionId: number;
  receivedAt: number;
  firstByteAt?: number;
  endedAt?: number;
  status?: number;
  samplesSent: number;
  samplesTotal?: number;
  completed: boolean;
  clientDisconnected: boolean;
}

const SAMPLE_RATE = 24_000;
const MODELS = ['kokoro', 'tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'];
const FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'];
const CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/opus', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' };
const DEFAULTS: Required<Omit<StandinOptions, 'port' | 'host'>> = {
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
};
/** Bound on the 'huge' fault: ten minutes of audio. */
const HUGE_SAMPLES = SAMPLE_RATE * 600;

export function samplesForText(text: string, msPerChar: number): number {
  return Math.round((text.length * msPerChar * SAMPLE_RATE) / 1000);
}

/** One second of a quiet 330 Hz tone, repeated to make any length of s16le audio cheaply. */
const TONE_PERIOD = (() => {
  const samples = SAMPLE_RATE; // 330 Hz fits 330 whole periods in one second
  const buf = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 330 * i) / SAMPLE_RATE) * 0.2 * 32767), i * 2);
  return buf;
})();

function toneBytes(startSample: number, samples: number): Buffer {
  const out = Buffer.allocUnsafe(samples * 2);
  let written = 0;
  let at = (startSample % SAMPLE_RATE) * 2;
  while (written < out.length) {
    const n = Math.min(out.length - written, TONE_PERIOD.length - at);
    TONE_PERIOD.copy(out, written, at, at + n);
    written += n;
    at = 0;
  }
  return out;
}

/** Speech from espeak-ng resampled to 24 kHz s16le mono, or undefined when espeak-ng is missing. */
function espeakPcm(text: string, speed: number): Buffer | undefined {
  const run = spawnSync('espeak-ng', ['--stdout', '-s', String(Math.round(175 * speed)), text.slice(0, 20_000)], { maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0 || !run.stdout || run.stdout.length < 44) return undefined;
  const wav = run.stdout as Buffer;
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
  const input = new Int16Array(wav.buffer.slice(wav.byteOffset + offset, wav.byteOffset + wav.length - ((wav.length - offset) % 2)));
  const outSamples = Math.floor((input.length * SAMPLE_RATE) / rate);
  const out = Buffer.alloc(outSamples * 2);
  for (let i = 0; i < outSamples; i++) {
    const pos = (i * rate) / SAMPLE_RATE;
    const j = Math.floor(pos);
    const a = input[j] ?? 0;
    const b = input[j + 1] ?? a;
    out.writeInt16LE(Math.round(a + (b - a) * (pos - j)), i * 2);
  }
  return out;
}

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

function validationError(loc: string, msg: string, type = 'value_error'): { status: number; body: unknown } {
  return { status: 422, body: { detail: [{ type, loc: ['body', loc], msg, input: null }] } };
}

export class StandinServer {
  readonly requests: RecordedRequest[] = [];
  connectionsOpened = 0;
  options: Required<Omit<StandinOptions, 'port' | 'host'>>;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly socketIds = new WeakMap<Socket, number>();
  private nextRequestId = 1;
  private faultUses = 0;
  private readonly initial: Required<Omit<StandinOptions, 'port' | 'host'>>;

  private constructor(
    readonly host: string,
    public port: number,
    options: StandinOptions,
  ) {
    this.initial = { ...DEFAULTS, ...stripUndefined(options) } as Required<Omit<StandinOptions, 'port' | 'host'>>;
    this.options = { ...this.initial };
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = this.options.keepAliveTimeoutMs;
    this.server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.connectionsOpened++;
      this.socketIds.set(socket, this.connectionsOpened);
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
    return `http://${this.host}:${this.port}`;
  }

  setOptions(partial: Partial<StandinOptions>): void {
    const { port: _port, host: _host, ...rest } = partial;
    void _port;
    void _host;
    this.options = { ...this.options, ...stripUndefined(rest) };
    this.server.keepAliveTimeout = this.options.keepAliveTimeoutMs;
    if (partial.fault !== undefined) this.faultUses = 0;
  }

  speechRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/audio/speech');
  }

  disconnects(): RecordedRequest[] {
    return this.requests.filter((r) => r.clientDisconnected);
  }

  reset(): void {
    this.requests.length = 0;
    this.connectionsOpened = 0;
    this.faultUses = 0;
    this.options = { ...this.initial };
    this.server.keepAliveTimeout = this.options.keepAliveTimeoutMs;
  }

  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > deadline) throw new Error(`stand-in: condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops listening and drops every connection: clients now get ECONNREFUSED, as before Kokoro-FastAPI's model is loaded. */
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.down();
  }

  private currentFault(): Fault {
    const { fault, faultTimes } = this.options;
    if (fault === 'none') return fault;
    if (this.faultUses >= faultTimes) return 'none';
    return fault;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const record: RecordedRequest = {
      id: this.nextRequestId++,
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      headers: req.headers,
      body: undefined,
      connectionId: this.socketIds.get(req.socket) ?? 0,
      receivedAt: 0,
      samplesSent: 0,
      completed: false,
      clientDisconnected: false,
    };
    this.requests.push(record);
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      record.receivedAt = performance.now();
      const text = Buffer.concat(parts).toString('utf8');
      if (text) {
        try {
          record.body = JSON.parse(text);
        } catch {
          record.body = text;
        }
      }
      // Like a server whose keep-alive timer fires between requests: no `Connection: close`, the socket just goes.
      const closeAfter = this.currentFault() === 'close-keepalive';
      res.on('close', () => {
        record.endedAt ??= performance.now();
        if (!res.writableFinished) record.clientDisconnected = true;
      });
      res.on('finish', () => {
        record.completed = true;
        record.endedAt = performance.now();
        if (closeAfter) setImmediate(() => req.socket.end());
      });
      this.route(record, res);
    });
  }

  private json(record: RecordedRequest, res: http.ServerResponse, status: number, body: unknown): void {
    record.status = status;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private route(record: RecordedRequest, res: http.ServerResponse): void {
    const key = `${record.method} ${record.path}`;
    switch (key) {
      case 'GET /health':
        return this.json(record, res, 200, { status: 'healthy' });
      case 'GET /v1/audio/voices':
        return this.json(record, res, 200, { voices: this.options.voicesShape === 'strings' ? this.options.voices : this.options.voices.map((v) => ({ id: v, name: v })) });
      case 'GET /v1/models':
        return this.json(record, res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 1686935002, owned_by: 'kokoro' })) });
      case 'POST /v1/audio/speech':
        return this.speech(record, res);
      default:
        return this.json(record, res, 404, { detail: 'Not Found' });
    }
  }

  private speech(record: RecordedRequest, res: http.ServerResponse): void {
    const body = record.body as Record<string, unknown> | undefined;
    const problem = this.validate(body);
    if (problem) return this.json(record, res, problem.status, problem.body);
    const input = body!.input as string;
    const format = (body!.response_format as string | undefined) ?? 'mp3';
    const speed = (body!.speed as number | undefined) ?? 1;
    const fault = this.currentFault();
    if (fault !== 'none') this.faultUses++;
    switch (fault) {
      case 'error-500':
        return this.json(record, res, 500, { detail: { error: 'processing_error', message: 'Error generating audio: CUDA out of memory', type: 'server_error' } });
      case 'error-bare-500':
        record.status = 500;
        res.writeHead(500, { 'content-length': 0 });
        return void res.end();
      case 'error-flask':
        return this.json(record, res, 500, { error: 'Voice generation failed: model not loaded' });
      case 'error-openai':
        return this.json(record, res, 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } });
      case 'error-message':
        return this.json(record, res, 400, { message: 'Invalid model: use an ONNX variant such as model_q8f16' });
      case 'empty-200':
        record.status = 200;
        res.writeHead(200, { 'content-type': 'audio/pcm' });
        return void res.end();
      case 'html-200':
        record.status = 200;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end('<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>');
      case 'json-200':
        return this.json(record, res, 200, { ok: true });
      case 'never-answer':
        return; // headers never come; the socket stays open until the client gives up
    }
    if (!input.trim()) {
      record.status = 200;
      record.samplesTotal = 0;
      res.writeHead(200, { 'content-type': CONTENT_TYPES[format] ?? 'audio/pcm' });
      return void res.end();
    }
    let total = samplesForText(input, this.options.msPerChar);
    let espeak: Buffer | undefined;
    if (this.options.voiceSource === 'espeak') {
      espeak = espeakPcm(input, speed);
      if (espeak) total = espeak.length / 2;
    }
    if (fault === 'huge') total = HUGE_SAMPLES;
    record.samplesTotal = total;
    let contentType = CONTENT_TYPES[format] ?? 'audio/pcm';
    let header: Buffer | undefined;
    let encode = (pcm: Buffer): Buffer => pcm;
    let rate = SAMPLE_RATE;
    if (fault === 'wav-44100') {
      contentType = 'audio/wav';
      rate = 44_100;
      header = streamingWavHeader(rate);
      total = Math.round((total * rate) / SAMPLE_RATE);
      record.samplesTotal = total;
    } else if (fault === 'wav-float32') {
      contentType = 'audio/wav';
      header = streamingWavHeader(SAMPLE_RATE, 3, 32);
      encode = (pcm) => {
        const out = Buffer.allocUnsafe(pcm.length * 2);
        for (let i = 0; i < pcm.length / 2; i++) out.writeFloatLE(pcm.readInt16LE(i * 2) / 32768, i * 4);
        return out;
      };
    } else if (fault === 'mp3' || ['mp3', 'opus', 'aac', 'flac'].includes(format)) {
      contentType = fault === 'mp3' ? 'audio/mpeg' : contentType;
      header = Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1');
      encode = (pcm) => Buffer.alloc(Math.ceil(pcm.length / 8), 0xff);
    } else if (format === 'wav') {
      header = streamingWavHeader();
    }
    const stream = body!.stream !== false;
    record.status = 200;
    if (!stream) {
      const pcm = espeak ?? toneBytes(0, total);
      const payload = Buffer.concat([header ?? Buffer.alloc(0), encode(pcm)]);
      res.writeHead(200, { 'content-type': contentType, 'content-length': payload.length });
      record.firstByteAt = performance.now();
      record.samplesSent = total;
      return void res.end(payload);
    }
    res.writeHead(200, { 'content-type': contentType, 'x-accel-buffering': 'no', 'cache-control': 'no-cache' });
    const chunkSamples = Math.max(1, Math.round((this.options.chunkMs * rate) / 1000));
    const pacing = this.options.rtf > 0 && Number.isFinite(this.options.rtf) ? this.options.chunkMs / this.options.rtf : 0;
    const split = this.options.splitOddBytes;
    const stopAt = fault === 'truncate' ? Math.floor(total / 2) : fault === 'reset-mid-stream' ? Math.min(total - 1, chunkSamples * 2) : total;
    let sent = 0;
    let index = 0;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const started = performance.now() + this.options.ttfbMs;
    res.on('close', () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    });
    const sendNext = () => {
      timer = undefined;
      if (stopped) return;
      if (sent >= stopAt) {
        if (fault === 'reset-mid-stream') {
          res.socket?.resetAndDestroy?.() ?? res.socket?.destroy();
          return;
        }
        res.end();
        return;
      }
      const n = Math.min(chunkSamples, stopAt - sent);
      const pcm = espeak ? espeak.subarray(sent * 2, (sent + n) * 2) : toneBytes(sent, n);
      let bytes = encode(pcm);
      if (index === 0 && header) bytes = Buffer.concat([header, bytes]);
      if (record.firstByteAt === undefined) record.firstByteAt = performance.now();
      if (split && bytes.length > 2) {
        const cut = (index % 2 === 0 ? 1 : bytes.length - 1) | 1;
        res.write(bytes.subarray(0, cut));
        res.write(bytes.subarray(cut));
      } else {
        res.write(bytes);
      }
      sent += n;
      record.samplesSent = sent;
      index++;
      if (fault === 'stall-after-first') return; // never another byte, never the end
      const due = started + index * pacing;
      const delay = Math.max(0, due - performance.now());
      if (delay > 0) timer = setTimeout(sendNext, delay);
      else if (index % 64 === 0) timer = setTimeout(sendNext, 0); // let other connections and disconnects through
      else sendNext();
    };
    if (this.options.ttfbMs > 0) {
      // Timers fire a millisecond or two late: wake early and finish on the event loop, so the delay is the one asked for.
      const due = record.receivedAt + this.options.ttfbMs;
      const onTime = () => {
        if (stopped) return;
        if (performance.now() >= due) sendNext();
        else setImmediate(onTime);
      };
      timer = setTimeout(onTime, Math.max(0, this.options.ttfbMs - 2));
    } else sendNext();
  }

  private validate(body: Record<string, unknown> | undefined): { status: number; body: unknown } | undefined {
    if (typeof body !== 'object' || body === null || typeof body.input !== 'string') return validationError('input', 'Field required', 'missing');
    const format = body.response_format ?? 'mp3';
    if (typeof format !== 'string' || !FORMATS.includes(format)) return validationError('response_format', "Input should be 'mp3', 'opus', 'aac', 'flac', 'wav' or 'pcm'", 'literal_error');
    const speed = body.speed ?? 1;
    if (typeof speed !== 'number' || speed < 0.25) return validationError('speed', 'Input should be greater than or equal to 0.25', 'greater_than_equal');
    if (speed > 4) return validationError('speed', 'Input should be less than or equal to 4', 'less_than_equal');
    const model = body.model ?? 'kokoro';
    if (typeof model !== 'string' || !MODELS.includes(model)) {
      return { status: 400, body: { detail: { error: 'invalid_model', message: `Unsupported model: ${String(model)}`, type: 'invalid_request_error' } } };
    }
    const voice = typeof body.voice === 'string' ? body.voice : 'af_heart';
    const parts = voice.split(/[+-]/).map((p) => p.trim().replace(/\([\d.]+\)$/, ''));
    const unknown = parts.find((p) => !this.options.voices.includes(p));
    if (unknown !== undefined) {
      return {
        status: 400,
        body: { detail: { error: 'validation_error', message: `Voice '${unknown}' not found. Available voices: ${this.options.voices.join(', ')}`, type: 'invalid_request_error' } },
      };
    }
    return undefined;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
