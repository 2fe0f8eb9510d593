import * as assert from 'node:assert/strict';
import { PacedSink } from '../../bench/pacedSink';

const second = (rate = 1000) => new Uint8Array(rate * 2); // one second of s16le at `rate`

describe("PacedSink (the benchmark's silent real-time player)", () => {
  it('counts a gap only when audio comes after the audio before it finished playing', () => {
    let t = 0;
    const sink = new PacedSink(() => t);
    sink.begin(1);
    sink.audio(1, second(), 1000); // plays 0 → 1000
    t = 900;
    sink.audio(1, second(), 1000); // in time: plays 1000 → 2000
    assert.equal(sink.underruns, 0);
    t = 2500;
    sink.audio(1, second(), 1000); // 500 ms of silence before it
    assert.equal(sink.underruns, 1);
    assert.equal(sink.worstGapMs, 500);
    assert.equal(sink.playedMs, 2500);
  });

  it('gives room once less than the asked look-ahead is waiting to be played', async () => {
    let t = 0;
    const sink = new PacedSink(() => t);
    sink.begin(1);
    sink.audio(1, second(), 1000);
    sink.audio(1, second(), 1000); // 2 s buffered
    let roomy = false;
    await sink.room(1, 3).then(() => (roomy = true));
    assert.ok(roomy, '2 s waiting < 3 s look-ahead: room at once');
    t = performance.now();
    const real = new PacedSink();
    real.begin(2);
    real.audio(2, second(10_000), 10_000);
    const asked = performance.now();
    await real.room(2, 0.9);
    assert.ok(performance.now() - asked >= 50, 'waited until only 0.9 s was left');
  });
});
