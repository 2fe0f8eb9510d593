import * as assert from 'node:assert/strict';
import { LatencyStats, percentile, summarize } from '../../src/stats/latency';

describe('latency statistics', () => {
  it('percentiles interpolate between ranks', () => {
    const sorted = Array.from({ length: 101 }, (_, i) => i); // 0..100
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 95), 95);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile([10, 20], 50), 15);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('summarises unsorted data and ignores non-finite values', () => {
    const s = summarize([5, 1, 4, NaN, 2, 3, Infinity]);
    assert.deepEqual(s, { count: 5, min: 1, p50: 3, p95: 4.8, p99: 4.96, max: 5, mean: 3 });
  });

  it('keeps a rolling window and the latest value per metric', () => {
    const stats = new LatencyStats();
    for (let i = 1; i <= 1500; i++) stats.record('firstAudioMs', i);
    const s = stats.summary('firstAudioMs');
    assert.equal(s.count, 1000);
    assert.equal(s.min, 501);
    assert.equal(stats.last('firstAudioMs'), 1500);
    stats.reset();
    assert.equal(stats.summary('firstAudioMs').count, 0);
    assert.equal(stats.last('firstAudioMs'), undefined);
  });
});
