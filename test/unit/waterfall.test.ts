import * as assert from 'node:assert/strict';
import {
  ClockSync,
  computeWaterfall,
  describePlayerStartup,
  type ExtensionMarks,
  formatWaterfall,
  NOTICEABLE_PLAYER_WAIT_MS,
  playerStartupNote,
  STAGES,
  type StageKey,
  WaterfallStats,
} from '../../src/stats/waterfall';

/** A reading on the extension's clock from 100: prep 2, send 0.5, server 20, first byte 1.5, decode 0.5, post 0.5. */
const ext = (reportedAt: number, overrides: Partial<ExtensionMarks> = {}): ExtensionMarks => ({
  commandAt: 100,
  preparedAt: 102,
  sentAt: 102.5,
  headersAt: 122.5,
  firstByteAt: 124,
  deliveredAt: 124.5,
  postedAt: 125,
  reportedAt,
  ...overrides,
});

const sum = (stages: Record<StageKey, number>) => Object.values(stages).reduce((a, b) => a + b, 0);

describe('Latency waterfall', () => {
  it('has one stage per step from the command to the report, in order, each between two marks', () => {
    assert.deepEqual(
      [...STAGES],
      ['prepare', 'send', 'server', 'firstByte', 'decode', 'post', 'toWebview', 'schedule', 'output', 'report'],
    );
  });

  it('places the webview marks with the clock offset, and the stages add up to the total', () => {
    // The webview's clock runs 10 000 ms ahead: received at 131 (ours), scheduled 132, audible 140, reported 146.
    const w = computeWaterfall(
      7,
      ext(146),
      { receivedAt: 10_131, scheduledAt: 10_132, audibleAt: 10_140 },
      { offsetMs: 10_000, uncertaintyMs: 0.3 },
    );
    assert.deepEqual(w.stages, {
      prepare: 2,
      send: 0.5,
      server: 20,
      firstByte: 1.5,
      decode: 0.5,
      post: 0.5,
      toWebview: 6,
      schedule: 1,
      output: 8,
      report: 6,
    });
    assert.equal(w.readingId, 7);
    assert.equal(w.audibleMs, 40);
    assert.equal(w.totalMs, 46);
    assert.equal(sum(w.stages), w.totalMs);
    assert.equal(w.clockUncertaintyMs, 0.3);
    assert.equal(w.cached, false);
  });

  it('without a clock estimate, splits the round trip outside the webview evenly between the two messages', () => {
    // Posted at 125, reported at 145: 20 ms, of which 8 in the webview (received → audible): 6 each way.
    const w = computeWaterfall(1, ext(145), { receivedAt: 5_000, scheduledAt: 5_002, audibleAt: 5_008 });
    assert.equal(w.stages.toWebview, 6);
    assert.equal(w.stages.schedule, 2);
    assert.equal(w.stages.output, 6);
    assert.equal(w.stages.report, 6);
    assert.equal(w.clockUncertaintyMs, 6);
    assert.equal(sum(w.stages), w.totalMs);
  });

  it('an offset that is a little off never makes a stage negative: marks stay in order between posting and the report', () => {
    const webview = { receivedAt: 10_120, scheduledAt: 10_119, audibleAt: 10_200 }; // received "before" posting, audible "after" the report
    const w = computeWaterfall(1, ext(146), webview, { offsetMs: 10_000, uncertaintyMs: 5 });
    for (const [key, ms] of Object.entries(w.stages)) assert.ok(ms >= 0, `${key} ${ms}`);
    assert.equal(w.stages.toWebview, 0);
    assert.equal(w.stages.report, 0);
    assert.equal(sum(w.stages), w.totalMs);
  });

  it('a first audio from the cache has no request stages', () => {
    const w = computeWaterfall(
      2,
      ext(130, { sentAt: undefined, headersAt: undefined, firstByteAt: undefined, deliveredAt: 103 }),
      { receivedAt: 126, scheduledAt: 127, audibleAt: 128 },
      { offsetMs: 0, uncertaintyMs: 0.1 },
    );
    assert.equal(w.cached, true);
    assert.deepEqual([w.stages.send, w.stages.server, w.stages.firstByte], [0, 0, 0]);
    assert.equal(w.stages.decode, 1);
    assert.match(formatWaterfall(w), /from the cache/);
    assert.doesNotMatch(formatWaterfall(w), /server/);
  });

  it('the log line names every stage with its time and the totals', () => {
    const w = computeWaterfall(7, ext(146), { receivedAt: 131, scheduledAt: 132, audibleAt: 140 }, { offsetMs: 0, uncertaintyMs: 0.25 });
    assert.equal(
      formatWaterfall(w),
      'text prep 2.0 · send 0.5 · server 20 · first byte 1.5 · decode 0.5 · post 0.5 · to webview 6.0 · schedule 1.0 · output 8.0 · report 6.0 = audible 40 ms, reported 46 ms (clock ±0.3 ms)',
    );
  });

  it('the clock offset comes from the shortest recent round trip, within half of it', () => {
    const clock = new ClockSync(3);
    assert.equal(clock.estimate, undefined);
    clock.add(0, 5_010, 20); // round trip 20: offset 5000 ± 10
    clock.add(100, 5_101, 102); // round trip 2: offset 5000 ± 1
    clock.add(200, 5_230, 260); // round trip 60
    assert.deepEqual(clock.estimate, { offsetMs: 5_000, uncertaintyMs: 1 });
    clock.add(300, 5_320, 340);
    clock.add(400, 5_415, 430);
    clock.add(500, 5_530, 580); // the short one has gone out of the window
    assert.deepEqual(clock.estimate, { offsetMs: 5_000, uncertaintyMs: 15 });
    clock.add(600, 600, 590); // a pong before its ping: ignored
    assert.deepEqual(clock.estimate, { offsetMs: 5_000, uncertaintyMs: 15 });
    clock.reset();
    assert.equal(clock.estimate, undefined);
  });

  it('summarises the stages of the last readings and names the largest', () => {
    const stats = new WaterfallStats(3);
    for (const server of [10, 30, 20, 40]) {
      const w = computeWaterfall(
        1,
        ext(146 + server, { headersAt: 102.5 + server, firstByteAt: 104 + server, deliveredAt: 104.5 + server, postedAt: 105 + server }),
        { receivedAt: 111 + server, scheduledAt: 112 + server, audibleAt: 120 + server },
        { offsetMs: 0, uncertaintyMs: 0 },
      );
      stats.record(w);
    }
    assert.equal(stats.count, 3, 'keeps the last 3');
    const server = stats.stages().find((s) => s.key === 'server')!;
    assert.deepEqual([server.summary.count, server.summary.p50, server.summary.max], [3, 30, 40]);
    assert.deepEqual(
      stats.largest(3).map((s) => s.key),
      ['server', 'report', 'output'],
    );
    assert.equal(stats.audible().p50, 50);
    stats.reset();
    assert.equal(stats.count, 0);
    assert.deepEqual(stats.largest(3), []);
  });

  it("splits the player's creation into VS Code's part, the page load and our script", () => {
    const startup = describePlayerStartup({
      requestedAt: 1_000,
      resolvedAt: 1_900,
      readyReceivedAt: 4_000,
      navigationAt: 50_000,
      scriptAt: 51_500,
      contextAt: 51_503,
      readyAt: 51_504,
    });
    assert.equal(startup.totalMs, 3_000);
    assert.deepEqual(startup.stages, [
      { name: 'VS Code creates the view', ms: 900 },
      { name: 'page requested and messages', ms: 596 },
      { name: 'page load', ms: 1_500 },
      { name: 'AudioContext creation', ms: 3 },
      { name: 'audio check until ready', ms: 1 },
    ]);
    assert.equal(
      startup.stages.reduce((a, s) => a + s.ms, 0),
      startup.totalMs,
    );
  });

  it('the tooltip says how long the first reading waited for the player, only when its audio really waited', () => {
    const reading = (post: number) => ({
      stages: { ...computeWaterfall(1, ext(130), { receivedAt: 126, scheduledAt: 127, audibleAt: 128 }).stages, post },
    });
    assert.match(
      playerStartupNote({ waitedReadingId: 1, firstReading: reading(2_345.6) }, false)!,
      /^The first reading waited 2346 ms for VS Code to create the player; the setting kokoro\.preparePlayerOnStartup/,
    );
    assert.equal(
      playerStartupNote({ waitedReadingId: 1, firstReading: reading(900) }, true),
      'The first reading waited 900 ms for the player to be created.',
    );
    // The server took longer than VS Code to create the player: the audio found it ready.
    assert.equal(playerStartupNote({ waitedReadingId: 1, firstReading: reading(0.2) }, false), undefined);
    assert.equal(playerStartupNote({ waitedReadingId: 1, firstReading: reading(NOTICEABLE_PLAYER_WAIT_MS - 1) }, false), undefined);
    assert.equal(playerStartupNote({ waitedReadingId: 1 }, false), undefined, 'nothing before the reading is audible');
    assert.equal(playerStartupNote({ firstReading: reading(3_000) }, false), undefined, 'created at start-up, no reading waited');
  });
});
