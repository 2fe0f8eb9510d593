import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');
const TIMINGS = [
  'firstByteMs',
  'firstAudioMs',
  'shortTextFirstAudioMs',
  'longTextFirstAudioMs',
  'afterStopFirstAudioMs',
  'stopMs',
  'realTimeFactor',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON the benchmark writes, read field by field
type BenchJson = Record<string, any>;

function runBench(args: string[]): BenchJson {
  const bench = path.join(root, 'dist', 'bench.js');
  assert.ok(existsSync(bench), 'dist/bench.js is built (npm run build)');
  const json = path.join(mkdtempSync(path.join(tmpdir(), 'bench-')), 'bench.json');
  const run = spawnSync(process.execPath, [bench, ...args, '--json', json], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /firstByteMs/);
  assert.match(run.stdout, /hedged requests \d+, answered first by the hedge \d+, saving at most [\d.]+ s/);
  assert.match(run.stdout, /with a hung replica \(every other request unanswered\): \d+ readings/);
  return JSON.parse(readFileSync(json, 'utf8'));
}

/** With a hung replica every hung request was answered by its hedge and aborted, and no reading waited for the timeout. */
function assertHedgedPastHungReplica(results: BenchJson): void {
  const { hedging } = results;
  const hung = hedging.hungReplica;
  assert.ok(hung.readings >= 1 && hung.hungRequests >= 1, JSON.stringify(hung));
  assert.equal(results.measured.hungReplica.done, hung.readings);
  assert.deepEqual([hung.hedgesFired, hung.hedgesWon, hung.hungAborted], [hung.hungRequests, hung.hungRequests, hung.hungRequests]);
  assert.ok(hung.firstAudioMs.max < hedging.firstByteTimeoutMs, `first audio ${hung.firstAudioMs.max} ms`);
  assert.ok(hung.savedMs > 0 && hung.savedMs <= hung.hedgesWon * hedging.firstByteTimeoutMs, `saved ${hung.savedMs} ms`);
  assert.ok(hedging.fired >= hung.hedgesFired && hedging.won >= hung.hedgesWon && hedging.savedMs >= hung.savedMs);
  assert.ok(hedging.delayMs >= 500, `hedge delay ${hedging.delayMs} ms`);
}

function assertTimings(results: BenchJson): void {
  for (const name of TIMINGS) {
    const t = results[name];
    for (const key of ['min', 'p50', 'p95', 'p99', 'max']) assert.ok(Number.isFinite(t[key]) && t[key] >= 0, `${name}.${key} = ${t[key]}`);
    assert.ok(t.min <= t.p50 && t.p50 <= t.p95 && t.p95 <= t.p99 && t.p99 <= t.max, `${name} is ordered`);
    assert.ok(t.n >= 1, `${name} measured something`);
  }
}

describe('npm run bench', function () {
  this.timeout(120_000);

  it('runs briefly against the stand-in and writes every figure with sane values', () => {
    const results = runBench([
      '--runs',
      '4',
      '--warmup',
      '1',
      '--throughput-requests',
      '200',
      '--server-ttfb-ms',
      '15',
      '--budget-s',
      '10',
      '--play-s',
      '2',
    ]);
    assert.deepEqual(
      Object.keys(results).sort(),
      [
        ...TIMINGS,
        'connectionsOpened',
        'gapless',
        'heapGrowthMb',
        'hedging',
        'measured',
        'peakRssMb',
        'server',
        'serverBusyAfterStopMs',
        'serverRtf',
        'serverTtfbMs',
        'shortTextStages',
        'speechRequests',
        'standin',
        'throughputRps',
      ].sort(),
    );
    assertTimings(results);
    assert.ok(results.firstByteMs.min >= 15, "the first byte cannot come before the stand-in's delay");
    // The stages before the player, each measured and not negative; the server's 15 ms shows in its stage.
    assert.deepEqual(Object.keys(results.shortTextStages), ['prepare', 'send', 'server', 'firstByte', 'decode']);
    for (const [stage, t] of Object.entries(results.shortTextStages as Record<string, { min: number; n: number }>))
      assert.ok(t.min >= 0 && t.n >= 1, `${stage}: ${JSON.stringify(t)}`);
    assert.ok(results.shortTextStages.server.p50 + results.shortTextStages.firstByte.p50 >= 15);
    assert.ok(results.stopMs.serverSawDisconnect.p50 >= 0);
    assert.ok(results.realTimeFactor.p50 > 1);
    assert.ok(results.speechRequests > 200);
    // Never more open than the pool: a connection beyond it only replaces one closed while idle (a slow phase on a busy machine).
    const { client, poolSize, closedOtherwise } = results.connectionsOpened;
    assert.ok(client >= 1 && client <= poolSize + closedOtherwise, JSON.stringify(results.connectionsOpened));
    assert.equal(
      results.connectionsOpened.server,
      results.connectionsOpened.client + results.connectionsOpened.closedToCancel,
      'every connection the server saw is counted: opened for requests, or replacing one a Stop closed',
    );
    assert.ok(results.throughputRps > 0);
    assert.ok(results.peakRssMb > 0 && results.peakRssMb < 1024);
    assert.equal(results.serverTtfbMs, 15);
    assert.deepEqual(
      results.gapless.map((g: { rtf: number }) => g.rtf),
      [50, 4],
      "gapless checked at the stand-in's speed and at 4× real time",
    );
    assert.match(results.server, /^http:\/\/127\.0\.0\.1:\d+$/);
    assertHedgedPastHungReplica(results);
    assert.equal(results.hedging.fired, results.hedging.hungReplica.hedgesFired, 'a server answering in 15 ms is never hedged');
  });

  it("in blocking mode measures the wait after a Stop and the server's leftover work, and every phase keeps to its budget", () => {
    const started = Date.now();
    const results = runBench([
      '--blocking',
      '--runs',
      '3',
      '--warmup',
      '1',
      '--throughput-requests',
      '100000',
      '--budget-s',
      '2',
      '--play-s',
      '2',
      '--skip-memory',
    ]);
    assertTimings(results);
    assert.equal(results.standin.mode, 'blocking');
    assert.ok(results.afterStopFirstAudioMs.n >= 1);
    assert.equal(results.measured.afterStop.done, results.afterStopFirstAudioMs.n, 'it says how much it measured');
    assert.equal(
      results.serverBusyAfterStopMs.n,
      results.afterStopFirstAudioMs.n,
      "the server's leftover work was measured for every Stop",
    );
    assert.ok(results.measured.throughput.done < 100_000, 'the throughput phase stopped at its budget');
    assertHedgedPastHungReplica(results);
    assert.ok(Date.now() - started < 60_000, `the whole run kept to its budgets (${Date.now() - started} ms)`);
  });
});
