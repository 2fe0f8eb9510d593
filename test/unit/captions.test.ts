import * as assert from 'node:assert/strict';
import { CaptionedSpeechDecoder, type WordTiming, captionsDecoderFor, isCaptionStream } from '../../src/kokoro/captions';
import { KokoroClient, type KokoroClientOptions, type SpeechParams } from '../../src/kokoro/client';
import { RawPcmDecoder } from '../../src/kokoro/decoder';
import { type KokoroError } from '../../src/kokoro/errors';
import { alignWords } from '../../src/speech/wordTimings';
import { StandinProcess } from '../standin/process';
import { rejectsWith } from './kokoroAssert';
import { StandinServer, captionWords, samplesForText } from '../standin/server';

const params: SpeechParams = { model: 'kokoro', voice: 'af_heart', speed: 1 };

const line = (audio: Buffer, timestamps: unknown[] = [], format = 'audio/pcm') =>
  `${JSON.stringify({ audio: audio.toString('base64'), audio_format: format, timestamps })}\n`;
const word = (w: string, start: number, end: number) => ({ word: w, start_time: start, end_time: end });

/** PCM of `n` bytes with recognisable values, so misplaced or lost bytes show. */
const pcm = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, k) => (seed * 31 + k * 7) & 0xff));

/** Three lines with audio pieces of odd lengths, and words with characters of more than one UTF-8 byte. */
function sampleStream() {
  const pieces = [pcm(5, 1), pcm(3, 2), pcm(6, 3), pcm(1, 4)];
  const lines = [
    line(pieces[0], [word('Café', 0, 0.25), word(',', 0.25, 0.3)]),
    line(pieces[1], [word('naïve', 0.3, 0.6)]),
    line(pieces[2], []),
    line(pieces[3], [word('日本', 0.6, 0.9), word('.', 0.9, 1)]),
  ];
  return { pieces, bytes: Buffer.from(lines.join(''), 'utf8') };
}

/** Feeds `bytes` cut at `cuts`; returns all PCM and, per push, the words taken after it. */
function decode(bytes: Buffer, cuts: number[]) {
  const decoder = new CaptionedSpeechDecoder();
  const audio: Buffer[] = [];
  const words: WordTiming[][] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    audio.push(Buffer.from(decoder.push(bytes.subarray(from, to))));
    words.push(decoder.takeWords());
    from = to;
  }
  decoder.end();
  return { pcm: Buffer.concat(audio), words };
}

