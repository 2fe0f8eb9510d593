import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EspeakVoice, espeakText, espeakWordsPerMinute } from '../../src/fallback/espeak';
import type { SpeechTimings } from '../../src/kokoro/client';
import { KokoroError } from '../../src/kokoro/errors';

interface Heard {
  timings: SpeechTimings;
  chunks: Uint8Array[];
  rates: number[];
  /** performance.now() of each onAudio call. */
  times: number[];
  samples: number;
}

async function hear(voice: EspeakVoice, text: string, speed = 1, signal?: AbortSignal): Promise<Heard> {
  const chunks: Uint8Array[] = [];
  const rates: number[] = [];
  const times: number[] = [];
  const timings = await voice.speak(
    text,
    { speed },
    (pcm, rate) => {
      chunks.push(pcm.slice());
      rates.push(rate);
      times.push(performance.now());
    },
    signal,
  );
  return { timings, chunks, rates, times, samples: chunks.reduce((n, c) => n + c.length / 2, 0) };
}

async function rejection(promise: Promise<unknown>): Promise<KokoroError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KokoroError, `a KokoroError, not ${String(err)}`);
    return err;
  }
  assert.fail('expected the promise to reject');
}

/** espeak processes this process started that the kernel still lists (state Z: exited but not reaped). */
function espeakChildren(): Array<{ pid: number; state: string }> {
  const found: Array<{ pid: number; state: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ')'.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, ppid] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(0, 2);
    if (Number(ppid) === process.pid && comm.startsWith('espeak')) found.push({ pid: Number(entry), state });
  }
  return found;
}

const canSeeProcesses = existsSync('/proc/self/stat');
const LONG_TEXT = Array.from(
  { length: 12 },
  (_, i) => `Paragraph ${i + 1}: the quick brown fox jumps over the lazy dog, and the server is down, so espeak reads this instead.`,
).join('\n');

