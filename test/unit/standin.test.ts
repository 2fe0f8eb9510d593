import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { type Fault, StandinServer, captionWords, samplesForText } from '../standin/server';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Body pieces as the client's HTTP parser delivered them. */
  chunks: Buffer[];
  body: Buffer;
  /** Set when the request failed (before or during the response). */
  error?: NodeJS.ErrnoException;
  /** The response ended normally. */
  complete: boolean;
}

interface SendOptions {
  method?: string;
  body?: unknown;
  raw?: string;
  agent?: http.Agent;
  /** Called with each body piece; return true to abort the request there. */
  onChunk?: (chunk: Buffer, received: number) => boolean | void;
  /** Give up (destroy the request) after this long. */
  giveUpMs?: number;
}

const freshAgent = () => new http.Agent({ keepAlive: false });

function send(url: string, route: string, options: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const answer: Answer = { status: 0, headers: {}, chunks: [], body: Buffer.alloc(0), complete: false };
    let settled = false;
    const done = (error?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(giveUp);
      if (error) answer.error = error;
      answer.body = Buffer.concat(answer.chunks);
      resolve(answer);
    };
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const req = http.request(`${url}${route}`, {
      method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
      agent: options.agent ?? freshAgent(),
      headers: payload === undefined ? {} : { 'content-type': 'application/json' },
    });
    const giveUp = setTimeout(() => {
      req.destroy();
      done();
    }, options.giveUpMs ?? 5000);
    req.on('error', (err) => done(err));
    req.on('response', (res) => {
      answer.status = res.statusCode ?? 0;
      answer.headers = res.headers;
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        answer.chunks.push(chunk);
        received += chunk.length;
        if (options.onChunk?.(chunk, received)) {
          req.destroy();
          done();
        }
      });
      res.on('end', () => {
        answer.complete = true;
        done();
      });
      res.on('error', (err) => done(err));
      res.on('aborted', () => done(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    });
    req.end(payload);
  });
}

const speechBody = (input: string, extra: Record<string, unknown> = {}) => ({
  model: 'kokoro',
  input,
  voice: 'af_heart',
  response_format: 'pcm',
  speed: 1,
  ...extra,
});
const speak = (server: StandinServer, input: string, extra: Record<string, unknown> = {}, options: SendOptions = {}) =>
  send(server.url, '/v1/audio/speech', { body: speechBody(input, extra), ...options });
const speakCaptioned = (server: StandinServer, input: string, extra: Record<string, unknown> = {}, options: SendOptions = {}) =>
  send(server.url, '/dev/captioned_speech', { body: speechBody(input, extra), ...options });
const json = (a: Answer): unknown => JSON.parse(a.body.toString('utf8'));