describe('captioned speech decoder', () => {
  it('reads the same audio and words whatever byte the lines are split at, carrying odd PCM bytes across lines', () => {
    const { pieces, bytes } = sampleStream();
    const expectedPcm = Buffer.concat(pieces).subarray(0, 14); // 15 bytes: the last half sample is dropped
    const expectedWords = ['Café', ',', 'naïve', '日本', '.'];
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b += 7) {
        const { pcm: out, words } = decode(bytes, [a, b]);
        assert.ok(out.equals(expectedPcm), `split at ${a} and ${b}`);
        assert.deepEqual(
          words.flat().map((w) => w.word),
          expectedWords,
          `split at ${a} and ${b}`,
        );
      }
    }
    const byteByByte = decode(
      bytes,
      Array.from({ length: bytes.length }, (_, k) => k),
    );
    assert.ok(byteByByte.pcm.equals(expectedPcm));
    assert.deepEqual(byteByByte.words.flat()[2], { word: 'naïve', startSeconds: 0.3, endSeconds: 0.6 });
  });

  it("hands a line's words over with that line's audio, not before", () => {
    const { bytes } = sampleStream();
    const firstLineEnd = bytes.indexOf('\n') + 1;
    const decoder = new CaptionedSpeechDecoder();
    assert.equal(decoder.push(bytes.subarray(0, firstLineEnd - 1)).length, 0, 'the line is not complete yet');
    assert.deepEqual(decoder.takeWords(), []);
    assert.equal(decoder.push(bytes.subarray(firstLineEnd - 1, firstLineEnd)).length, 4, 'two whole samples of the five bytes');
    assert.deepEqual(
      decoder.takeWords().map((w) => w.word),
      ['Café', ','],
    );
    assert.deepEqual(decoder.takeWords(), [], 'taken once');
  });

  it('tolerates blank lines and CRLF, clamps times a hair below zero, and skips malformed words', () => {
    const text =
      '\r\n' +
      JSON.stringify({
        audio: pcm(4, 9).toString('base64'),
        audio_format: 'audio/pcm',
        timestamps: [word('Hi', -0.004, 0.2), word('there', 0.5, 0.4), { word: 'x' }, word(' ', 0, 1), null, word('ok', Number.NaN, 1)],
      }) +
      '\r\n\n' +
      JSON.stringify({ audio: '', audio_format: 'audio/pcm', timestamps: null }) +
      '\n';
    const decoder = new CaptionedSpeechDecoder();
    assert.equal(decoder.push(Buffer.from(text)).length, 4);
    assert.deepEqual(decoder.takeWords(), [
      { word: 'Hi', startSeconds: 0, endSeconds: 0.2 },
      { word: 'there', startSeconds: 0.5, endSeconds: 0.5 },
    ]);
    decoder.end();
  });

  it('says clearly when a line is not JSON, has no audio, carries audio it cannot play, or the stream stops mid-line', () => {
    const kindOf = (text: string, end = false) => {
      try {
        const decoder = new CaptionedSpeechDecoder();
        decoder.push(Buffer.from(text));
        if (end) decoder.end();
      } catch (err) {
        return (err as KokoroError).kind;
      }
      return 'none';
    };
    assert.equal(kindOf('<html>\n'), 'notAudio');
    assert.equal(kindOf('{"ok":true}\n'), 'notAudio');
    assert.equal(kindOf('{"ok":true}', true), 'notAudio', 'JSON that is not a caption line, without a newline');
    assert.equal(kindOf(line(pcm(4, 1), [], 'audio/mpeg')), 'unsupportedFormat');
    assert.equal(kindOf(line(pcm(4, 1)).slice(0, 20), true), 'truncated');
    assert.equal(kindOf(`${line(pcm(4, 1))}  `, true), 'none');
  });

  it('decodes WAV pieces at their own rate when the server sends them', () => {
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(0xffffffff, 4);
    header.write('WAVEfmt ', 8, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(44_100, 24);
    header.writeUInt32LE(88_200, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'ascii');
    header.writeUInt32LE(0xffffffff, 40);
    const decoder = new CaptionedSpeechDecoder();
    const out = decoder.push(Buffer.from(line(Buffer.concat([header, pcm(8, 5)]), [], 'audio/wav') + line(pcm(4, 6), [], 'audio/wav')));
    assert.equal(out.length, 12);
    assert.equal(decoder.sampleRate, 44_100);
  });

  it('a plain audio answer is played without words; a web page is refused', () => {
    assert.ok(captionsDecoderFor('audio/pcm') instanceof RawPcmDecoder);
    assert.ok(captionsDecoderFor('application/json') instanceof CaptionedSpeechDecoder);
    assert.ok(captionsDecoderFor('application/x-ndjson; charset=utf-8') instanceof CaptionedSpeechDecoder);
    assert.throws(
      () => captionsDecoderFor('text/html; charset=utf-8'),
      (err: KokoroError) => err.kind === 'notAudio',
    );
  });

  it('isCaptionStream: JSON lines with audio, or none; anything else is not', () => {
    assert.equal(isCaptionStream('application/json', ''), true, "Kokoro-FastAPI's answer to blank input");
    assert.equal(isCaptionStream('application/json', line(pcm(2, 1))), true);
    assert.equal(isCaptionStream('application/json', '{"ok":true}'), false);
    assert.equal(isCaptionStream('application/json', '{"detail":"Not Found"}'), false);
    assert.equal(isCaptionStream('text/html', ''), false);
    assert.equal(isCaptionStream('audio/pcm', ''), false, 'Kokoro-FastAPI 0.2.0–0.2.2 answered with plain audio');
  });
});