describe('espeak-ng fallback voice', () => {
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'kokoro-espeak-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** An executable script in the scratch folder. */
  function script(name: string, body: string, mode = 0o755): string {
    const file = path.join(scratch, name);
    writeFileSync(file, body);
    chmodSync(file, mode);
    return file;
  }

  describe('speed and text', () => {
    it('maps Kokoro speed to words per minute, 1 being espeak’s 175, within espeak’s 80–450', () => {
      assert.equal(espeakWordsPerMinute(1), 175);
      assert.equal(espeakWordsPerMinute(2), 350);
      assert.equal(espeakWordsPerMinute(0.75), 131);
      assert.equal(espeakWordsPerMinute(0.25), 80);
      assert.equal(espeakWordsPerMinute(4), 450);
      assert.equal(espeakWordsPerMinute(Number.NaN), 175);
    });

    it('turns control characters into spaces and keeps tabs and newlines', () => {
      assert.equal(espeakText('a\u0000b\u0001c\td\ne\rf\u007fg\u009fh é'), 'a b c\td\ne f g h é');
    });
  });

  describe('the process (stand-in scripts)', function () {
    before(function () {
      if (process.platform === 'win32') this.skip();
    });

    it('sends the text on stdin, never on the command line, with -s for the speed and no -m', async () => {
      const log = path.join(scratch, 'args.json');
      const fake = script(
        'fake-args',
        `#!${process.execPath}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  require('fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2), stdin: Buffer.concat(chunks).toString('utf8') }));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(0x7ffff024, 4); h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(22050, 24); h.writeUInt32LE(44100, 28);
  h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(0x7ffff000, 40);
  process.stdout.write(Buffer.concat([h, Buffer.alloc(200)]));
});
`,
      );
      const text = '-s 999 <speak>Hi</speak> --stdout\u0000 -w /tmp/x';
      await hear(new EspeakVoice({ path: fake, voice: 'en-gb' }), text, 2);
      const seen = JSON.parse(readFileSync(log, 'utf8')) as { args: string[]; stdin: string };
      assert.deepEqual(seen.args, ['--stdout', '--stdin', '-b', '1', '-s', '350', '-v', 'en-gb']);
      assert.equal(seen.stdin, '-s 999 <speak>Hi</speak> --stdout  -w /tmp/x');
    });

    it('plays audio as espeak writes it, whole samples only, however the pipe cuts it', async () => {
      // 44-byte header like espeak-ng's, then samples 1..300 written in odd-sized pieces with a pause before the last.
      const fake = script(
        'fake-stream',
        `#!${process.execPath}
process.stdin.resume();
const h = Buffer.alloc(44);
h.write('RIFF', 0); h.writeUInt32LE(0xffffffff, 4); h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(16000, 24); h.writeUInt32LE(32000, 28);
h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(0xffffffff, 40);
const pcm = Buffer.alloc(600);
for (let i = 0; i < 300; i++) pcm.writeInt16LE(i + 1, i * 2);
const all = Buffer.concat([h, pcm]);
process.stdout.write(all.subarray(0, 47), () =>
  setTimeout(() => process.stdout.write(all.subarray(47, 301), () =>
    setTimeout(() => process.stdout.write(all.subarray(301)), 400)), 50));
`,
      );
      const heard = await hear(new EspeakVoice({ path: fake }), 'Streamed.');
      assert.ok(heard.chunks.length >= 2, 'audio came in more than one piece');
      for (const chunk of heard.chunks) assert.equal(chunk.length % 2, 0);
      const all = Buffer.concat(heard.chunks);
      assert.deepEqual(
        Array.from({ length: all.length / 2 }, (_, i) => all.readInt16LE(i * 2)),
        Array.from({ length: 300 }, (_, i) => i + 1),
      );
      assert.ok(heard.times[0] < heard.timings.endedAt - 300, 'the first audio played before espeak finished writing');
      assert.deepEqual(new Set(heard.rates), new Set([16000]));
      assert.equal(heard.timings.sampleRate, 16000);
      assert.equal(heard.timings.samples, 300);
    });

    it('says clearly when espeak-ng is not where it was looked for', async () => {
      const missing = path.join(scratch, 'no-such-dir', 'espeak-ng');
      const error = await rejection(new EspeakVoice({ path: missing }).speak('Hello.', { speed: 1 }, () => undefined));
      assert.equal(error.kind, 'espeakMissing');
      assert.equal(error.message, `Cannot run ${missing}: there is no such file (is espeak-ng installed?).`);
    });

    it('says clearly when the file is not executable', async () => {
      const notExecutable = script('not-executable', '#!/bin/sh\nexit 0\n', 0o644);
      const error = await rejection(new EspeakVoice({ path: notExecutable }).speak('Hello.', { speed: 1 }, () => undefined));
      assert.equal(error.kind, 'espeakMissing');
      assert.equal(error.message, `Cannot run ${notExecutable}: permission denied.`);
    });

    it('reports a non-zero exit with what espeak wrote on stderr', async () => {
      const failing = script('failing', '#!/bin/sh\ncat >/dev/null\necho "" >&2\necho "Error: no data at /nowhere" >&2\nexit 3\n');
      const error = await rejection(new EspeakVoice({ path: failing }).speak('Hello.', { speed: 1 }, () => undefined));
      assert.equal(error.kind, 'espeakFailed');
      assert.equal(error.message, `${failing} failed with exit code 3: Error: no data at /nowhere`);
    });

    it('reports a crash, after audio that had already come', async () => {
      const crashing = script(
        'crashing',
        `#!/bin/sh\ncat >/dev/null\nprintf 'RIFF\\377\\377\\377\\377WAVEfmt \\020\\0\\0\\0\\001\\0\\001\\0\\042\\126\\0\\0\\104\\254\\0\\0\\002\\0\\020\\0data\\377\\377\\377\\377\\001\\002\\003\\004'\nkill -SEGV $$\n`,
      );
      let samples = 0;
      const error = await rejection(
        new EspeakVoice({ path: crashing }).speak('Hello.', { speed: 1 }, (pcm) => (samples += pcm.length / 2)),
      );
      assert.equal(samples, 2);
      assert.equal(error.kind, 'espeakFailed');
      assert.equal(error.message, `${crashing} stopped unexpectedly (SIGSEGV).`);
    });

    it('reports output that is not WAV, and output that is nothing at all', async () => {
      const chatty = script('chatty', '#!/bin/sh\ncat >/dev/null\necho "espeak-ng 1.51, usage: espeak-ng [options]"\n');
      const silent = script('silent', '#!/bin/sh\ncat >/dev/null\n');
      const notWav = await rejection(new EspeakVoice({ path: chatty }).speak('Hello.', { speed: 1 }, () => undefined));
      assert.equal(notWav.kind, 'espeakFailed');
      assert.equal(notWav.message, `${chatty} did not write WAV audio.`);
      const nothing = await rejection(new EspeakVoice({ path: silent }).speak('Hello.', { speed: 1 }, () => undefined));
      assert.equal(nothing.kind, 'espeakFailed');
      assert.equal(nothing.message, `${silent} ended without writing any audio.`);
    });

    it('refuses a voice name that is not one, before starting anything', async () => {
      const log = path.join(scratch, 'started');
      const fake = script('fake-started', `#!/bin/sh\ntouch ${log}\n`);
      const error = await rejection(
        new EspeakVoice({ path: fake, voice: '-w/tmp/out.wav' }).speak('Hello.', { speed: 1 }, () => undefined),
      );
      assert.equal(error.kind, 'badVoice');
      assert.ok(!existsSync(log));
    });

    it('answers blank text with no audio, without starting espeak', async () => {
      const log = path.join(scratch, 'started-blank');
      const fake = script('fake-blank', `#!/bin/sh\ntouch ${log}\n`);
      const heard = await hear(new EspeakVoice({ path: fake }), ' \n\u0000\t ');
      assert.equal(heard.samples, 0);
      assert.equal(heard.timings.samples, 0);
      assert.ok(!existsSync(log));
    });
  });

  describe('finding it', function () {
    before(function () {
      if (process.platform === 'win32') this.skip();
    });

    it('finds espeak-ng in a PATH folder before espeak, skipping what is not an executable file and relative folders', async () => {
      const folder = (name: string) => {
        const dir = path.join(scratch, 'find', name);
        mkdirSync(dir, { recursive: true });
        return dir;
      };
      const plain = folder('plain');
      writeFileSync(path.join(plain, 'espeak-ng'), '#!/bin/sh\n', { mode: 0o644 });
      mkdirSync(path.join(plain, 'espeak'), { recursive: true });
      const old = folder('old');
      writeFileSync(path.join(old, 'espeak'), '#!/bin/sh\n', { mode: 0o755 });
      const ng = folder('ng');
      writeFileSync(path.join(ng, 'espeak-ng'), '#!/bin/sh\n', { mode: 0o755 });
      const relativeNg = path.relative(process.cwd(), ng);
      assert.ok(!path.isAbsolute(relativeNg));

      assert.equal(await EspeakVoice.find({ PATH: [plain, old, ng].join(':') }, 'linux'), path.join(ng, 'espeak-ng'));
      assert.equal(await EspeakVoice.find({ PATH: [plain, old].join(':') }, 'linux'), path.join(old, 'espeak'));
      assert.equal(await EspeakVoice.find({ PATH: [plain, relativeNg, ''].join(':') }, 'linux'), undefined);
      assert.equal(await EspeakVoice.find({}, 'linux'), undefined);
    });
  });

  describe('the real espeak-ng', function () {
    this.timeout(30_000);
    let voice: EspeakVoice;
    before(async function () {
      const found = await EspeakVoice.find();
      if (!found) {
        console.warn('    espeak-ng is not installed on this machine (none on PATH): skipping the tests that run it.');
        this.skip();
      }
      voice = new EspeakVoice({ path: found! });
    });

    it('streams audio while espeak-ng is still running, at the sample rate of its WAV header', async function () {
      let runningAtFirstAudio: Array<{ pid: number; state: string }> | undefined;
      const rates = new Set<number>();
      let chunks = 0;
      let samples = 0;
      const timings = await voice.speak(LONG_TEXT, { speed: 1 }, (pcm, rate) => {
        if (chunks++ === 0 && canSeeProcesses) runningAtFirstAudio = espeakChildren();
        rates.add(rate);
        samples += pcm.length / 2;
      });
      assert.ok(chunks > 3, `audio came in pieces (${chunks})`);
      assert.deepEqual([...rates], [22050], 'espeak-ng voices speak at 22050 Hz (the decoder’s default would be 24000)');
      assert.equal(timings.sampleRate, 22050);
      assert.equal(timings.samples, samples);
      assert.ok(samples / 22050 > 30, `a long text makes long audio (${(samples / 22050).toFixed(1)} s)`);
      if (canSeeProcesses) {
        assert.equal(runningAtFirstAudio?.length, 1, 'espeak-ng was running when the first audio came');
        assert.notEqual(runningAtFirstAudio[0].state, 'Z');
      }
    });

    it('speaks clearly shorter at speed 2, longer at 0.5, and no faster than espeak’s 450 words per minute', async () => {
      const text = 'The Kokoro server is down, so this sentence is read by espeak instead.';
      const normal = await hear(voice, text, 1);
      const fast = await hear(voice, text, 2);
      const slow = await hear(voice, text, 0.5);
      assert.ok(fast.samples < normal.samples * 0.7, `${fast.samples} vs ${normal.samples}`);
      assert.ok(slow.samples > normal.samples * 1.4, `${slow.samples} vs ${normal.samples}`);
      assert.equal((await hear(voice, text, 4)).samples, (await hear(voice, text, 3)).samples);
    });

    it('stops at once when aborted: the promise rejects as aborted, no more audio, and espeak-ng is gone', async function () {
      const controller = new AbortController();
      let chunksAfterAbort = 0;
      let runningAtAbort = 0;
      // About three seconds of work for espeak-ng: still running when it is stopped.
      const speaking = voice.speak(
        LONG_TEXT.repeat(40),
        { speed: 1 },
        () => {
          if (controller.signal.aborted) {
            chunksAfterAbort++;
            return;
          }
          if (canSeeProcesses) runningAtAbort = espeakChildren().length;
          controller.abort();
        },
        controller.signal,
      );
      const error = await rejection(speaking);
      assert.equal(error.kind, 'aborted');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(chunksAfterAbort, 0);
      if (!canSeeProcesses) return;
      assert.equal(runningAtAbort, 1);
      const deadline = Date.now() + 1000;
      while (espeakChildren().length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(espeakChildren(), [], 'no espeak-ng process is left, not even a zombie');
    });

    it('rejects as aborted without starting espeak when already aborted', async () => {
      const error = await rejection(voice.speak('Hello.', { speed: 1 }, () => undefined, AbortSignal.abort()));
      assert.equal(error.kind, 'aborted');
    });

    it('speaks option-like text and markup as text', async () => {
      const optionLike = await hear(voice, '-s 999');
      const number = await hear(voice, '999');
      assert.ok(
        optionLike.samples > number.samples,
        `"-s 999" is read out, longer than "999" (${optionLike.samples} vs ${number.samples})`,
      );
      const markup = await hear(voice, '<speak>Hello</speak>');
      const hello = await hear(voice, 'Hello');
      assert.ok(markup.samples > hello.samples * 2, `the tags are read out too (${markup.samples} vs ${hello.samples})`);
    });

    it('reads past control characters: a NUL does not end the text, a Ctrl-A does not change the speed', async () => {
      const withSpace = await hear(voice, 'one two three four  50S five six seven eight');
      const withNul = await hear(voice, 'one two three four \u000050S five six seven eight');
      const withCommand = await hear(voice, 'one two three four \u000150S five six seven eight');
      assert.equal(withNul.samples, withSpace.samples);
      assert.equal(withCommand.samples, withSpace.samples);
    });

    it('speaks with a chosen espeak voice, and names one espeak does not have', async () => {
      const american = await hear(new EspeakVoice({ path: voice.options.path, voice: 'en-us' }), 'Hello there.');
      assert.ok(american.samples > 0);
      const error = await rejection(
        new EspeakVoice({ path: voice.options.path, voice: 'xx-nosuchvoice' }).speak('Hello.', { speed: 1 }, () => undefined),
      );
      assert.equal(error.kind, 'badVoice');
      assert.match(error.message, /xx-nosuchvoice/);
    });
  });
});
