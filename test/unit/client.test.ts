import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { KokoroClient, type KokoroClientOptions, type SpeechParams, parseVoices, standInName } from '../../src/kokoro/client';
import { KokoroError } from '../../src/kokoro/errors';
import { ServerConnection } from '../../src/kokoro/connection';
import { rejectsWith } from './kokoroAssert';
import { StandinServer, samplesForText } from '../standin/server';

const params: SpeechParams = { model: 'kokoro', voice: 'af_heart', speed: 1 };

function clientFor(server: StandinServer, extra: Partial<KokoroClientOptions> = {}): KokoroClient {
  return new KokoroClient({
    serverUrl: server.url,
    connections: 2,
    healthTimeoutMs: 500,
    firstByteTimeoutMs: 2000,
    streamTimeoutMs: 2000,
    ...extra,
  });
}

async function speakAll(client: KokoroClient, text: string, p: SpeechParams = params, signal?: AbortSignal) {
  const chunks: Uint8Array[] = [];
  const timings = await client.speak(text, p, (pcm) => chunks.push(new Uint8Array(pcm)), signal);
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  return { timings, chunks, bytes };
}

describe('KokoroClient against the stand-in server', function () {
  this.timeout(10_000);
  let server: StandinServer;
  let client: KokoroClient;

  before(async () => {
    server = await StandinServer.start();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    client = clientFor(server);
  });
  afterEach(async () => {
    await client.close();
  });

  it('streams all the audio the server generated, as whole samples, in order', async () => {
    server.setOptions({ rtf: 20, chunkMs: 50 });
    const text = 'Hello world, this is a streamed sentence.';
    const { bytes, chunks, timings } = await speakAll(client, text);
    assert.equal(bytes, samplesForText(text, server.options.msPerChar) * 2);
    assert.ok(chunks.length > 3, 'audio arrived in several pieces, not buffered whole');
    assert.ok(chunks.every((c) => c.length % 2 === 0));
    assert.equal(timings.samples, bytes / 2);
    const body = server.speechRequests()[0].body as Record<string, unknown>;
    assert.deepEqual(
      {
        stream: body.stream,
        response_format: body.response_format,
        input: body.input,
        voice: body.voice,
        model: body.model,
        speed: body.speed,
      },
      { stream: true, response_format: 'pcm', input: text, voice: 'af_heart', model: 'kokoro', speed: 1 },
    );
  });

  it('hands audio over while the server is still generating', async () => {
    server.setOptions({ rtf: 5, chunkMs: 100, ttfbMs: 0 });
    let firstAudioAt = 0;
    const timings = await client.speak('A sentence long enough to take a while to generate.', params, () => {
      firstAudioAt ||= performance.now();
    });
    assert.ok(timings.endedAt - firstAudioAt > 200, `first audio ${(timings.endedAt - firstAudioAt).toFixed(0)} ms before the end`);
  });

  it('reuses kept-alive connections across many requests', async () => {
    for (let i = 0; i < 10; i++) await speakAll(client, `Sentence number ${i}.`);
    await client.health();
    assert.ok(server.connectionsOpened <= 2, `${server.connectionsOpened} connections for 11 requests with a pool of 2`);
    assert.equal(client.connectionsOpened, server.connectionsOpened, 'the client counts the connections it opens');
    const single = clientFor(server, { connections: 1 });
    server.reset();
    for (let i = 0; i < 5; i++) await speakAll(single, `Again ${i}.`);
    await single.close();
    assert.equal(server.connectionsOpened, 1);
  });

  it('counts speech requests apart from health checks, and how many of them needed a new connection', async () => {
    await client.health();
    await client.health();
    assert.equal(client.speechRequests, 0, 'health checks (keeping connections warm) are not speech requests');
    for (let i = 0; i < 6; i++) await speakAll(client, `Sentence number ${i}.`);
    assert.equal(client.speechRequests, 6);
    assert.equal(client.speechOnNewConnection, 0, 'every reading found the connection the health check had opened');
    const single = clientFor(server, { connections: 1 });
    try {
      await speakAll(single, 'First.');
      server.setOptions({ fault: 'drop-reused', faultTimes: 1 });
      await speakAll(single, 'Second, after the server dropped the idle connection.');
      await speakAll(single, 'Third.');
      assert.equal(single.speechRequests, 3);
      assert.equal(single.speechOnNewConnection, 2, 'the first request and the retried one opened connections');
    } finally {
      await single.close();
    }
  });

  it('merges extra request fields, but the core fields win', async () => {
    await speakAll(client, 'Hi.', { ...params, extraFields: { use_gpu: true, lang_code: 'b', stream: false, response_format: 'mp3' } });
    const body = server.speechRequests()[0].body as Record<string, unknown>;
    assert.equal(body.use_gpu, true);
    assert.equal(body.lang_code, 'b');
    assert.equal(body.stream, true);
    assert.equal(body.response_format, 'pcm');
  });

  it('warm-up opens the pool, checks health and synthesises a tiny text on each connection before any reading', async () => {
    const result = await client.warmUp(params);
    assert.equal(server.connectionsOpened, 2);
    const paths = server.requests.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(paths, ['GET /health', 'GET /health', 'POST /v1/audio/speech', 'POST /v1/audio/speech']);
    const connections = server.speechRequests().map((r) => r.connectionId);
    assert.equal(new Set(connections).size, 2, `one synthesis on each connection: ${connections.join(', ')}`);
    assert.ok(result.firstByteMs >= 0 && result.connectionsOpen === 2);
    assert.deepEqual([result.syntheses, result.answered, result.replicas], [2, 2, undefined], 'the stand-in names no replica');
    assert.equal(client.speechRequests, 0, 'warm-up syntheses are not counted as readings');
    await speakAll(client, 'After warm-up.');
    assert.equal(server.connectionsOpened, 2, 'the reading used a warm connection');
    assert.deepEqual([client.speechRequests, client.speechOnNewConnection], [1, 0]);
  });

  it("a health check tells the project's stand-in (the demo voice) from a Kokoro server", async () => {
    server.setOptions({ label: 'Demo voice (espeak-ng)' });
    assert.equal((await client.health()).standIn, 'Demo voice (espeak-ng)');
    assert.equal(client.standIn, 'Demo voice (espeak-ng)');
    assert.equal(standInName('{"status":"healthy"}'), undefined, 'Kokoro-FastAPI');
    assert.equal(standInName('OK'), undefined);
    assert.equal(standInName('{"status":"healthy","stand_in":"  "}'), undefined);
  });

  it('stop aborts the request and the server sees the disconnect', async () => {
    server.setOptions({ rtf: 2, chunkMs: 50 });
    const controller = new AbortController();
    let pieces = 0;
    const speaking = client.speak(
      'This is a long text that would take several seconds of audio to generate at this pace.',
      params,
      () => {
        if (++pieces === 2) controller.abort();
      },
      controller.signal,
    );
    await rejectsWith(speaking, 'aborted');
    await server.waitFor(() => server.disconnects().length === 1, 2000);
    const [request] = server.disconnects();
    assert.ok(request.samplesSent < request.samplesTotal!, 'the server stopped generating');
  });

  it('lists voices in both shapes', async () => {
    assert.deepEqual((await client.voices()).slice(0, 2), ['af_heart', 'af_bella']);
    server.setOptions({ voicesShape: 'strings' });
    assert.deepEqual((await client.voices()).slice(0, 2), ['af_heart', 'af_bella']);
    assert.deepEqual(parseVoices('{"object":"list","data":[{"id":"a","name":"A"},{"id":"b"}]}'), ['a', 'b']);
    assert.deepEqual(parseVoices('["x","y","x"]'), ['x', 'y']);
  });

  it("reports an unknown voice with the server's list", async () => {
    await rejectsWith(speakAll(client, 'Hi.', { ...params, voice: 'zz_nobody' }), 'badVoice', /zz_nobody.*af_heart/);
  });

  it('reports validation errors and every error body shape readably', async () => {
    await rejectsWith(speakAll(client, 'Hi.', { ...params, speed: 9 }), 'badRequest', /HTTP 422.*speed/);
    await rejectsWith(speakAll(client, 'Hi.', { ...params, model: 'nope' }), 'badRequest', /Unsupported model/);
    const shapes: Array<[string, RegExp]> = [
      ['error-500', /HTTP 500\): .+/],
      ['error-bare-500', /HTTP 500\) with no details/],
      ['error-flask', /HTTP 500\): .+/],
      ['error-openai', /HTTP 500\): .+/],
    ];
    for (const [fault, message] of shapes) {
      server.setOptions({ fault: fault as never });
      await rejectsWith(speakAll(client, 'Hi.'), 'http', message);
    }
    server.setOptions({ fault: 'error-message' });
    await rejectsWith(speakAll(client, 'Hi.'), 'badRequest', /HTTP 400\): .+/);
  });

  it('refuses answers that are not audio it can stream', async () => {
    server.setOptions({ fault: 'html-200' });
    await rejectsWith(speakAll(client, 'Hi.'), 'notAudio', /web page/);
    server.setOptions({ fault: 'json-200' });
    await rejectsWith(speakAll(client, 'Hi.'), 'notAudio', /application\/json/);
    server.setOptions({ fault: 'mp3' });
    await rejectsWith(speakAll(client, 'Hi.'), 'unsupportedFormat', /audio\/mpeg/);
    server.setOptions({ fault: 'empty-200' });
    await rejectsWith(speakAll(client, 'Hi.'), 'emptyAudio');
  });

  it('a redirect is never followed: it names the server URL to set (http → https), or what is in the way (a login page)', async () => {
    server.setOptions({ fault: 'redirect-https' });
    await rejectsWith(
      speakAll(client, 'Hi.'),
      'redirect',
      /redirects to https:\/\/tts\.example\.com \(HTTP 301\)\. Set kokoro\.serverUrl to https:\/\/tts\.example\.com\./,
    );
    server.setOptions({ fault: 'redirect-login' });
    const error = await speakAll(client, 'Hi.').then(
      () => assert.fail('a redirect is not audio'),
      (e: unknown) => e as KokoroError,
    );
    assert.equal(error.kind, 'redirect');
    assert.match(error.message, /redirects to https:\/\/sso\.example\.com\/login \(HTTP 302\), not a Kokoro server: a login page/);
    assert.doesNotMatch(error.message, /next=/, 'no query string in the message');
    assert.equal(error.setting, 'kokoro.serverUrl');
    assert.ok(
      server.requests.every((r) => r.path === '/v1/audio/speech'),
      'nothing was sent to where it pointed',
    );
  });

  it('an error page that never ends is cut short: the error is told at once, and the server sees the disconnect', async () => {
    server.setOptions({ fault: 'endless-error' });
    const slow = clientFor(server, { firstByteTimeoutMs: 60_000, streamTimeoutMs: 60_000 });
    try {
      await rejectsWith(speakAll(slow, 'Hi.'), 'http', /HTTP 500\)/);
      await server.waitFor(() => server.disconnects().length === 1, 5000);
    } finally {
      await slow.close();
    }
  });

  it('plays WAV answers with another sample rate or float samples', async () => {
    server.setOptions({ fault: 'wav-44100' });
    const wav = await speakAll(client, 'Hi there.');
    assert.equal(wav.timings.sampleRate, 44100);
    assert.ok(wav.bytes > 0);
    server.setOptions({ fault: 'wav-float32' });
    const float = await speakAll(client, 'Hi there.');
    assert.equal(float.timings.sampleRate, 24000);
    assert.equal(float.bytes, samplesForText('Hi there.', server.options.msPerChar) * 2);
  });

  it('times out when no first byte comes, and when the stream stalls', async () => {
    const fast = clientFor(server, { firstByteTimeoutMs: 200, streamTimeoutMs: 200 });
    try {
      server.setOptions({ fault: 'never-answer' });
      await rejectsWith(speakAll(fast, 'Hi.'), 'timeout', /within 200 ms/);
      server.setOptions({ fault: 'stall-after-first' });
      await rejectsWith(speakAll(fast, 'A longer sentence to stall in.'), 'timeout', /stalled/);
      server.setOptions({ fault: 'none' });
      await speakAll(fast, 'And it works again.');
    } finally {
      await fast.close();
    }
  });

  it('says so when the connection breaks mid-stream or the answer is far too long', async () => {
    server.setOptions({ fault: 'reset-mid-stream', rtf: 10 });
    await rejectsWith(speakAll(client, 'A sentence that will be cut off in the middle.'), 'truncated');
    server.setOptions({ fault: 'huge', rtf: 0 });
    await rejectsWith(speakAll(client, 'Hi.'), 'tooLarge');
  });

  it('works with a server that closes the connection after every answer (Connection: close)', async () => {
    server.setOptions({ fault: 'close-keepalive' });
    await client.health();
    await client.health();
    const { bytes } = await speakAll(client, 'Still works.');
    assert.equal(bytes, samplesForText('Still works.', server.options.msPerChar) * 2);
    assert.equal(server.speechRequests().length, 1, 'the speech request was sent once');
  });

  it('retries a health check and an unanswered speech request on a fresh connection when the server drops the kept-alive one', async () => {
    const single = clientFor(server, { connections: 1 });
    try {
      await single.health();
      const opened = server.connectionsOpened;
      server.setOptions({ fault: 'drop-reused', faultTimes: 1 });
      await single.health();
      assert.equal(server.connectionsOpened, opened + 1, 'the retry went on a new connection');
      assert.equal(
        server.requests.filter((r) => r.path === '/health').length,
        3,
        'the dropped check and its retry both reached the server',
      );

      server.setOptions({ fault: 'drop-reused', faultTimes: 1 });
      const { bytes } = await speakAll(single, 'Still works.');
      const expected = samplesForText('Still works.', server.options.msPerChar) * 2;
      assert.equal(bytes, expected, 'the audio reached the speaker once, whole');
      const speech = server.speechRequests();
      assert.equal(speech.length, 2);
      assert.equal(speech[0].samplesSent, 0, 'the dropped request produced no audio');
      assert.equal(speech[1].samplesSent * 2, expected);
    } finally {
      await single.close();
    }
  });

  it('retries a dropped request only once: a server that drops every request is an error, not a loop', async () => {
    const requests: number[] = [];
    const dropper = net.createServer((socket) => {
      socket.once('data', () => {
        requests.push(Date.now());
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(dropper.address() as net.AddressInfo).port}`;
    const dropping = new KokoroClient({
      serverUrl: url,
      connections: 1,
      healthTimeoutMs: 2000,
      firstByteTimeoutMs: 2000,
      streamTimeoutMs: 2000,
    });
    try {
      await rejectsWith(dropping.health(), 'unreachable');
      assert.equal(requests.length, 2, 'the health check and one retry');
      await rejectsWith(speakAll(dropping, 'Hi.'), 'unreachable');
      assert.equal(requests.length, 4, 'the speech request and one retry');
    } finally {
      await dropping.close();
      dropper.close();
    }
  });

  it('sends the API key as a bearer token, and never shows it in an error', async () => {
    const secret = 'sk-kokoro-very-secret-key';
    const keyed = clientFor(server, { apiKey: secret });
    try {
      await speakAll(keyed, 'Hi.');
      assert.equal(server.speechRequests()[0].headers.authorization, `Bearer ${secret}`);
      const errors: string[] = [];
      for (const fault of ['error-500', 'error-openai', 'html-200'] as const) {
        server.setOptions({ fault });
        await speakAll(keyed, 'Hi.').catch((e: Error) => errors.push(`${e.message} ${e.stack}`));
      }
      server.setOptions({ fault: 'none' });
      await speakAll(keyed, 'Hi.', { ...params, voice: 'nobody' }).catch((e: Error) => errors.push(e.message));
      assert.equal(errors.length, 4);
      for (const message of errors) assert.ok(!message.includes(secret), message);
      assert.ok(!keyed.url.includes(secret));
    } finally {
      await keyed.close();
    }
    await speakAll(client, 'Hi.');
    assert.equal(server.speechRequests().at(-1)!.headers.authorization, undefined, 'no key, no header');
  });

  it('says clearly when nothing listens at the URL', async () => {
    await server.down();
    try {
      await rejectsWith(client.health(), 'unreachable', /connection refused/);
      await rejectsWith(speakAll(client, 'Hi.'), 'unreachable', /No Kokoro server is answering/);
    } finally {
      await server.up();
    }
    await speakAll(client, 'Back again.');
  });
});

describe('ServerConnection state and recovery', function () {
  this.timeout(15_000);

  it('warms up on demand, marks the server unreachable when it goes, and re-warms when it comes back', async () => {
    const standin = await StandinServer.start();
    const settings = {
      client: { serverUrl: standin.url, connections: 1, healthTimeoutMs: 500, firstByteTimeoutMs: 2000, streamTimeoutMs: 2000 },
      speech: params,
      warmUp: true,
    };
    const server = new ServerConnection(settings);
    const states: string[] = [];
    server.on('state', (s) => states.push(s));
    try {
      await server.warmUp();
      assert.equal(server.state, 'ready');
      await standin.down();
      await server.warmUp();
      assert.equal(server.state, 'unreachable');
      assert.equal(server.lastError?.kind, 'unreachable');
      standin.reset();
      await standin.up();
      await standin.waitFor(() => server.state === 'ready', 5000);
      assert.ok(standin.speechRequests().length >= 1, 'it warmed up again after recovery');
      assert.deepEqual(states, ['warming', 'ready', 'warming', 'unreachable', 'warming', 'ready']);
    } finally {
      await server.dispose();
      await standin.close();
    }
  });

  it('a health check or voice list that never ends is read only so far: it answers, and the connection is closed', async () => {
    let closed = 0;
    const endless = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('close', () => closed++);
      const write = () => {
        while (!res.destroyed && res.write(req.url === '/health' ? ' '.repeat(4096) : '["af_heart",')) {
          // until the socket buffer is full
        }
        if (!res.destroyed) res.once('drain', write);
      };
      write();
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const patient = new KokoroClient({
      serverUrl: `http://127.0.0.1:${(endless.address() as net.AddressInfo).port}`,
      connections: 1,
      healthTimeoutMs: 60_000,
      firstByteTimeoutMs: 2000,
      streamTimeoutMs: 2000,
    });
    try {
      assert.equal((await patient.health()).ok, true);
      await rejectsWith(patient.voices(), 'notAudio', /voice list is not JSON/);
      for (const until = Date.now() + 5000; closed < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
      assert.equal(closed, 2, 'both answers were cut off by the client');
    } finally {
      await patient.close();
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('behind a load balancer with no replica answering (an HTML 502), the server is unreachable, polled, and re-warmed when a replica returns', async () => {
    const standin = await StandinServer.start();
    // A minimal reverse proxy: forwards to the stand-in, or answers like nginx when its upstream is gone.
    let upstreamUp = false;
    const proxy = http.createServer((req, res) => {
      if (!upstreamUp) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>');
        return;
      }
      const target = new URL(standin.url);
      const forward = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const server = new ServerConnection({
      client: { serverUrl: url, connections: 1, healthTimeoutMs: 500, firstByteTimeoutMs: 2000, streamTimeoutMs: 2000 },
      speech: params,
      warmUp: true,
    });
    try {
      await server.warmUp();
      assert.equal(server.state, 'unreachable', 'a 502 page is not a server that answered');
      assert.match(server.lastError!.message, /behind the proxy or load balancer .* \(HTTP 502\)/);
      await rejectsWith(speakAll(server.client, 'Hello.'), 'unreachable', /load balancer/);
      upstreamUp = true;
      await standin.waitFor(() => server.state === 'ready', 8000, 'recovery through the balancer');
      assert.ok(standin.speechRequests().length >= 1, 're-warmed through the balancer');
    } finally {
      await server.dispose();
      await new Promise((resolve) => proxy.close(resolve));
      await standin.close();
    }
  });

  it('a server URL that cannot be used never throws: every request fails with why, the state says it, and a usable URL recovers without a new server', async () => {
    const standin = await StandinServer.start();
    const port = new URL(standin.url).port;
    const settings = (serverUrl: string) => ({
      client: { serverUrl, connections: 1, healthTimeoutMs: 500, firstByteTimeoutMs: 2000, streamTimeoutMs: 2000 },
      speech: params,
      warmUp: true,
    });
    const server = new ServerConnection(settings(`ftp://127.0.0.1:${port}`));
    try {
      assert.equal(server.state, 'misconfigured');
      assert.equal(server.lastError?.kind, 'badUrl');
      assert.match(server.lastError!.message, /kokoro\.serverUrl "ftp:\/\/127\.0\.0\.1:\d+" cannot be used: ftp: is not supported/);
      await server.warmUp();
      assert.equal(server.state, 'misconfigured', 'no warm-up is tried');
      const client = server.client;
      await rejectsWith(client.health(), 'badUrl');
      await rejectsWith(client.voices(), 'badUrl');
      await rejectsWith(speakAll(client, 'Hello.'), 'badUrl');
      await client.touchConnections();
      assert.equal(client.openConnections, 0);
      assert.deepEqual(standin.requests, [], 'nothing was sent anywhere');
      // Fixed live, in the form people type it.
      server.update(settings(`localhost:${port}/`));
      await standin.waitFor(() => server.state === 'ready', 5000);
      assert.equal(server.client.url, `http://localhost:${port}`);
      await speakAll(server.client, 'Hello.');
      server.update(settings('http://'));
      assert.equal(server.state, 'misconfigured');
      assert.equal(server.lastError?.kind, 'badUrl');
    } finally {
      await server.dispose();
      await standin.close();
    }
  });

  it('a stream that breaks off because the server went down marks it unreachable at once; one that breaks on a live server does not', async () => {
    const standin = await StandinServer.start();
    const settings = {
      client: { serverUrl: standin.url, connections: 1, healthTimeoutMs: 500, firstByteTimeoutMs: 2000, streamTimeoutMs: 2000 },
      speech: params,
      warmUp: true,
    };
    const server = new ServerConnection(settings);
    try {
      await server.warmUp();
      server.reportFailure(new KokoroError('truncated', 'broke'));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(server.state, 'ready', 'the server answers its health check');
      await standin.down();
      server.reportFailure(new KokoroError('truncated', 'broke'));
      await standin.waitFor(() => server.state === 'unreachable', 2000);
    } finally {
      await server.dispose();
      await standin.close();
    }
  });

  it("keeps its connections warm past the server's keep-alive timeout, so a reading after a pause opens none", async function () {
    this.timeout(15_000);
    const standin = await StandinServer.start({ keepAliveTimeoutMs: 2500 }); // a "timeout=2" hint: the client keeps idle sockets 1 s
    const settings = {
      client: { serverUrl: standin.url, connections: 2, healthTimeoutMs: 500, firstByteTimeoutMs: 2000, streamTimeoutMs: 2000 },
      speech: params,
      warmUp: true,
    };
    const warm = new ServerConnection({ ...settings, keepWarmMs: 300 });
    const cold = new ServerConnection({ ...settings, keepWarmMs: 0 });
    try {
      await warm.warmUp();
      const opened = standin.connectionsOpened;
      await new Promise((r) => setTimeout(r, 2000));
      await warm.client.speak('After a pause.', params, () => undefined);
      assert.equal(standin.connectionsOpened, opened, 'no new connection was needed');
      standin.reset();
      standin.setOptions({ keepAliveTimeoutMs: 2500 });
      await cold.warmUp();
      const coldOpened = standin.connectionsOpened;
      await new Promise((r) => setTimeout(r, 2000));
      await cold.client.speak('After a pause.', params, () => undefined);
      assert.equal(standin.connectionsOpened, coldOpened + 1, 'without keeping warm, the server had closed the idle connections');
    } finally {
      await warm.dispose();
      await cold.dispose();
      await standin.close();
    }
  });
});