describe('KokoroClient captioned speech against the stand-in server', function () {
  this.timeout(10_000);
  let server: StandinServer;
  let client: KokoroClient;
  const clientFor = (extra: Partial<KokoroClientOptions> = {}) =>
    new KokoroClient({
      serverUrl: server.url,
      connections: 2,
      healthTimeoutMs: 500,
      firstByteTimeoutMs: 2000,
      streamTimeoutMs: 2000,
      ...extra,
    });

  before(async () => {
    server = await StandinServer.start();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    client = clientFor();
  });
  afterEach(async () => {
    await client.close();
  });

  async function speakCaptioned(text: string, signal?: AbortSignal, c = client) {
    const chunks: Buffer[] = [];
    const words: WordTiming[] = [];
    /** Per onWords call: the words, and the audio (samples) handed over before it. */
    const arrivals: Array<{ words: WordTiming[]; samplesBefore: number }> = [];
    let samples = 0;
    const timings = await c.speakCaptioned(
      text,
      params,
      (pcm) => {
        chunks.push(Buffer.from(pcm));
        samples += pcm.length / 2;
      },
      (w) => {
        words.push(...w);
        arrivals.push({ words: w, samplesBefore: samples });
      },
      signal,
    );
    return { timings, pcm: Buffer.concat(chunks), words, arrivals };
  }

  it('streams the same audio as speak, with the words as they arrive, each after its audio', async () => {
    server.setOptions({ rtf: 20, chunkMs: 50 });
    const text = "Hello, world. It's 3 o'clock, and 42 dogs wait.";
    const result = await speakCaptioned(text);
    const spoken: Buffer[] = [];
    await client.speak(text, params, (p) => spoken.push(Buffer.from(p)));
    assert.ok(result.pcm.equals(Buffer.concat(spoken)), 'the same audio as the speech route');
    assert.equal(result.timings.samples, samplesForText(text, server.options.msPerChar));

    const expected = captionWords(text, result.timings.samples).map((w) => w.word);
    assert.deepEqual(
      result.words.map((w) => w.word),
      expected,
    );
    assert.deepEqual(expected.slice(0, 4), ['Hello', ',', 'world', '.'], 'punctuation as words');
    assert.ok(expected.includes('three') && expected.includes('forty-two'), 'numbers spelled out');
    assert.ok(result.arrivals.length > 3, `words came in ${result.arrivals.length} pieces, not at the end`);
    for (const { words, samplesBefore } of result.arrivals) {
      for (const w of words) assert.ok(w.endSeconds * 24_000 <= samplesBefore + 24, `"${w.word}" came after its audio`);
    }
    const last = result.words.at(-1)!;
    assert.ok(Math.abs(last.endSeconds - result.timings.samples / 24_000) < 0.002, 'the last word ends with the audio');

    const [request] = server.speechRequests();
    assert.equal(request.path, '/dev/captioned_speech');
    assert.deepEqual(request.body, {
      model: 'kokoro',
      input: text,
      voice: 'af_heart',
      speed: 1,
      response_format: 'pcm',
      stream: true,
      return_timestamps: true,
    });
  });

  it("the server's words map onto the text we sent: numbers, punctuation and all", async () => {
    const text = 'I have 3 cats, and 42 dogs!';
    const { words } = await speakCaptioned(text);
    const spans = alignWords(text, words);
    assert.deepEqual(
      spans.map((s) => text.slice(s.start, s.end)),
      ['I', 'have', '3', 'cats', 'and', '42', 'dogs'],
    );
    const heard = Object.fromEntries(spans.map((s) => [text.slice(s.start, s.end), s]));
    const msPerChar = server.options.msPerChar / 1000;
    // The stand-in times each character alike: a word is heard while its characters are.
    assert.ok(Math.abs(heard['3'].startSeconds - text.indexOf('3') * msPerChar) < 0.002);
    assert.ok(Math.abs(heard['42'].endSeconds - (text.indexOf('42') + 2) * msPerChar) < 0.002);
    assert.ok(Math.abs(heard.dogs.startSeconds - text.indexOf('dogs') * msPerChar) < 0.002);
  });

  it('reads lines the server splits across writes at odd bytes, words with accents included', async () => {
    server.setOptions({ chunkMs: 20, splitOddBytes: true });
    const text = 'Café au lait, s’il vous plaît: naïve Zoë.';
    const { pcm, words } = await speakCaptioned(text);
    assert.equal(pcm.length, samplesForText(text, server.options.msPerChar) * 2);
    assert.deepEqual(
      words.map((w) => w.word),
      captionWords(text, 1).map((w) => w.word),
    );
    assert.ok(words.some((w) => w.word === 'plaît') && words.some((w) => w.word === 'Zoë'));
  });

  it('stop aborts the request and the server sees the disconnect, as with speak', async () => {
    server.setOptions({ rtf: 2, chunkMs: 50 });
    const controller = new AbortController();
    let pieces = 0;
    const speaking = client.speakCaptioned(
      'This is a long text that would take several seconds of audio to generate at this pace.',
      params,
      () => {
        if (++pieces === 2) controller.abort();
      },
      () => undefined,
      controller.signal,
    );
    await rejectsWith(speaking, 'aborted');
    await server.waitFor(() => server.disconnects().length === 1, 2000);
    const [request] = server.disconnects();
    assert.equal(request.path, '/dev/captioned_speech');
    assert.ok(request.samplesSent < request.samplesTotal!, 'the server stopped generating');
    assert.equal(client.connectionsAborted, 1);
    await speakCaptioned('And the next reading works.');
  });

  it('errors, timeouts and refusals come as from speak', async () => {
    const badVoice = client.speakCaptioned(
      'Hi.',
      { ...params, voice: 'zz_nobody' },
      () => undefined,
      () => undefined,
    );
    await rejectsWith(badVoice, 'badVoice', /zz_nobody/);
    server.setOptions({ fault: 'error-500' });
    await rejectsWith(speakCaptioned('Hi.'), 'http', /HTTP 500/);
    server.setOptions({ fault: 'html-200' });
    await rejectsWith(speakCaptioned('Hi.'), 'notAudio', /web page/);
    server.setOptions({ fault: 'json-200' });
    await rejectsWith(speakCaptioned('Hi.'), 'notAudio', /without audio/);
    server.setOptions({ fault: 'empty-200' });
    await rejectsWith(speakCaptioned('Hi.'), 'emptyAudio');
    server.setOptions({ fault: 'mp3' });
    await rejectsWith(speakCaptioned('Hi.'), 'unsupportedFormat', /audio\/mpeg/);
    server.setOptions({ fault: 'reset-mid-stream', rtf: 10 });
    await rejectsWith(speakCaptioned('A sentence that will be cut off in the middle.'), 'truncated');
    server.setOptions({ fault: 'huge', rtf: 0 });
    await rejectsWith(speakCaptioned('Hi.'), 'tooLarge');
    const fast = clientFor({ firstByteTimeoutMs: 200, streamTimeoutMs: 200 });
    try {
      server.setOptions({ fault: 'stall-after-first', rtf: 0 });
      await rejectsWith(speakCaptioned('A longer sentence to stall in.', undefined, fast), 'timeout', /stalled/);
    } finally {
      await fast.close();
    }
    server.setOptions({ fault: 'wav-44100' });
    const wav = await speakCaptioned('Hi there.');
    assert.equal(wav.timings.sampleRate, 44_100, "the pieces' own WAV rate");
    assert.deepEqual(
      wav.words.map((w) => w.word),
      ['Hi', 'there', '.'],
    );
  });

  it('supportsCaptions asks once, with blank input the server answers at once, and remembers', async () => {
    const answers = await Promise.all([client.supportsCaptions(), client.supportsCaptions()]);
    assert.deepEqual(answers, [true, true]);
    assert.equal(await client.supportsCaptions(), true);
    const probes = server.requests.filter((r) => r.path === '/dev/captioned_speech');
    assert.equal(probes.length, 1, 'one probe for three questions');
    assert.equal((probes[0].body as { input: string }).input.trim(), '');
    assert.equal(probes[0].samplesTotal, 0, 'nothing generated');
    await rejectsWith(client.supportsCaptions(AbortSignal.abort()), 'aborted');
  });

  it('a server without the route: supportsCaptions is false for good, and speakCaptioned says 404', async () => {
    server.setOptions({ captions: false });
    assert.equal(await client.supportsCaptions(), false);
    server.setOptions({ captions: true });
    assert.equal(await client.supportsCaptions(), false, 'remembered: asked once per client');
    assert.equal(server.requests.length, 1);
    server.setOptions({ captions: false });
    await rejectsWith(speakCaptioned('Hi.'), 'notFound', /HTTP 404/);
    const fresh = clientFor();
    assert.equal(await fresh.supportsCaptions(), false, 'a new client asks again');
    await fresh.close();
    assert.equal(
      server.requests.filter((r) => r.path === '/dev/captioned_speech' && !(r.body as { input: string }).input.trim()).length,
      2,
    );
  });

  it('an answer that is not a caption stream is false for good; a server error or a network failure is asked again', async () => {
    for (const fault of ['html-200', 'json-200'] as const) {
      server.setOptions({ fault });
      const fresh = clientFor();
      assert.equal(await fresh.supportsCaptions(), false, fault);
      server.setOptions({ fault: 'none' });
      assert.equal(await fresh.supportsCaptions(), false, `${fault}: remembered`);
      await fresh.close();
    }

    server.setOptions({ fault: 'error-500', faultTimes: 1 });
    assert.equal(await client.supportsCaptions(), false, 'a 500 says no for now');
    assert.equal(await client.supportsCaptions(), true, 'and is asked again');

    const other = clientFor();
    try {
      await server.down();
      await rejectsWith(other.supportsCaptions(), 'unreachable');
      await server.up();
      assert.equal(await other.supportsCaptions(), true, 'asked again once the server is back');
    } finally {
      await other.close();
      await server.up();
    }
  });
});

