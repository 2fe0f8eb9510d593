import * as assert from 'node:assert/strict';
import { EventStreamPcmDecoder, RawPcmDecoder, WavDecoder, decoderForContentType } from '../../src/kokoro/decoder';
import { KokoroError } from '../../src/kokoro/errors';

function s16(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt16(i * 2, v, true));
  return out;
}

function samplesOf(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 2 }, (_, i) => view.getInt16(i * 2, true));
}

/** Feeds `bytes` to the decoder in pieces cut at `cuts`, returns all decoded samples. */
function feed(decoder: { push(c: Uint8Array): Uint8Array; end(): void }, bytes: Uint8Array, cuts: number[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    const piece = decoder.push(bytes.slice(at, cut));
    assert.equal(piece.byteLength % 2, 0, 'decoders emit whole samples only');
    out.push(...samplesOf(piece));
    at = cut;
  }
  decoder.end();
  return out;
}

/** A WAV header like Kokoro-FastAPI's streaming one: 78 bytes with a LIST chunk and 0xFFFFFFFF sizes. */
function kokoroWavHeader(opts: { formatTag?: number; bits?: number; channels?: number; rate?: number } = {}): Uint8Array {
  const { formatTag = 1, bits = 16, channels = 1, rate = 24000 } = opts;
  const list = new TextEncoder().encode('INFOISFT\x0e\x00\x00\x00Lavf61.7.100\x00\x00');
  const header = new Uint8Array(12 + 24 + 8 + list.length + 8);
  const v = new DataView(header.buffer);
  const tag = (at: number, s: string) => [...s].forEach((c, i) => (header[at + i] = c.charCodeAt(0)));
  tag(0, 'RIFF');
  v.setUint32(4, 0xffffffff, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, formatTag, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, (rate * channels * bits) / 8, true);
  v.setUint16(32, (channels * bits) / 8, true);
  v.setUint16(34, bits, true);
  tag(36, 'LIST');
  v.setUint32(40, list.length, true);
  header.set(list, 44);
  tag(44 + list.length, 'data');
  v.setUint32(48 + list.length, 0xffffffff, true);
  return header;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('decoders', () => {
  const samples = [0, 1, -1, 32767, -32768, 1234, -4321, 258, -258, 7];
  const pcm = s16(samples);

  it('raw PCM keeps every sample when reads end in the middle of a sample', () => {
    for (const cuts of [[1], [1, 2], [3, 4, 5], [1, 3, 5, 7, 9, 11, 13, 15, 17, 19], [7, 8, 13]]) {
      assert.deepEqual(feed(new RawPcmDecoder(), pcm, cuts), samples, `cuts ${cuts}`);
    }
  });

  it('raw PCM passes an even, aligned read through without copying', () => {
    const decoder = new RawPcmDecoder();
    assert.equal(decoder.push(pcm), pcm);
  });

  it('WAV: parses a 78-byte header with a LIST chunk and 0xFFFFFFFF sizes, split anywhere', () => {
    const header = kokoroWavHeader();
    assert.equal(header.length, 78);
    const stream = concat(header, pcm);
    for (let cut = 1; cut < stream.length; cut += 3) {
      const decoder = new WavDecoder();
      assert.deepEqual(feed(decoder, stream, [cut, Math.min(stream.length, cut + 1)]), samples, `cut at ${cut}`);
      assert.equal(decoder.sampleRate, 24000);
    }
  });

  it('WAV: never skips a fixed 44 bytes (the LIST chunk is not audio)', () => {
    const out = feed(new WavDecoder(), concat(kokoroWavHeader(), s16([5, 6])), []);
    assert.deepEqual(out, [5, 6]);
  });

  it('WAV: 32-bit float stereo at 44.1 kHz becomes s16 mono at 44.1 kHz', () => {
    const frames = new Uint8Array(3 * 8);
    const v = new DataView(frames.buffer);
    [
      [0.5, 0.5],
      [-1, -1],
      [1, 0],
    ].forEach(([l, r], i) => {
      v.setFloat32(i * 8, l, true);
      v.setFloat32(i * 8 + 4, r, true);
    });
    const decoder = new WavDecoder();
    const out = feed(decoder, concat(kokoroWavHeader({ formatTag: 3, bits: 32, channels: 2, rate: 44100 }), frames), [80, 85]);
    assert.equal(decoder.sampleRate, 44100);
    assert.deepEqual(out, [16384, -32768, 16384]);
  });

  it('WAV: a stream that ends inside the header is an error, not silence', () => {
    const decoder = new WavDecoder();
    decoder.push(kokoroWavHeader().slice(0, 40));
    assert.throws(
      () => decoder.end(),
      (e: unknown) => e instanceof KokoroError && e.kind === 'truncated',
    );
  });

  it('WAV: bytes that are not RIFF are refused clearly', () => {
    assert.throws(
      () => new WavDecoder().push(new TextEncoder().encode('<html><body>oops</body></html>')),
      (e: unknown) => e instanceof KokoroError && e.kind === 'notAudio',
    );
  });

  it('event stream: base64 PCM deltas split across reads and events', () => {
    const b64a = Buffer.from(pcm.slice(0, 5)).toString('base64');
    const b64b = Buffer.from(pcm.slice(5)).toString('base64');
    const text = `event: speech.audio.delta\ndata: {"type":"speech.audio.delta","audio":"${b64a}"}\n\ndata: {"type":"speech.audio.delta","audio":"${b64b}"}\n\ndata: {"type":"speech.audio.done"}\n\n`;
    const bytes = new TextEncoder().encode(text);
    assert.deepEqual(feed(new EventStreamPcmDecoder(), bytes, [10, 61, 62, 100]), samples);
  });

  it('chooses the decoder from the Content-Type, and refuses what it cannot stream', () => {
    assert.ok(decoderForContentType('audio/pcm') instanceof RawPcmDecoder);
    assert.ok(decoderForContentType(undefined) instanceof RawPcmDecoder);
    assert.ok(decoderForContentType('audio/wav; charset=binary') instanceof WavDecoder);
    assert.ok(decoderForContentType('text/event-stream') instanceof EventStreamPcmDecoder);
    assert.throws(
      () => decoderForContentType('audio/mpeg'),
      (e: unknown) => e instanceof KokoroError && e.kind === 'unsupportedFormat' && /audio\/mpeg/.test(e.message),
    );
    assert.throws(
      () => decoderForContentType('text/html; charset=utf-8'),
      (e: unknown) => e instanceof KokoroError && e.kind === 'notAudio' && /web page/.test(e.message),
    );
    assert.throws(
      () => decoderForContentType('application/json'),
      (e: unknown) => e instanceof KokoroError && e.kind === 'notAudio',
    );
  });
});
