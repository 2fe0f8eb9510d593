import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BENCHMARK_PLAN, benchmarkRows } from '../../src/stats/latencyBenchmark';
import { LatencyStats, latencyTable, metricHeading, metricName, spokenMetric } from '../../src/stats/latency';
import { percentile, summarize } from '../../src/stats/summary';

const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

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

  it('names each figure once: the same words in the tooltip, the screen-reader label, the benchmark and the README', () => {
    assert.equal(metricName('endToEndMs'), 'command → audio playing');
    assert.equal(metricHeading('endToEndMs'), 'Command → audio playing (ms)');
    assert.equal(spokenMetric('endToEndMs', 54.6), 'command to audio playing 55 ms');
    const stats = new LatencyStats();
    stats.record('endToEndMs', 40);
    const table = latencyTable(stats);
    assert.match(table, /^\| Command → audio playing \(ms\) \| 40 \| 40 \| 40 \| 1 \|$/m);
    for (const metric of ['firstAudioMs', 'firstByteMs', 'realTimeFactor'] as const)
      assert.ok(table.includes(metricHeading(metric)), metric);
    assert.equal(benchmarkRows().shortFirstAudio, 'Reading → first audio sent, one line (ms)');
    const features = readme.split('\n').find((l) => l.startsWith('- **Latency you can see**')) ?? '';
    assert.ok(features.includes(`*${metricName('endToEndMs')}*`), `the README names the status bar figure: ${features}`);
    assert.doesNotMatch(readme, /time to first audio/i, 'no other name for it');
  });

  it("the README counts the benchmark's readings as the benchmark does", () => {
    const { runs, warmup } = BENCHMARK_PLAN;
    const row = readme.split('\n').find((l) => l.startsWith('| Kokoro: Run Latency Benchmark')) ?? '';
    assert.ok(
      row.includes(`${runs} silent readings of one line and ${runs} of a long text`) &&
        row.includes(`after ${warmup} warm-up readings of each`),
      row,
    );
  });
});
