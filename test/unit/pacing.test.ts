import * as assert from 'node:assert/strict';
import { PRIOR_PACE, ServerPace } from '../../src/speech/pacing';

/**
 * A server costing `fixedMs` per request plus `msPerChar` per character, writing each request's audio
 * whole (what Kokoro-FastAPI does for a group), or streaming it from `fixedMs` on.
 */
function paceOf(fixedMs: number, msPerChar: number, sizes = [50, 120, 200, 90, 300, 160], streams = false): ServerPace {
  const pace = new ServerPace();
  for (const chars of sizes)
    pace.record({ chars, firstByteMs: streams ? fixedMs : fixedMs + msPerChar * chars, totalMs: fixedMs + msPerChar * chars });
  return pace;
}

describe("ServerPace: request sizes and look-ahead from the server's measured cost", () => {
  it("learns a server's fixed cost and cost per character from requests of different sizes", () => {
    const model = paceOf(50, 1.5).model();
    assert.ok(Math.abs(model.fixedMs - 50) < 1, `fixed ${model.fixedMs}`);
    assert.ok(Math.abs(model.msPerChar - 1.5) < 0.01, `per char ${model.msPerChar}`);
  });

  it('starts from a GPU-like prior and falls back to a ratio when the sizes are all alike', () => {
    assert.deepEqual(new ServerPace().model(), PRIOR_PACE);
    const same = paceOf(50, 15, [80, 80, 80]).model();
    assert.ok(same.firstByteMsPerChar > 14 && same.firstByteMsPerChar < 16);
    assert.ok(same.msPerChar > 14 && same.msPerChar < 16, `per char ${same.msPerChar}`);
  });

  it('keeps every request of a slow server to a fraction of a second of its work, so a Stop leaves it little to finish', () => {
    const slow = paceOf(50, 15); // 4× real time
    const fast = paceOf(50, 1.5); // 40× real time
    for (const pace of [slow, fast]) {
      for (let index = 1; index < 8; index++) {
        const chars = pace.chunkChars(index);
        assert.ok(chars >= 80 && chars <= 480, `${chars}`);
        assert.ok(
          pace.expectedMs(chars) <= Math.max(400, pace.expectedMs(80)),
          `request ${index}: ${chars} chars cost ${pace.expectedMs(chars)} ms`,
        );
      }
    }
    assert.ok(fast.chunkChars(5) > slow.chunkChars(5), 'a fast server gets bigger requests');
  });

  it('keeps the first request short enough that long text starts about as fast as a short line', () => {
    const fast = paceOf(50, 1.5);
    const first = fast.chunkChars(0);
    assert.ok(first >= 40 && first <= 120);
    assert.ok(
      fast.expectedMs(first) <= 1.2 * fast.expectedMs(100),
      `first request ${fast.expectedMs(first)} ms vs a 100-character line ${fast.expectedMs(100)} ms`,
    );
    assert.ok(fast.chunkChars(1) > first && fast.chunkChars(1) <= 2 * Math.max(first, 40), 'requests grow from the first');
    assert.equal(
      paceOf(20, 15, undefined, true).chunkChars(0),
      120,
      'a server that streams as it generates answers a long first request as fast: no need to cut it short',
    );
  });

  it('fetches further ahead for a slow server than for a fast one, within 2 to 10 seconds', () => {
    const slow = paceOf(50, 15);
    const fast = paceOf(50, 1.5);
    const slowAhead = slow.lookAheadSeconds(slow.chunkChars(3));
    const fastAhead = fast.lookAheadSeconds(fast.chunkChars(3));
    assert.ok(slowAhead > fastAhead);
    assert.ok(fastAhead >= 2 && slowAhead <= 10);
    assert.ok(slowAhead * 1000 >= 2 * slow.expectedMs(slow.chunkChars(3)), 'the audio ahead outlasts the next request twice over');
    assert.equal(paceOf(50, 200).lookAheadSeconds(80), 10, 'capped');
  });

  it('forgets old requests (a server that got slower is followed) and ignores nonsense', () => {
    const pace = paceOf(50, 1.5);
    for (const chars of [60, 100, 140, 180, 90, 120, 160, 70, 110, 150, 130, 80])
      pace.record({ chars, firstByteMs: 50 + 15 * chars, totalMs: 50 + 15 * chars });
    assert.ok(Math.abs(pace.model().msPerChar - 15) < 0.1);
    pace.record({ chars: 0, firstByteMs: 10, totalMs: 10 });
    pace.record({ chars: 10, firstByteMs: 10, totalMs: Number.NaN });
    assert.ok(Math.abs(pace.model().msPerChar - 15) < 0.1);
    pace.reset();
    assert.deepEqual(pace.model(), PRIOR_PACE);
  });
});