describe('KokoroClient captioned speech against the stand-in in blocking mode (child process)', function () {
  this.timeout(30_000);
  let standin: StandinProcess;

  before(async () => {
    standin = await StandinProcess.start({ mode: 'blocking', rtf: 40, startCostMs: 600, groupChars: 30 });
  });
  after(async () => {
    await standin?.stop();
  });

  it('words come per sentence group with its audio; a probe sent meanwhile waits for the group, not the health timeout', async () => {
    const client = new KokoroClient({
      serverUrl: standin.url,
      connections: 2,
      healthTimeoutMs: 300,
      firstByteTimeoutMs: 5000,
      streamTimeoutMs: 5000,
    });
    try {
      const text = 'The first sentence is here. The second one follows it. And a third closes the text.';
      const groups = ['The first sentence is here. ', 'The second one follows it. ', 'And a third closes the text.'];
      let probe: Promise<boolean> | undefined;
      const arrivals: string[][] = [];
      await client.speakCaptioned(
        text,
        params,
        () => undefined,
        (words) => {
          arrivals.push(words.map((w) => w.word));
          probe ??= client.supportsCaptions();
        },
      );
      assert.deepEqual(
        arrivals,
        groups.map((g) => captionWords(g, 1).map((w) => w.word)),
        'one arrival per group, with its words',
      );
      assert.equal(await probe, true, 'answered after the group in progress, 600 ms and more, past the 300 ms health timeout');
    } finally {
      await client.close();
    }
  });
});
