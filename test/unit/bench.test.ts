import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');
const TIMINGS = ['firstByteMs', 'firstAudioMs', 'shortTextFirstAudioMs', 'longTextFirstAudioMs', 'stopMs', 'realTimeFactor'];

describe('npm run bench', function () {
  this.timeout(120_000);

  it('runs briefly against the stand-in and writes every figure with sane values', () => {
    const bench = path.join(root, 'dist', 'bench.js');
    assert.ok(existsSync(bench), 'dist/bench.js is built (npm run build)');
    const json = path.join(mkdtempSync(path.join(tmpdir(), 'bench-')), 'bench.json');
    const run = spawnSync(process.execPath, [bench, '--runs', '4', '--warmup', '1', '--throughput-requests', '200', '--server-ttfb-ms', '15', '--json', json], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /firstByteMs/);
    const results = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(Object.keys(results).sort(), [...TIMINGS, 'connectionsOpened', 'heapGrowthMb', 'peakRssMb', 'requests', 'server', 'serverRtf', 'serverTtfbMs', 'throughputRps'].sort());
    for (const name of TIMINGS) {
      const t = results[name];
      for (const key of ['min', 'p50', 'p95', 'p99', 'max']) assert.ok(Number.isFinite(t[key]) && t[key] >= 0, `${name}.${key} = ${t[key]}`);
      assert.ok(t.min <= t.p50 && t.p50 <= t.p95 && t.p95 <= t.p99 && t.p99 <= t.max, `${name} is ordered`);
    }
    assert.ok(results.firstByteMs.min >= 15, 'the first byte cannot come before the stand-in\'s delay');
    assert.ok(results.stopMs.serverSawDisconnect.p50 >= 0);
    assert.ok(results.realTimeFactor.p50 > 1);
    assert.ok(results.requests > 200);
    assert.ok(results.connectionsOpened.client >= 1 && results.connectionsOpened.client <= results.connectionsOpened.poolSize);
    assert.equal(results.connectionsOpened.server, results.connectionsOpened.client);
    assert.ok(results.throughputRps > 0);
    assert.ok(results.peakRssMb > 0 && results.peakRssMb < 1024);
    assert.equal(results.serverTtfbMs, 15);
    assert.match(results.server, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
