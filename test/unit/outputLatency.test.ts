import * as assert from 'node:assert/strict';
import { FIRST_PATIENCE, MAX_PATIENCE, OutputLatencyLadder } from '../../src/player/outputLatency';

/** `n` clean readings of two seconds; the changes they made. */
function cleanReadings(ladder: OutputLatencyLadder, n: number) {
  const changes = [];
  for (let i = 0; i < n; i++) {
    const change = ladder.afterReading(0, 2);
    if (change) changes.push(change);
  }
  return changes;
}

describe('OutputLatencyLadder: the latency the player asks Web Audio for', () => {
  it('starts at the lowest where device underruns are counted, at interactive where they are not, and never moves there', () => {
    assert.equal(new OutputLatencyLadder(true).hint, 0);
    const blind = new OutputLatencyLadder(false, { step: 0 });
    assert.equal(blind.hint, 'interactive');
    assert.equal(blind.afterReading(0, 5), undefined);
    assert.deepEqual(cleanReadings(blind, 500), []);
    assert.equal(blind.hint, 'interactive');
  });

  it('one glitch in a reading is a hiccup; two move one step up, and the message says why and when it tries lower again', () => {
    const ladder = new OutputLatencyLadder(true);
    assert.equal(ladder.afterReading(1, 3), undefined);
    assert.equal(ladder.hint, 0);
    const change = ladder.afterReading(2, 3);
    assert.equal(change?.hint, 'interactive');
    assert.equal(change?.level, 'warn');
    assert.match(change!.message, /glitched 2 times .* latencyHint interactive .* after 10 clean readings/);
    ladder.afterReading(5, 3);
    assert.equal(ladder.hint, 'playback');
    assert.equal(ladder.afterReading(9, 3), undefined, 'no step above the top');
  });

  it('tries a step lower after enough clean readings; short readings and a single glitch do not count as clean', () => {
    const ladder = new OutputLatencyLadder(true);
    ladder.afterReading(2, 3);
    assert.deepEqual(cleanReadings(ladder, FIRST_PATIENCE - 1), []);
    assert.equal(ladder.afterReading(0, 0.2), undefined, 'a fifth of a second says little');
    assert.equal(ladder.afterReading(1, 3), undefined, 'one glitch starts the count again');
    assert.deepEqual(cleanReadings(ladder, FIRST_PATIENCE - 1), []);
    const [down] = cleanReadings(ladder, 1);
    assert.equal(down.hint, 0);
    assert.equal(down.level, 'info');
    assert.equal(ladder.hint, 0);
  });

  it('waits twice as long each time the lower latency glitched again, up to a cap; a lower latency that held stops the doubling', () => {
    const ladder = new OutputLatencyLadder(true);
    const patience: number[] = [];
    for (let round = 0; round < 8; round++) {
      ladder.afterReading(3, 3);
      patience.push(ladder.state.patience);
      assert.equal(cleanReadings(ladder, ladder.state.patience).length, 1, 'back down after exactly `patience` clean readings');
    }
    assert.deepEqual(patience, [10, 20, 40, 80, 160, 160, 160, 160]);
    assert.ok(patience.every((p) => p <= MAX_PATIENCE));
    // A lower latency that held for `patience` clean readings: a glitch after that is a new event, patience stays.
    const held = new OutputLatencyLadder(true, { step: 0, patience: 20, clean: 0, probing: true });
    cleanReadings(held, 20);
    held.afterReading(3, 3);
    assert.equal(held.state.patience, 20);
    const failed = new OutputLatencyLadder(true, { step: 0, patience: 20, clean: 0, probing: true });
    cleanReadings(failed, 19);
    failed.afterReading(3, 3);
    assert.equal(failed.state.patience, 40);
  });

  it('comes back from the saved state as it was; a saved state that makes no sense is not trusted', () => {
    const ladder = new OutputLatencyLadder(true);
    ladder.afterReading(2, 3);
    cleanReadings(ladder, 4);
    const again = new OutputLatencyLadder(true, ladder.state);
    assert.deepEqual(again.state, ladder.state);
    assert.equal(again.hint, 'interactive');
    assert.deepEqual(new OutputLatencyLadder(true, { step: 7, patience: -3, clean: 1.5 }).state, {
      step: 0,
      patience: FIRST_PATIENCE,
      clean: 0,
      probing: false,
    });
  });
});
