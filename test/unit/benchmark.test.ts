import * as assert from 'node:assert/strict';
import { KokoroClient } from '../../src/kokoro/client';
import { histogram, runLatencyBenchmark } from '../../src/stats/benchmark';
import { StandinServer } from '../standin/server';

describe('in-editor latency benchmark', function () {
  this.timeout(20_000);

  it('measures first byte and first audio of short and long texts against the server, silently', async () => {
    const server = await StandinServer.start({ ttfbMs: 10 });
    const client = new KokoroClient({ serverUrl: server.url, connections: 2, healthTimeoutMs: 500, firstByteTimeoutMs: 3000, streamTimeoutMs: 3000 });
    try {
      const progress: number[] = [];
      const result = await runLatencyBenchmark(client, { model: 'kokoro', voice: 'af_heart', speed: 1 }, { runs: 5, warmup: 1, longText: 'A sentence of the long text. '.repeat(300), onProgress: (done) => progress.push(done) });
      assert.equal(result.shortTextFirstAudioMs.count, 5);
      assert.equal(result.longTextFirstAudioMs.count, 5);
      assert.ok(result.firstByteMs.min >= 10, 'never faster than the server\'s own delay');
      assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
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
    assert.deepEqual(bins.map((b) => b.count), [4, 0, 1]);
    assert.equal(bins[0].from, 1);
    assert.equal(bins[2].to, 10);
    assert.deepEqual(histogram([], 4), []);
    assert.deepEqual(histogram([5, 5], 2).map((b) => b.count), [2, 0]);
  });
});
