import * as assert from 'node:assert/strict';
import { KokoroClient } from '../../src/kokoro/client';
import {
  type BenchmarkProgress,
  histogram,
  histogramSvg,
  measuredSummary,
  progressMessage,
  runLatencyBenchmark,
} from '../../src/stats/latencyBenchmark';
import { StandinServer } from '../standin/server';

describe('in-editor latency benchmark', function () {
  this.timeout(20_000);

  it('measures first byte and first audio of short and long texts against the server, silently', async () => {
    const server = await StandinServer.start({ ttfbMs: 10 });
    const client = new KokoroClient({
      serverUrl: server.url,
      connections: 2,
      healthTimeoutMs: 500,
      firstByteTimeoutMs: 3000,
      streamTimeoutMs: 3000,
    });
    try {
      const progress: BenchmarkProgress[] = [];
      const result = await runLatencyBenchmark(
        client,
        { model: 'kokoro', voice: 'af_heart', speed: 1 },
        { runs: 5, warmup: 1, longText: 'A sentence of the long text. '.repeat(300), onProgress: (p) => progress.push(p) },
      );
      assert.equal(result.shortTextFirstAudioMs.count, 5);
      assert.equal(result.longTextFirstAudioMs.count, 5);
      assert.ok(result.firstByteMs.min >= 10, "never faster than the server's own delay");
      assert.deepEqual(
        progress.map((p) => p.done),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      assert.ok(progress.every((p) => p.total === 12 && p.runs === 5));
      // What the user reads counts the measured readings, never the warm-ups.
      assert.deepEqual(progress.map(progressMessage), [
        'one line: warming up',
        ...[1, 2, 3, 4, 5].map((n) => `one line: ${n} of 5 readings measured`),
        'long text: warming up',
        ...[1, 2, 3, 4, 5].map((n) => `long text: ${n} of 5 readings measured`),
      ]);
      assert.equal(measuredSummary(result), '10 readings measured: 5 of one line and 5 of a long text, after 1 warm-up reading of each');
      assert.equal(result.cancelled, false);
      assert.ok(result.connectionsOpened <= 2 + 6, 'stops close their connection, nothing else opens one');
      await server.waitFor(() => server.speechRequests().every((r) => r.endedAt !== undefined), 2000); // nothing left in flight
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('bins values for the histogram', () => {
    const bins = histogram([1, 2, 2, 3, 10], 3);
    assert.deepEqual(
      bins.map((b) => b.count),
      [4, 0, 1],
    );
    assert.equal(bins[0].from, 1);
    assert.equal(bins[2].to, 10);
    assert.deepEqual(histogram([], 4), []);
    assert.deepEqual(
      histogram([5, 5], 2).map((b) => b.count),
      [2, 0],
    );
  });

  it('draws the histogram with counts on its axis and on its bars', () => {
    const svg = histogramSvg([10, 11, 11, 12, 12, 12, 30], 4);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const tick of ['0', '3', '6']) assert.ok(texts.includes(tick), `count axis tick ${tick}: ${texts}`);
    assert.ok(texts.includes('readings') && texts.includes('ms'), 'both axes are labelled');
    assert.ok(svg.includes('<line '), 'a count axis line');
    assert.match(svg, /aria-label="Histogram of 7 readings: 6 from 10 ms, 0 from 15 ms, 0 from 20 ms, 1 from 25 ms"/);
    assert.match(svg, /<title>10\.0–15\.0 ms: 6 readings<\/title>/);
  });
});