interface CaptionLine {
  audio: string;
  audio_format: string;
  timestamps: Array<{ word: string; start_time: number; end_time: number }>;
}
/** The NDJSON lines of a captioned answer; every line, the last one included, ends with a newline. */
function captionLines(a: Answer): CaptionLine[] {
  const text = a.body.toString('utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'ends with a newline');
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as CaptionLine);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function int16(body: Buffer, from = 0): Int16Array {
  const copy = Buffer.from(body.subarray(from, from + ((body.length - from) & ~1)));
  return new Int16Array(copy.buffer, copy.byteOffset, copy.length / 2);
}

describe('stand-in Kokoro server', function () {
  this.timeout(10_000);
  let server: StandinServer;

  before(async () => {
    server = await StandinServer.start();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  describe('speech', () => {
    it("streams s16le PCM of exactly samplesForText samples, chunked and paced, with Kokoro-FastAPI's headers", async () => {
      server.setOptions({ rtf: 40, chunkMs: 50 });
      const text = 'Hello world.';
      assert.equal(samplesForText(text, 60), 17_280);
      const started = performance.now();
      const a = await speak(server, text);
      const elapsed = performance.now() - started;
      assert.equal(a.status, 200);
      assert.equal(a.headers['content-type'], 'audio/pcm');
      assert.equal(a.headers['transfer-encoding'], 'chunked');
      assert.equal(a.headers['content-length'], undefined);
      assert.equal(a.headers['x-accel-buffering'], 'no');
      assert.equal(a.headers['cache-control'], 'no-cache');
      assert.equal(a.body.length, samplesForText(text, 60) * 2);
      assert.ok(a.chunks.length > 1, 'more than one read');
      assert.ok(elapsed >= 720 / 40 - 5, `paced at rtf 40 (took ${elapsed.toFixed(1)} ms)`);
      const [r] = server.speechRequests();
      assert.equal(r.status, 200);
      assert.equal(r.samplesSent, 17_280);
      assert.equal(r.samplesTotal, 17_280);
      assert.ok(r.completed && !r.clientDisconnected);
      assert.ok(r.firstByteAt! >= r.receivedAt && r.endedAt! >= r.firstByteAt!);
      assert.deepEqual(r.body, speechBody(text));
    });

    it('the tone is audible, fades in and out, and is the same every time', async () => {
      const a = await speak(server, 'Some audible text.');
      const samples = int16(a.body);
      const peak = samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
      assert.ok(peak > 3000 && peak < 16_000, `quiet but audible (peak ${peak})`);
      assert.ok(samples.filter((s) => s !== 0).length > samples.length * 0.9, 'not silence');
      assert.ok(Math.abs(samples[0]) < 300 && Math.abs(samples[samples.length - 1]) < 300, 'short fades at both ends');
      const again = await speak(server, 'Some audible text.');
      assert.ok(again.body.equals(a.body), 'deterministic');
    });

    it('splits chunks at odd byte offsets, so a client read can end mid-sample (and not when told not to)', async () => {
      server.setOptions({ rtf: 50, chunkMs: 20 });
      const a = await speak(server, 'Split me please.');
      let offset = 0;
      const boundaries = a.chunks.map((c) => (offset += c.length));
      assert.ok(
        boundaries.some((b) => b % 2 === 1),
        `an odd boundary among ${boundaries.slice(0, 8).join(', ')}…`,
      );
      assert.equal(a.body.length, samplesForText('Split me please.', 60) * 2);
      server.setOptions({ splitOddBytes: false });
      const whole = await speak(server, 'Split me please.');
      offset = 0;
      assert.ok(
        whole.chunks.every((c) => (offset += c.length) % 2 === 0),
        'whole samples only',
      );
    });

    it('waits ttfbMs before the first byte', async () => {
      server.setOptions({ ttfbMs: 60 });
      const started = performance.now();
      let firstAt = 0;
      await speak(server, 'Hi.', {}, { onChunk: () => void (firstAt ||= performance.now()) });
      assert.ok(firstAt - started >= 60, `first byte after ${(firstAt - started).toFixed(1)} ms`);
      const [r] = server.speechRequests();
      assert.ok(r.firstByteAt! - r.receivedAt >= 60);
    });

    it('answers WAV with a 78-byte header: LIST chunk before data, sizes 0xFFFFFFFF', async () => {
      const a = await speak(server, 'Wave.', { response_format: 'wav' });
      assert.equal(a.headers['content-type'], 'audio/wav');
      const h = a.body;
      assert.equal(h.toString('ascii', 0, 4), 'RIFF');
      assert.equal(h.readUInt32LE(4), 0xffffffff);
      assert.equal(h.toString('ascii', 8, 16), 'WAVEfmt ');
      assert.equal(h.readUInt16LE(20), 1, 'PCM');
      assert.equal(h.readUInt16LE(22), 1, 'mono');
      assert.equal(h.readUInt32LE(24), 24_000);
      assert.equal(h.readUInt16LE(34), 16);
      assert.equal(h.toString('ascii', 36, 40), 'LIST');
      const listSize = h.readUInt32LE(40);
      const dataAt = 44 + listSize;
      assert.equal(h.toString('ascii', dataAt, dataAt + 4), 'data');
      assert.equal(h.readUInt32LE(dataAt + 4), 0xffffffff);
      assert.equal(dataAt + 8, 78);
      assert.equal(h.length - 78, samplesForText('Wave.', 60) * 2);
    });

    it('answers mp3 (the default format), opus, aac and flac with their types and undecodable bytes', async () => {
      const mp3 = await speak(server, 'Encoded.', { response_format: undefined });
      assert.equal(mp3.headers['content-type'], 'audio/mpeg');
      assert.equal(mp3.body.toString('latin1', 0, 3), 'ID3');
      for (const [format, type, magic] of [
        ['opus', 'audio/opus', 'OggS'],
        ['aac', 'audio/aac', '\xff\xf1'],
        ['flac', 'audio/flac', 'fLaC'],
      ]) {
        const a = await speak(server, 'Encoded.', { response_format: format });
        assert.equal(a.status, 200);
        assert.equal(a.headers['content-type'], type);
        assert.equal(a.body.toString('latin1', 0, magic.length), magic, format);
        assert.ok(a.body.length > 100);
      }
    });

    it('stream:false answers the whole file at once with Content-Length', async () => {
      const a = await speak(server, 'All at once.', { stream: false });
      assert.equal(a.status, 200);
      assert.equal(a.headers['content-length'], String(samplesForText('All at once.', 60) * 2));
      assert.equal(a.headers['transfer-encoding'], undefined);
      assert.equal(a.body.length, samplesForText('All at once.', 60) * 2);
      const wav = await speak(server, 'All at once.', { stream: false, response_format: 'wav' });
      assert.equal(wav.body.length, 78 + samplesForText('All at once.', 60) * 2);
    });

    it('empty or blank input: 200 with an empty body', async () => {
      for (const input of ['', '   \n\t ']) {
        const a = await speak(server, input);
        assert.equal(a.status, 200);
        assert.equal(a.headers['content-type'], 'audio/pcm');
        assert.equal(a.body.length, 0);
        assert.ok(a.complete);
      }
    });

    it('accepts voice mixes and refuses an unknown voice (alone or in a mix) with the 400 detail', async () => {
      for (const voice of ['af_bella+af_sky', 'af_bella(2)+af_sky(1)', 'af_heart-am_adam', 'bm_george']) {
        assert.equal((await speak(server, 'Hi.', { voice })).status, 200, voice);
      }
      assert.equal((await speak(server, 'Hi.', { voice: undefined })).status, 200, 'default af_heart');
      for (const [voice, name] of [
        ['zz_nobody', 'zz_nobody'],
        ['af_bella+zz_x', 'zz_x'],
        ['af_bella(2)+zz_y(1)', 'zz_y'],
      ]) {
        const a = await speak(server, 'Hi.', { voice });
        assert.equal(a.status, 400);
        assert.deepEqual(json(a), {
          detail: {
            error: 'validation_error',
            message: `Voice '${name}' not found. Available voices: af_heart, af_bella, af_sky, am_adam, bf_emma, bm_george`,
            type: 'invalid_request_error',
          },
        });
      }
    });

    it('validates like FastAPI: 422 detail lists for schema errors, then 400 for the model, then the voice', async () => {
      const missing = { detail: [{ type: 'missing', loc: ['body', 'input'], msg: 'Field required' }] };
      const shape = (a: Answer) =>
        (json(a) as { detail: Array<Record<string, unknown>> }).detail.map(({ type, loc, msg }) => ({ type, loc, msg }));
      const noInput = await send(server.url, '/v1/audio/speech', { body: { model: 'kokoro', voice: 'af_heart' } });
      assert.equal(noInput.status, 422);
      assert.deepEqual({ detail: shape(noInput) }, missing);
      const notJson = await send(server.url, '/v1/audio/speech', { raw: 'input=hello' });
      assert.equal(notJson.status, 422);
      assert.deepEqual({ detail: shape(notJson) }, missing);
      const numberInput = await speak(server, 42 as never);
      assert.equal(numberInput.status, 422);
      const format = await speak(server, 'Hi.', { response_format: 'ogg', voice: 'zz_unknown', model: 'nope' });
      assert.equal(format.status, 422, 'schema errors come before model and voice');
      assert.deepEqual(shape(format), [
        { type: 'literal_error', loc: ['body', 'response_format'], msg: "Input should be 'mp3', 'opus', 'aac', 'flac', 'wav' or 'pcm'" },
      ]);
      for (const [speed, type] of [
        [0.1, 'greater_than_equal'],
        [4.5, 'less_than_equal'],
      ] as const) {
        const a = await speak(server, 'Hi.', { speed });
        assert.equal(a.status, 422);
        assert.equal(shape(a)[0].type, type);
        assert.deepEqual(shape(a)[0].loc, ['body', 'speed']);
      }
      assert.equal((await speak(server, 'Hi.', { speed: 0.25 })).status, 200);
      assert.equal((await speak(server, 'Hi.', { speed: 4 })).status, 200);
      const model = await speak(server, 'Hi.', { model: 'x', voice: 'zz_unknown' });
      assert.equal(model.status, 400);
      assert.deepEqual(json(model), { detail: { error: 'invalid_model', message: 'Unsupported model: x', type: 'invalid_request_error' } });
      for (const id of ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts']) assert.equal((await speak(server, 'Hi.', { model: id })).status, 200, id);
      assert.equal(
        (await speak(server, 'Hi.', { model: undefined, use_gpu: true })).status,
        200,
        'model defaults to kokoro; unknown fields are ignored',
      );
    });
  });

  describe('captioned speech', () => {
    it("streams NDJSON lines like Kokoro-FastAPI: each line a piece of the speech route's audio, with the words it completes", async () => {
      server.setOptions({ rtf: 40, chunkMs: 50 });
      const text = "Hello, world. It's 3 o'clock; 42 well-known dogs wait!";
      const a = await speakCaptioned(server, text);
      assert.equal(a.status, 200);
      assert.equal(a.headers['content-type'], 'application/json');
      assert.equal(a.headers['transfer-encoding'], 'chunked');
      assert.equal(a.headers['x-accel-buffering'], 'no');
      assert.equal(a.headers['cache-control'], 'no-cache');
      assert.equal(a.headers['content-disposition'], 'attachment; filename=speech.pcm');
      const lines = captionLines(a);
      assert.ok(lines.length > 3, `${lines.length} lines`);
      assert.ok(lines.every((l) => l.audio_format === 'audio/pcm'));
      const audio = Buffer.concat(lines.map((l) => Buffer.from(l.audio, 'base64')));
      const plain = await speak(server, text);
      assert.ok(audio.equals(plain.body), 'the same audio as the speech route');

      const words = lines.flatMap((l) => l.timestamps);
      assert.deepEqual(
        words.map((w) => w.word),
        ['Hello', ',', 'world', '.', "It's", 'three', "o'clock", ';', 'forty-two', 'well', '-', 'known', 'dogs', 'wait', '!'],
        'punctuation as words, numbers spelled out',
      );
      const perChar = 0.06;
      assert.deepEqual(words[2], { word: 'world', start_time: 7 * perChar, end_time: 12 * perChar }, 'seconds from the stream start');
      assert.equal(words.at(-1)!.end_time, (text.length * 60) / 1000, 'the last word ends with the audio');
      let samples = 0;
      for (const line of lines) {
        samples += Buffer.from(line.audio, 'base64').length / 2;
        for (const w of line.timestamps) assert.ok(w.end_time * 24_000 <= samples + 12, `"${w.word}" comes with its audio, not before`);
      }
      assert.ok(words.every((w, k) => k === 0 || w.start_time >= words[k - 1].start_time));
    });

    it('cuts lines across writes at odd places: a first read of one byte, others mid-line (and not when told not to)', async () => {
      server.setOptions({ rtf: 50, chunkMs: 20 });
      const text = 'Split these lines, please.';
      const a = await speakCaptioned(server, text);
      let offset = 0;
      const ends = new Set<number>();
      for (let k = 0; k < a.body.length; k++) if (a.body[k] === 0x0a) ends.add(k + 1);
      const boundaries = a.chunks.map((c) => (offset += c.length));
      assert.equal(a.chunks[0].length, 1);
      assert.ok(boundaries.filter((b) => !ends.has(b)).length > 3, 'reads end inside lines');
      assert.equal(
        captionLines(a)
          .map((l) => Buffer.from(l.audio, 'base64').length)
          .reduce((x, y) => x + y, 0),
        samplesForText(text, 60) * 2,
      );
      server.setOptions({ splitOddBytes: false });
      const whole = await speakCaptioned(server, text);
      assert.ok(
        whole.chunks.every((c) => c[c.length - 1] === 0x0a),
        'whole lines only',
      );
    });

    it('return_timestamps false leaves the words out; the model is never checked here, the voice and the schema are', async () => {
      const quiet = captionLines(await speakCaptioned(server, 'No words, please.', { return_timestamps: false }));
      assert.ok(quiet.length > 0 && quiet.every((l) => Array.isArray(l.timestamps) && l.timestamps.length === 0));
      assert.equal((await speakCaptioned(server, 'Hi.', { model: 'anything' })).status, 200);
      const voice = await speakCaptioned(server, 'Hi.', { voice: 'zz_nobody' });
      assert.equal(voice.status, 400);
      assert.match(JSON.stringify(json(voice)), /Voice 'zz_nobody' not found/);
      assert.equal((await speakCaptioned(server, 'Hi.', { speed: 9 })).status, 422);
      const formats = captionLines(await speakCaptioned(server, 'Hi.', { response_format: 'wav' }));
      assert.equal(formats[0].audio_format, 'audio/wav');
      assert.equal(Buffer.from(formats[0].audio, 'base64').toString('ascii', 0, 4), 'RIFF', 'the header in the first line');
    });

    it('stream:false answers one JSON object with all the audio and every word; blank input streams nothing, or is a 400', async () => {
      const text = 'All at once.';
      const a = await speakCaptioned(server, text, { stream: false });
      assert.equal(a.headers['content-type'], 'application/json');
      assert.equal(Number(a.headers['content-length']), a.body.length);
      const whole = json(a) as CaptionLine;
      assert.equal(Buffer.from(whole.audio, 'base64').length, samplesForText(text, 60) * 2);
      assert.deepEqual(
        whole.timestamps.map((w) => w.word),
        ['All', 'at', 'once', '.'],
      );
      for (const input of ['', '  \n']) {
        const blank = await speakCaptioned(server, input);
        assert.equal(blank.status, 200);
        assert.equal(blank.headers['content-type'], 'application/json');
        assert.equal(blank.body.length, 0);
        assert.ok(blank.complete);
      }
      assert.equal(server.speechRequests().at(-1)!.samplesTotal, 0, 'nothing generated');
      const blankWhole = await speakCaptioned(server, ' ', { stream: false });
      assert.equal(blankWhole.status, 400);
      assert.deepEqual(json(blankWhole), {
        detail: { error: 'validation_error', message: 'Input contains no speakable text', type: 'invalid_request_error' },
      });
    });

    it('a client that leaves mid-stream is recorded, and generation stops', async () => {
      server.setOptions({ rtf: 5, chunkMs: 50 });
      await speakCaptioned(
        server,
        'A long enough text to be interrupted part of the way through.',
        {},
        { onChunk: (_c, received) => received > 500 },
      );
      await server.waitFor(() => server.disconnects().length === 1);
      const [r] = server.disconnects();
      assert.equal(r.path, '/dev/captioned_speech');
      assert.ok(r.samplesSent < r.samplesTotal!);
    });

    it('captions:false is a server without the route: 404 {"detail":"Not Found"}', async () => {
      server.setOptions({ captions: false });
      const a = await speakCaptioned(server, 'Hi.');
      assert.equal(a.status, 404);
      assert.deepEqual(json(a), { detail: 'Not Found' });
      assert.equal((await speak(server, 'Hi.')).status, 200, 'the speech route is there');
      assert.equal(server.speechRequests()[0].path, '/dev/captioned_speech', 'recorded as a speech request');
    });

    it('captionWords times every word by its characters, as the tone and the sentence groups share the audio', () => {
      assert.deepEqual(captionWords('Go, 7 go!', 900), [
        { word: 'Go', startSample: 0, endSample: 200 },
        { word: ',', startSample: 200, endSample: 300 },
        { word: 'seven', startSample: 400, endSample: 500 },
        { word: 'go', startSample: 600, endSample: 800 },
        { word: '!', startSample: 800, endSample: 900 },
      ]);
      assert.deepEqual(
        captionWords('Don’t 100 20 99', 1).map((w) => w.word),
        ['Don’t', '100', 'twenty', 'ninety-nine'],
      );
    });
  });

  describe('other routes', () => {
    it('health, voices in both shapes, models, 404 and 405 — all recorded', async () => {
      const agent = new http.Agent({ keepAlive: true });
      try {
        const health = await send(server.url, '/health', { agent });
        assert.equal(health.status, 200);
        assert.deepEqual(json(health), { status: 'healthy', stand_in: 'Kokoro stand-in' }, 'as Kokoro-FastAPI answers, plus what it is');
        assert.equal(health.headers['x-kokoro-replica'], undefined, 'no replica named unless asked');
        assert.deepEqual(json(await send(server.url, '/v1/audio/voices', { agent })), {
          voices: ['af_heart', 'af_bella', 'af_sky', 'am_adam', 'bf_emma', 'bm_george'].map((v) => ({ id: v, name: v })),
        });
        server.setOptions({ voicesShape: 'strings', voices: ['af_heart', 'bm_george'] });
        assert.deepEqual(json(await send(server.url, '/v1/audio/voices', { agent })), { voices: ['af_heart', 'bm_george'] });
        const models = json(await send(server.url, '/v1/models', { agent })) as { object: string; data: Array<{ id: string }> };
        assert.equal(models.object, 'list');
        assert.deepEqual(
          models.data.map((m) => m.id),
          ['kokoro', 'tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'],
        );
        const missing = await send(server.url, '/v1/nothing', { agent });
        assert.equal(missing.status, 404);
        assert.deepEqual(json(missing), { detail: 'Not Found' });
        const wrongMethod = await send(server.url, '/v1/audio/speech', { agent });
        assert.equal(wrongMethod.status, 405);
        const c = server.requests[0].connectionId;
        assert.deepEqual(
          server.requests.map((r) => `${r.id} ${r.method} ${r.path} ${r.status} c${r.connectionId}`),
          [
            `1 GET /health 200 c${c}`,
            `2 GET /v1/audio/voices 200 c${c}`,
            `3 GET /v1/audio/voices 200 c${c}`,
            `4 GET /v1/models 200 c${c}`,
            `5 GET /v1/nothing 404 c${c}`,
            `6 GET /v1/audio/speech 405 c${c}`,
          ],
        );
        assert.ok(server.requests.every((r) => r.completed && r.receivedAt > 0 && r.endedAt! >= r.receivedAt));
        assert.equal(server.speechRequests().length, 0);
      } finally {
        agent.destroy();
      }
    });
  });

  describe('connections', () => {
    it('keeps connections alive: sequential requests on a keep-alive agent use one connection', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = await speak(server, 'One.', {}, { agent });
        const second = await speak(server, 'Two.', {}, { agent });
        await send(server.url, '/health', { agent });
        assert.equal(first.status + second.status, 400);
        assert.equal(server.connectionsOpened, 1);
        assert.equal(new Set(server.requests.map((r) => r.connectionId)).size, 1);
        assert.equal(first.headers.connection, 'keep-alive');
      } finally {
        agent.destroy();
      }
      await send(server.url, '/health'); // a fresh connection
      assert.equal(server.connectionsOpened, 2);
      const ids = server.requests.map((r) => r.connectionId);
      assert.notEqual(ids[3], ids[0]);
    });

    it('closes idle connections after keepAliveTimeoutMs; keepAliveHeader:false sends no Connection/Keep-Alive header, like uvicorn', async () => {
      assert.equal(server.options.keepAliveTimeoutMs, 5000, "uvicorn's default");
      server.setOptions({ keepAliveTimeoutMs: 100 });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const hinted = await send(server.url, '/health', { agent });
        assert.equal(hinted.headers['keep-alive'], 'timeout=0');
        await sleep(250);
        server.setOptions({ keepAliveHeader: false });
        const bare = await send(server.url, '/health', { agent });
        assert.equal(server.connectionsOpened, 2, 'the idle connection had been closed');
        assert.equal(bare.headers.connection, undefined);
        assert.equal(bare.headers['keep-alive'], undefined);
        await send(server.url, '/health', { agent });
        assert.equal(server.connectionsOpened, 2, 'still kept alive without the header');
      } finally {
        agent.destroy();
      }
    });

    it('a client that disconnects mid-stream is recorded, and generation stops', async () => {
      server.setOptions({ rtf: 10, chunkMs: 20 });
      const text = 'A long text that takes a while to generate at this pace, several seconds of audio in fact.';
      const a = await speak(server, text, {}, { onChunk: (_c, received) => received > 4000 });
      assert.ok(!a.complete);
      await server.waitFor(() => server.disconnects().length === 1, 2000, 'the disconnect');
      const [r] = server.disconnects();
      assert.equal(r.completed, false);
      assert.ok(r.endedAt !== undefined);
      assert.equal(r.samplesTotal, samplesForText(text, 60));
      const sentThen = r.samplesSent;
      assert.ok(sentThen < r.samplesTotal!, 'stopped early');
      await sleep(60);
      assert.equal(r.samplesSent, sentThen, 'nothing generated after the disconnect');
    });

    it('down() refuses connections (ECONNREFUSED) and drops open ones; up() listens on the same port again', async () => {
      const local = await StandinServer.start({ rtf: 5 });
      try {
        const port = local.port;
        const streaming = speak(local, 'A long stream that will be cut off by the server going down.');
        await local.waitFor(() => (local.speechRequests()[0]?.samplesSent ?? 0) > 0, 2000);
        await local.down();
        const cut = await streaming;
        assert.ok(!cut.complete, 'the open stream was dropped');
        assert.equal(local.disconnects().length, 0, 'the server dropped it, not the client');
        const refused = await send(local.url, '/health');
        assert.equal(refused.error?.code, 'ECONNREFUSED');
        await local.up();
        assert.equal(local.port, port);
        assert.equal(local.url, `http://127.0.0.1:${port}`);
        assert.equal((await send(local.url, '/health')).status, 200);
      } finally {
        await local.close();
      }
    });
  });

  describe('faults', () => {
    const errorBodies: Array<[Fault, number, unknown]> = [
      ['error-500', 500, { detail: { error: 'processing_error', type: 'server_error' } }],
      ['error-flask', 500, { error: '' }],
      ['error-openai', 500, { error: { type: 'server_error' } }],
      ['error-message', 400, { message: '' }],
    ];
    it("error faults answer each server's error shape", async () => {
      for (const [fault, status, shape] of errorBodies) {
        server.setOptions({ fault });
        const a = await speak(server, 'Hi.');
        assert.equal(a.status, status, fault);
        assert.equal(a.headers['content-type'], 'application/json');
        const body = json(a) as Record<string, unknown>;
        assert.deepEqual(Object.keys(body), Object.keys(shape as object), fault);
        const text = JSON.stringify(body);
        assert.ok(/"message":"[^"]+"|"error":"[^"]+"/.test(text), `${fault} carries a message: ${text}`);
      }
      server.setOptions({ fault: 'error-bare-500' });
      const bare = await speak(server, 'Hi.');
      assert.equal(bare.status, 500);
      assert.equal(bare.body.length, 0);
    });

    it('200 answers that are not audio: empty, an HTML page, JSON', async () => {
      server.setOptions({ fault: 'empty-200' });
      const empty = await speak(server, 'Hi.');
      assert.deepEqual([empty.status, empty.headers['content-type'], empty.body.length], [200, 'audio/pcm', 0]);
      server.setOptions({ fault: 'html-200' });
      const html = await speak(server, 'Hi.');
      assert.equal(html.status, 200);
      assert.match(String(html.headers['content-type']), /^text\/html/);
      assert.match(html.body.toString(), /<html/);
      server.setOptions({ fault: 'json-200' });
      const ok = await speak(server, 'Hi.');
      assert.deepEqual([ok.status, ok.headers['content-type'], json(ok)], [200, 'application/json', { ok: true }]);
    });

    it('faults apply to speech only, after validation, and clear after faultTimes', async () => {
      server.setOptions({ fault: 'error-500', faultTimes: 2 });
      assert.equal((await send(server.url, '/health')).status, 200);
      assert.equal((await speak(server, 'Hi.', { voice: 'zz_nobody' })).status, 400, 'validation first');
      assert.equal((await speak(server, 'Hi.')).status, 500);
      assert.equal((await speak(server, 'Hi.')).status, 500);
      assert.equal((await speak(server, 'Hi.')).status, 200, 'cleared itself');
      server.reset();
      assert.equal(server.options.fault, 'none', 'reset restores the start options');
      assert.equal(server.options.faultTimes, Infinity);
    });

    it('stall-after-first sends one chunk then nothing; never-answer sends no headers', async () => {
      server.setOptions({ fault: 'stall-after-first' });
      const stalled = await speak(server, 'This will stall after the first chunk of audio.', {}, { giveUpMs: 300 });
      assert.equal(stalled.status, 200);
      assert.equal(stalled.body.length, 2400 * 2, 'exactly one 100 ms chunk');
      assert.ok(!stalled.complete);
      server.setOptions({ fault: 'never-answer' });
      const silent = await speak(server, 'Hi.', {}, { giveUpMs: 200 });
      assert.equal(silent.status, 0, 'no headers');
      await server.waitFor(() => server.disconnects().length === 2, 1000);
      assert.equal(server.speechRequests()[1].status, undefined);
    });

    it('hung-replica leaves every other speech request unanswered, as a balancer with one hung replica of two; faultTimes counts the hung ones', async () => {
      server.setOptions({ fault: 'hung-replica', faultTimes: 2 });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await speak(server, 'Hi.', {}, { giveUpMs: 150 })).status);
      assert.deepEqual(statuses, [0, 200, 0, 200, 200, 200]);
      assert.equal((await send(server.url, '/health')).status, 200, 'speech only');
      await server.waitFor(() => server.disconnects().length === 2, 1000);
    });

    it('reset-mid-stream sends some audio and then a TCP reset', async () => {
      server.setOptions({ fault: 'reset-mid-stream' });
      const a = await speak(server, 'A sentence that will be cut off in the middle.');
      assert.equal(a.status, 200);
      assert.ok(
        a.body.length > 0 && a.body.length < samplesForText('A sentence that will be cut off in the middle.', 60) * 2,
        `${a.body.length} bytes`,
      );
      assert.ok(!a.complete);
      assert.equal(a.error?.code, 'ECONNRESET');
      await server.waitFor(() => server.speechRequests()[0].endedAt !== undefined, 1000);
      assert.equal(server.speechRequests()[0].clientDisconnected, false);
    });

    it('truncate ends normally after half the audio', async () => {
      server.setOptions({ fault: 'truncate' });
      const a = await speak(server, 'Only half of this arrives.');
      assert.ok(a.complete);
      assert.equal(a.body.length, Math.floor(samplesForText('Only half of this arrives.', 60) / 2) * 2);
      assert.ok(server.speechRequests()[0].completed);
    });

    it('huge streams far more than the text explains, until the client leaves', async () => {
      server.setOptions({ fault: 'huge' });
      const a = await speak(server, 'Hi.', {}, { onChunk: (_c, received) => received > 2_000_000 });
      assert.ok(a.body.length > 2_000_000 && !a.complete);
      await server.waitFor(() => server.disconnects().length === 1, 2000);
      const [r] = server.disconnects();
      assert.equal(r.samplesTotal, 24_000 * 600, 'bounded at ten minutes of audio');
      const sentThen = r.samplesSent;
      assert.ok(sentThen < 24_000 * 120, `stopped with the client (${sentThen} samples), held back by the socket's buffer`);
      await sleep(30);
      assert.equal(r.samplesSent, sentThen);
    });

    it('close-keepalive: every route answers Connection: close and the socket closes after it', async () => {
      server.setOptions({ fault: 'close-keepalive' });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const health = await send(server.url, '/health', { agent });
        const speech = await speak(server, 'Still works.', {}, { agent });
        const voices = await send(server.url, '/v1/audio/voices', { agent });
        for (const a of [health, speech, voices]) assert.equal(a.headers.connection, 'close');
        assert.equal(speech.body.length, samplesForText('Still works.', 60) * 2);
        assert.equal(server.connectionsOpened, 3);
        assert.deepEqual(
          server.requests.map((r) => r.connectionId),
          [...new Set(server.requests.map((r) => r.connectionId))],
        );
      } finally {
        agent.destroy();
      }
    });

    it('wav-44100 and wav-float32 ignore the asked format; mp3 is MPEG with an ID3 tag', async () => {
      server.setOptions({ fault: 'wav-44100' });
      const w44 = await speak(server, 'Hi there.');
      assert.equal(w44.headers['content-type'], 'audio/wav');
      assert.equal(w44.body.readUInt32LE(24), 44_100);
      assert.equal(w44.body.readUInt32LE(4), 0xffffffff);
      assert.equal(w44.body.length - 78, Math.round((samplesForText('Hi there.', 60) * 44_100) / 24_000) * 2);
      server.setOptions({ fault: 'wav-float32' });
      const f32 = await speak(server, 'Hi there.');
      assert.equal(f32.headers['content-type'], 'audio/wav');
      assert.deepEqual([f32.body.readUInt16LE(20), f32.body.readUInt32LE(24), f32.body.readUInt16LE(34)], [3, 24_000, 32]);
      assert.equal(f32.body.length - 78, samplesForText('Hi there.', 60) * 4);
      const floats = new Float32Array(Buffer.from(f32.body.subarray(78)).buffer);
      assert.ok(floats.some((x) => Math.abs(x) > 0.1) && floats.every((x) => Math.abs(x) <= 1));
      server.setOptions({ fault: 'mp3' });
      const mp3 = await speak(server, 'Hi there.');
      assert.equal(mp3.headers['content-type'], 'audio/mpeg');
      assert.equal(mp3.body.toString('latin1', 0, 3), 'ID3');
      assert.ok(mp3.body.length > 100);
    });
  });

  it('waitFor rejects with a clear message on timeout', async () => {
    await assert.rejects(
      server.waitFor(() => false, 30, 'the impossible'),
      /stand-in: the impossible not met within 30 ms/,
    );
  });

  it('voiceSource espeak speaks the text with espeak-ng (or falls back to the tone)', async function () {
    const local = await StandinServer.start({ voiceSource: 'espeak' });
    try {
      const text = 'Hello from the demo voice.';
      const a = await speak(local, text);
      assert.equal(a.status, 200);
      assert.ok(a.body.length > 2400 * 2);
      assert.ok(
        int16(a.body).some((s) => Math.abs(s) > 1000),
        'audible',
      );
      const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
      if (hasEspeak) assert.notEqual(a.body.length, samplesForText(text, 60) * 2, 'length comes from espeak');
      else assert.equal(a.body.length, samplesForText(text, 60) * 2);
      assert.equal(local.speechRequests()[0].samplesTotal, a.body.length / 2);
    } finally {
      await local.close();
    }
  });

  it('the CLI prints one JSON line and its control server steers the stand-in, also while it is down', async function () {
    const cli = path.join(__dirname, '..', 'standin', 'cli.js');
    const child = spawn(
      process.execPath,
      [
        cli,
        '--port',
        '0',
        '--control-port',
        '0',
        '--ttfb-ms',
        '5',
        '--label',
        'DEMO voice',
        '--no-captions',
        '--replica',
        'gpu-1',
        '--quiet',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
      });
      const { url, controlUrl, label } = JSON.parse(line) as { url: string; controlUrl: string; label: string };
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(label, 'DEMO voice');
      const post = async (route: string, body?: unknown) =>
        (await fetch(`${controlUrl}${route}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) })).json();
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200);
      assert.equal(health.headers.get('x-kokoro-replica'), 'gpu-1', '--replica names it, as a load balancer names its replica');
      assert.deepEqual(await post('/options', { fault: 'error-500', replica: 'gpu-2' }).then((r) => (r as { ok: boolean }).ok), true);
      const failed = await send(url, '/v1/audio/speech', { body: speechBody('Hi.') });
      assert.equal(failed.status, 500);
      assert.equal(failed.headers['x-kokoro-replica'], 'gpu-2', 'on every answer, errors too (nginx: always)');
      const state = (await (await fetch(`${controlUrl}/state`)).json()) as {
        url: string;
        connectionsOpened: number;
        requests: Array<{ path: string; status: number }>;
        options: { fault: string; ttfbMs: number };
      };
      assert.equal(state.url, url);
      assert.ok(state.connectionsOpened >= 1);
      assert.deepEqual(
        state.requests.map((r) => `${r.path} ${r.status}`),
        ['/health 200', '/v1/audio/speech 500'],
      );
      assert.deepEqual([state.options.fault, state.options.ttfbMs], ['error-500', 5]);
      assert.deepEqual(await post('/down'), { ok: true });
      assert.equal((await send(url, '/health')).error?.code, 'ECONNREFUSED');
      assert.deepEqual(await post('/up'), { ok: true });
      assert.deepEqual(await post('/reset'), { ok: true });
      assert.equal((await send(url, '/v1/audio/speech', { body: speechBody('Hi.') })).status, 200, 'reset cleared the fault');
      assert.equal((await send(url, '/dev/captioned_speech', { body: speechBody('Hi.') })).status, 404, '--no-captions');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, 'exits cleanly on SIGTERM');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
