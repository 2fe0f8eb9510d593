// The stand-in's blocking mode (Kokoro-FastAPI's HTTP stack with a model that blocks its event loop), run in a
// child process because it blocks its own loop. Timings are checked as orderings and generous bounds.

import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { StandinProcess } from '../standin/process';
import { type RecordedRequest, captionWords, samplesForText, sentenceGroups } from '../standin/server';

interface Piece {
  at: number;
  bytes: number;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Body pieces as the client's HTTP parser delivered them, with their arrival time (performance.now()). */
  pieces: Piece[];
  sentAt: number;
  endedAt: number;
  complete: boolean;
}

/** A request; `onPiece` may return true to drop the connection there (a Stop). */
function request(
  url: string,
  route: string,
  body?: unknown,
  options: { agent?: http.Agent; onPiece?: (received: number, pieces: Piece[]) => boolean | void } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const answer: Answer = {
      status: 0,
      headers: {},
      body: Buffer.alloc(0),
      pieces: [],
      sentAt: performance.now(),
      endedAt: 0,
      complete: false,
    };
    const parts: Buffer[] = [];
    const done = () => {
      answer.endedAt = performance.now();
      answer.body = Buffer.concat(parts);
      resolve(answer);
    };
    const req = http.request(`${url}${route}`, {
      method: payload === undefined ? 'GET' : 'POST',
      agent: options.agent ?? new http.Agent({ keepAlive: false }),
    });
    req.on('error', reject);
    req.on('response', (res) => {
      answer.status = res.statusCode ?? 0;
      answer.headers = res.headers;
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        parts.push(chunk);
        received += chunk.length;
        answer.pieces.push({ at: performance.now(), bytes: chunk.length });
        if (options.onPiece?.(received, answer.pieces)) {
          req.destroy();
          done();
        }
      });
      res.on('end', () => {
        answer.complete = true;
        done();
      });
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
  stream: true,
  ...extra,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A sentence of exactly `length` characters (with its trailing space). */
const sentence = (length: number, word = 'word') => `${`${word} `.repeat(length).slice(0, length - 2)}. `;

// 60 ms of audio per character at 40x real time, plus 200 ms per group: a 100-character sentence is 350 ms of work.
const MS_PER_CHAR = 60;
const RTF = 40;
const START_COST_MS = 200;
const generationMs = (chars: number) => START_COST_MS + (chars * MS_PER_CHAR) / RTF;

describe('stand-in in blocking mode (child process)', function () {
  this.timeout(30_000);
  let standin: StandinProcess;

  before(async () => {
    standin = await StandinProcess.start({
      mode: 'blocking',
      rtf: RTF,
      startCostMs: START_COST_MS,
      msPerChar: MS_PER_CHAR,
      groupChars: 120,
      keepAliveTimeoutMs: 1000,
    });
  });
  after(async () => {
    await standin?.stop();
  });
  beforeEach(async () => standin.reset());

  const lastSpeech = async (): Promise<RecordedRequest> =>
    (await standin.state()).requests.filter((r) => r.path === '/v1/audio/speech').at(-1)!;

  it('sentenceGroups packs sentences into groups of at most groupChars; a longer sentence is a group alone; the groups are the text', () => {
    const a = sentence(50);
    const b = sentence(60);
    const long = sentence(300);
    const text = `${a}${b}${a}${long}${b}tail without an end`;
    const groups = sentenceGroups(text, 120);
    assert.deepEqual(groups, [a + b, a, long, b + 'tail without an end']);
    assert.equal(groups.join(''), text);
    assert.deepEqual(sentenceGroups('One: two; three! Four? Five.', 10), ['One: two; ', 'three! ', 'Four? ', 'Five.']);
    assert.deepEqual(sentenceGroups('v1.2 is out', 4), ['v1.2 is out'], 'a point inside a word is no sentence end');
    assert.deepEqual(sentenceGroups('short', 180), ['short']);
  });

  it('generates one group at a time and writes each whole: the client gets one burst per group, the same audio as fast mode', async () => {
    const sentences = [sentence(100), sentence(100), sentence(100)];
    const text = sentences.join('');
    const answer = await request(standin.url, '/v1/audio/speech', speechBody(text));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'audio/pcm');
    assert.equal(answer.body.length, samplesForText(text, MS_PER_CHAR) * 2);
    // Bursts: pieces separated by more than half a group's generation time.
    const bursts: Piece[][] = [];
    for (const piece of answer.pieces) {
      const last = bursts.at(-1);
      if (last && piece.at - last.at(-1)!.at < generationMs(100) / 2) last.push(piece);
      else bursts.push([piece]);
    }
    const groupBytes = sentences.map((s) => samplesForText(s, MS_PER_CHAR) * 2);
    assert.deepEqual(
      bursts.map((b) => b.reduce((n, p) => n + p.bytes, 0)),
      groupBytes,
      "one burst of exactly each group's audio",
    );
    assert.ok(bursts[0][0].at - answer.sentAt >= generationMs(100) * 0.9, 'the first group took its generation time');
    const record = await lastSpeech();
    assert.equal(record.groups, 3);
    assert.equal(record.groupsAfterDisconnect, 0);
    assert.ok(record.busyMs! >= 3 * generationMs(100) * 0.9, `busyMs ${record.busyMs}`);
    assert.equal(record.completed, true);

    await standin.setOptions({ mode: 'fast', rtf: 0 });
    const fast = await request(standin.url, '/v1/audio/speech', speechBody(text));
    assert.ok(fast.body.equals(answer.body), 'the same audio in fast mode');
    assert.equal((await lastSpeech()).groups, undefined, 'fast mode forms no groups');
  });

  it('WAV and the encoded formats come per group too, the same bytes as fast mode for WAV', async () => {
    const text = sentence(100) + sentence(100);
    const wav = await request(standin.url, '/v1/audio/speech', speechBody(text, { response_format: 'wav' }));
    assert.equal(wav.headers['content-type'], 'audio/wav');
    assert.equal(wav.body.toString('ascii', 0, 4), 'RIFF');
    assert.equal((await lastSpeech()).groups, 2);
    const mp3 = await request(standin.url, '/v1/audio/speech', speechBody(text, { response_format: 'mp3' }));
    assert.equal(mp3.headers['content-type'], 'audio/mpeg');
    assert.equal(mp3.body.toString('latin1', 0, 3), 'ID3');
    await standin.setOptions({ mode: 'fast', rtf: 0 });
    const fastWav = await request(standin.url, '/v1/audio/speech', speechBody(text, { response_format: 'wav' }));
    assert.ok(fastWav.body.equals(wav.body));
  });

  it('captioned speech: one NDJSON line per group, written whole, with exactly the words of that group', async () => {
    const sentences = [sentence(100, 'one'), sentence(100, 'two'), sentence(100, 'three')];
    const text = sentences.join('');
    const answer = await request(standin.url, '/dev/captioned_speech', speechBody(text));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/json');
    const lines = answer.body.toString('utf8').split('\n').slice(0, -1);
    assert.equal(lines.length, 3, 'one line per group');
    const bursts: Piece[][] = [];
    for (const piece of answer.pieces) {
      const last = bursts.at(-1);
      if (last && piece.at - last.at(-1)!.at < generationMs(100) / 2) last.push(piece);
      else bursts.push([piece]);
    }
    assert.deepEqual(
      bursts.map((b) => b.reduce((n, p) => n + p.bytes, 0)),
      lines.map((l) => Buffer.byteLength(l) + 1),
      'one burst of exactly each line',
    );
    const parsed = lines.map((l) => JSON.parse(l) as { audio: string; timestamps: Array<{ word: string }> });
    const total = samplesForText(text, MS_PER_CHAR);
    const allWords = captionWords(text, total).map((w) => w.word);
    assert.deepEqual(
      parsed.map((l) => [...new Set(l.timestamps.map((w) => w.word.slice(0, 2)).filter((w) => w !== '.'))]),
      [['on'], ['tw'], ['th']],
      "each line carries its own group's words",
    );
    assert.deepEqual(
      parsed.flatMap((l) => l.timestamps.map((w) => w.word)),
      allWords,
    );
    assert.deepEqual(
      parsed.map((l) => Buffer.from(l.audio, 'base64').length),
      sentences.map((s) => samplesForText(s, MS_PER_CHAR) * 2),
    );
    assert.equal((await standin.state()).requests.at(-1)!.groups, 3);
  });

  it("a /health sent during a group waits for it: it is answered after that group's audio and before the next group", async () => {
    const text = sentence(100) + sentence(100) + sentence(100);
    let health: Promise<Answer> | undefined;
    const speech = request(standin.url, '/v1/audio/speech', speechBody(text), {
      onPiece: (_received, pieces) => {
        // Well inside the second group's generation.
        if (pieces.length === 1) health = sleep(30).then(() => request(standin.url, '/health'));
      },
    });
    const answer = await speech;
    const healthAnswer = await health!;
    assert.equal(healthAnswer.status, 200);
    const waited = healthAnswer.endedAt - healthAnswer.sentAt;
    assert.ok(waited >= (generationMs(100) - 30) * 0.7, `/health waited ${waited.toFixed(0)} ms for the group`);
    const groupEnds = [samplesForText(sentence(100), MS_PER_CHAR) * 2, samplesForText(sentence(100) + sentence(100), MS_PER_CHAR) * 2];
    let total = 0;
    const secondGroupStart = answer.pieces.find((p) => (total += p.bytes) > groupEnds[0])!.at;
    total = 0;
    const thirdGroupStart = answer.pieces.find((p) => (total += p.bytes) > groupEnds[1])!.at;
    assert.ok(healthAnswer.endedAt >= secondGroupStart, 'answered after the second group was written');
    assert.ok(healthAnswer.endedAt < thirdGroupStart, 'and before the third');
  });

  /** The last speech request, once the stand-in has seen its client go. */
  async function disconnectedSpeech() {
    let record = await lastSpeech();
    const deadline = performance.now() + 10_000;
    while (!record.clientDisconnected && performance.now() < deadline) {
      await sleep(20);
      record = await lastSpeech();
    }
    assert.equal(record.clientDisconnected, true);
    return record;
  }

  it('a disconnect is noticed between groups: the group in progress is finished, then generation stops', async () => {
    const text = Array.from({ length: 6 }, () => sentence(100)).join('');
    let droppedAt = 0;
    await request(standin.url, '/v1/audio/speech', speechBody(text), {
      onPiece: (_received, pieces) => {
        if (pieces.length > 1) return false;
        droppedAt = performance.now();
        return true; // a Stop as soon as the first group's audio comes, during the second group
      },
    });
    assert.ok(droppedAt > 0);
    const record = await disconnectedSpeech();
    assert.ok(record.groupsAfterDisconnect! <= 1, `${record.groupsAfterDisconnect} groups after the disconnect`);
    // On a loaded machine the test may react to the first audio only after the second group is done: the
    // property is that generation stops at the first group boundary after the disconnect, long before the end.
    assert.ok(record.groups! < 6, `generation stopped early (${record.groups} of 6 groups)`);
    assert.ok(record.busyAfterDisconnectMs! <= generationMs(100) * 3, `leftover work ${record.busyAfterDisconnectMs} ms`);
  });

  it('a disconnect in the middle of a group costs exactly that group (groupsAfterDisconnect 1)', async () => {
    const text = Array.from({ length: 6 }, () => sentence(100)).join('');
    const dropped = new Promise<void>((resolve) => {
      const req = http.request(`${standin.url}/v1/audio/speech`, { method: 'POST', agent: new http.Agent({ keepAlive: false }) });
      req.on('error', () => undefined);
      req.on('response', (res) => {
        res.once('data', () => {
          res.pause();
          // 30 ms into the second group's generation.
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 30);
        });
      });
      req.end(JSON.stringify(speechBody(text)));
    });
    await dropped;
    const record = await disconnectedSpeech();
    assert.equal(record.groupsAfterDisconnect, 1);
    // 2 unless a loaded machine fired the 30 ms timer after the second group had ended.
    assert.ok(record.groups! >= 2 && record.groups! <= 3, `${record.groups} groups`);
    assert.ok(
      record.busyAfterDisconnectMs! >= generationMs(100) * 0.9 && record.busyAfterDisconnectMs! <= generationMs(100) * 3,
      `${record.busyAfterDisconnectMs} ms`,
    );
  });

  it('sends no Keep-Alive header and closes an idle connection after keepAliveTimeoutMs', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answer = await request(standin.url, '/health', undefined, { agent });
      assert.equal(answer.headers.connection, undefined);
      assert.equal(answer.headers['keep-alive'], undefined);
      const speech = await request(standin.url, '/v1/audio/speech', speechBody('Hi.'), { agent });
      assert.equal(speech.headers['keep-alive'], undefined);
      const idleFrom = performance.now();
      const socket = Object.values(agent.freeSockets).flat()[0]!;
      await new Promise((resolve) => socket.once('close', resolve));
      const idleMs = performance.now() - idleFrom;
      assert.ok(
        idleMs >= 800 && idleMs < 1900,
        `closed after ${idleMs.toFixed(0)} ms idle (keepAliveTimeoutMs 1000; Node alone would wait 1 s more)`,
      );
      assert.equal((await standin.state()).connectionsOpened, 1, 'the two requests shared the connection');
    } finally {
      agent.destroy();
    }
  });

  it('empty or blank input: 200 with an empty body, no group generated', async () => {
    for (const input of ['', '   \n']) {
      const answer = await request(standin.url, '/v1/audio/speech', speechBody(input));
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'audio/pcm');
      assert.equal(answer.body.length, 0);
      assert.equal(answer.complete, true);
    }
    assert.equal((await lastSpeech()).busyMs ?? 0, 0);
  });

  it('stream:false generates every group, then sends the file with Content-Length', async () => {
    const text = sentence(100) + sentence(100);
    const answer = await request(standin.url, '/v1/audio/speech', speechBody(text, { stream: false }));
    assert.equal(Number(answer.headers['content-length']), samplesForText(text, MS_PER_CHAR) * 2);
    assert.ok(answer.endedAt - answer.sentAt >= 2 * generationMs(100) * 0.9);
    assert.equal((await lastSpeech()).groups, 2);
  });

  it('mode and costs switch at run time through the control server; fast mode keeps its keep-alive hint and odd splits', async () => {
    const options = await standin.setOptions({ mode: 'fast', rtf: 0, startCostMs: 10, groupChars: 50 });
    assert.deepEqual([options.mode, options.startCostMs, options.groupChars], ['fast', 10, 50]);
    const agent = new http.Agent({ keepAlive: true });
    const fast = await request(standin.url, '/v1/audio/speech', speechBody('Hello there.'), { agent });
    agent.destroy();
    assert.match(String(fast.headers['keep-alive']), /^timeout=/);
    assert.equal(fast.pieces[0].bytes % 2, 1, 'fast mode splits at odd byte offsets');
    await standin.setOptions({ mode: 'blocking' });
    await request(standin.url, '/v1/audio/speech', speechBody(sentence(40) + sentence(40) + sentence(40)));
    assert.equal((await lastSpeech()).groups, 3, 'groupChars 50 took effect');
    await assert.rejects(standin.setOptions({ mode: 'slow' as never }), /unknown mode/);
  });
});
