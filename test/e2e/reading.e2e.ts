// Reading aloud in the real VS Code, driven like a user: palette, keybindings, the
// player webview playing the audio, Stop, a server that goes away, Select Voice.

import * as assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import { standInNote } from '../../src/kokoro/client';
import { briefly } from '../../src/kokoro/errors';
import { chunkText } from '../../src/speech/chunker';
import { toSpeakable } from '../../src/speech/speakable';
import { BENCHMARK_PLAN, benchmarkRows } from '../../src/stats/latencyBenchmark';
import { metricHeading, spokenMetric } from '../../src/stats/latency';
import { summarize } from '../../src/stats/summary';
import {
  FETCH_STAGES,
  STAGES,
  formatPlayerStartup,
  stageName,
  formatWaterfall,
  NOTICEABLE_PLAYER_WAIT_MS,
  waterfallTable,
} from '../../src/stats/waterfall';
import * as driver from './driver';
import {
  activateReady,
  extensionLog,
  isEnded,
  isStarted,
  nextReading,
  nextReport,
  notificationShows,
  openSample,
  sleep,
  speechRequests,
  spokenInputs,
  statusTooltipShows,
  waitUntil,
} from './helpers';

const SAMPLE = `// Greeting helpers
export function greet(name: string): string {
  return \`Hello, \${name}!\`;
}

export const isAdmin = (user: { role: string }) => user.role === 'admin' && user.active !== false;
`;

const LONG_TEXT = Array.from(
  { length: 12 },
  (_, i) =>
    `Paragraph ${i + 1} explains how the reading pipeline streams audio while the server is still generating it, one sentence after another.`,
).join('\n');

describe('Reading aloud in VS Code', function () {
  this.timeout(90_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateReady();
    if (api.session.player.isReady) return;
    // The very first reading creates the player webview (VS Code resolves a view only when it is shown):
    // measured here, so the tests below measure reading, not the webview's creation.
    const editor = await openSample('first.txt', 'First words after start-up.\n');
    editor.selection = new vscode.Selection(0, 0, 0, 27);
    const started = nextReport(api, isStarted, 30_000);
    const played = nextReport(api, isEnded, 30_000);
    const commandAt = performance.now();
    void vscode.commands.executeCommand('kokoro.readSelection');
    await started;
    console.log(`E2E FIRST READING (creates the player webview): command → audio playing ${(performance.now() - commandAt).toFixed(0)} ms`);
    await played;
  });

  it('the first reading after start-up: the stats say where the creation of the player went, and the tooltip how long the audio waited for it', async () => {
    // Whichever suite read first created the player (this one's before hook, when it runs alone).
    const startup = api.session.stats.playerStartup;
    assert.ok(startup, 'the player start-up was measured');
    const first = startup.firstReading;
    console.log(
      `E2E PLAYER START-UP: ${formatPlayerStartup(startup)}\nE2E FIRST READING waterfall: ${first ? formatWaterfall(first) : '–'}`,
    );
    assert.notEqual(startup.waitedReadingId, undefined, 'the first reading asked for the player');
    for (const stage of startup.stages) assert.ok(stage.ms >= 0, `${stage.name} ${stage.ms}`);
    assert.ok(
      Math.abs(startup.stages.reduce((a, s) => a + s.ms, 0) - startup.totalMs) < 5,
      `the parts add up to the ${startup.totalMs} ms the player took`,
    );
    assert.ok(first, 'the waterfall of the first reading');
    // The tooltip's spaces are non-breaking.
    const waited = (ms: string) => `text=/waited\\s${ms}\\sms\\sfor\\sVS\\sCode\\sto\\screate\\sthe\\splayer/`;
    if (first.stages.post >= NOTICEABLE_PLAYER_WAIT_MS) {
      // Its audio was ready in tens of milliseconds; its "post" stage, the wait for the player, is most of it.
      assert.ok(first.stages.post >= 0.5 * first.audibleMs, JSON.stringify(first.stages));
      await statusTooltipShows(waited(String(Math.round(first.stages.post))));
    } else {
      // The server took longer than VS Code to create the player (it does on some runs): its audio found the player
      // ready, and the tooltip says nothing of a wait.
      await statusTooltipShows('text=/Where\\sthe\\stime\\sgoes/', 30_000, waited('\\d+'));
    }
  });

  afterEach(async () => {
    api.session.stop();
    await driver.standinOptions({ fault: 'none', rtf: 4, ttfbMs: 20 }).catch(() => undefined);
  });

  it('Read from Cursor (Ctrl+Alt+Shift+S) reads from the cursor to the end of the file, and the keyboard stays in the editor', async () => {
    const editor = await openSample('greet.ts', SAMPLE);
    editor.selection = new vscode.Selection(1, 0, 1, 0); // the start of "export function greet"
    await driver.standinReset();
    const done = nextReading(api);
    await driver.press('Control+Alt+Shift+S');
    assert.equal((await done).outcome, 'completed');
    const said = (await spokenInputs()).join(' ');
    assert.match(said, /greet/);
    assert.match(said, /is admin/, 'to the last line');
    assert.doesNotMatch(said, /Greeting helpers/, 'nothing before the cursor');
    assert.equal((await driver.activeElement()).inEditor, true, 'the keyboard stays in the editor');
    const last = editor.document.lineCount - 1; // the empty line after the last newline
    editor.selection = new vscode.Selection(last, 0, last, 0);
    await driver.standinReset();
    await driver.press('Control+Alt+Shift+S');
    await notificationShows(/nothing to read after the cursor/);
    assert.deepEqual(await spokenInputs(), []);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('reads the selection from the command palette: the player plays every sample the server sent, while it was still streaming', async () => {
    const editor = await openSample('greet.ts', SAMPLE);
    editor.selection = new vscode.Selection(1, 0, 3, 1);
    const selected = editor.document.getText(editor.selection);
    await driver.standinReset();
    const started = nextReport(api, isStarted, 20_000);
    const ended = nextReport(api, isEnded, 60_000);
    await driver.palette('Kokoro: Read Selection');
    await started;
    const atStart = await speechRequests();
    assert.ok(
      atStart.some((r) => !r.completed && r.endedAt === undefined),
      'audio was playing while the server was still streaming',
    );
    const end = await ended;
    assert.equal(end.stopped, false);
    const requests = await speechRequests();
    // Where the requests are cut depends on the server's measured pace; what they say together does not.
    const expected = chunkText(toSpeakable(selected, { kind: 'code', punctuation: 'some', languageId: 'typescript' }));
    const words = (texts: Array<string | undefined>) => texts.join(' ').split(/\s+/).filter(Boolean);
    assert.deepEqual(
      words(requests.map((r) => r.body?.input)),
      words(expected),
      'the server received the selection as prepared for speech',
    );
    const sent = requests.reduce((n, r) => n + r.samplesSent, 0);
    assert.ok(sent > 0);
    assert.equal(end.samplesPlayed, sent, 'the webview played exactly what the server sent');
    await waitUntil(
      async () => /\d+ ms/.test((await driver.text('[aria-label^="Kokoro: server ready"]')) ?? ''),
      10_000,
      'a time to first audio in the status bar',
    );
    await driver.screenshot('read-selection-player');
  });

  it('reads two selections in document order with the keybinding', async () => {
    const editor = await openSample('greet.ts', SAMPLE);
    await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
    editor.selections = [new vscode.Selection(5, 0, 5, 20), new vscode.Selection(0, 0, 0, 19)];
    await driver.standinReset();
    const ended = nextReport(api, isEnded, 60_000);
    await driver.press('Control+Alt+S');
    const end = await ended;
    assert.equal(end.stopped, false);
    const inputs = (await speechRequests()).map((r) => r.body?.input ?? '').join(' ');
    const greeting = inputs.search(/greeting helpers/i);
    const admin = inputs.search(/is admin/i);
    assert.ok(greeting >= 0 && admin > greeting, `document order: ${inputs}`);
  });

  it('stops a long reading at once, and the server sees the disconnect', async () => {
    const editor = await openSample('long.md', LONG_TEXT);
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    await driver.standinReset();
    await driver.standinOptions({ rtf: 1 });
    const started = nextReport(api, isStarted, 20_000);
    const ended = nextReport(api, isEnded, 20_000);
    await driver.palette('Kokoro: Read Selection');
    await started;
    await sleep(300);
    await driver.focusEditor().catch(() => undefined);
    try {
      await driver.palette('Kokoro: Stop Reading');
    } catch (err) {
      const log = (await extensionLog(api)).split('\n').slice(-25).join('\n');
      const sent = JSON.stringify((await speechRequests()).map((r) => [r.body?.input?.slice(0, 24), r.samplesSent, r.completed]));
      throw new Error(`${(err as Error).message}; reading ${api.session.reading}, requests ${sent}\n${log}`, { cause: err });
    }
    const end = await ended;
    assert.equal(end.stopped, true);
    await waitUntil(async () => (await speechRequests()).some((r) => r.clientDisconnected), 5_000, 'the server to see the disconnect');
    const requests = await speechRequests();
    assert.ok(end.samplesPlayed < requests.reduce((n, r) => n + r.samplesSent, 0) + 1);
    assert.equal(api.session.reading, false);
  });

  it('Speak Faster while reading goes on from the sentence being heard at the new speed', async () => {
    const editor = await openSample('long.md', LONG_TEXT);
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    await driver.standinReset();
    await driver.standinOptions({ rtf: 2 });
    try {
      const started = nextReport(api, isStarted, 20_000);
      await driver.palette('Kokoro: Read Selection');
      await started;
      const before = await speechRequests();
      assert.ok(before.every((r) => (r.body as { speed?: number }).speed === 1));
      await vscode.commands.executeCommand('kokoro.speedUp');
      await waitUntil(
        async () => (await speechRequests()).some((r) => (r.body as { speed?: number }).speed === 1.25),
        10_000,
        'a request at the new speed',
      );
      const after = (await speechRequests()).filter((r) => (r.body as { speed?: number }).speed === 1.25);
      assert.ok(
        before.some((r) => r.body?.input === after[0].body?.input),
        'it starts again from the chunk being heard',
      );
      assert.equal(api.session.reading, true, 'still reading');
    } finally {
      api.session.stop();
      await vscode.workspace.getConfiguration('kokoro').update('speed', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('three quick Speak Faster presses while reading land at 1.75 at once, and the reading never steps back to a slower speed', async () => {
    const editor = await openSample('long.md', LONG_TEXT);
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    await driver.standinReset();
    await driver.standinOptions({ rtf: 2 });
    const speedOf = (r: { body?: unknown }) => (r.body as { speed?: number } | undefined)?.speed;
    const continuedAt = async () =>
      [...(await extensionLog(api)).matchAll(/continues from the playhead with speed ([\d.]+)/g)].map((m) => Number(m[1]));
    const continuedBefore = (await continuedAt()).length;
    try {
      const started = nextReport(api, isStarted, 20_000);
      void vscode.commands.executeCommand('kokoro.readSelection');
      await started;
      // Pressed faster than a settings write lands: each press builds on the one before.
      await Promise.all([1, 2, 3].map(() => vscode.commands.executeCommand('kokoro.speedUp')));
      assert.equal(api.session.config.speed, 1.75, 'in effect at once');
      await waitUntil(async () => (await speechRequests()).some((r) => speedOf(r) === 1.75), 10_000, 'a request at 1.75');
      await waitUntil(() => vscode.workspace.getConfiguration('kokoro').get('speed') === 1.75, 10_000, 'the setting to keep 1.75');
      // Each press goes on from the playhead at its speed; the settings catching up (each write lands
      // on its own) must not start it again at a slower one. (The server may get the requests of the
      // replaced continuations in any order, so they are counted here, where they start.)
      await waitUntil(async () => (await continuedAt()).length >= continuedBefore + 3, 10_000, 'three continuations logged');
      assert.deepEqual((await continuedAt()).slice(continuedBefore), [1.25, 1.5, 1.75]);
      assert.equal(api.session.config.speed, 1.75, 'the settings catching up did not step it back');
      assert.equal(api.session.reading, true, 'still reading');
    } finally {
      api.session.stop();
      await vscode.workspace.getConfiguration('kokoro').update('speed', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Retry measures its own command → audio playing, from when the user picks it', async () => {
    const editor = await openSample('greet.ts', SAMPLE);
    editor.selection = new vscode.Selection(1, 0, 1, 40);
    await driver.standinReset();
    await driver.standinOptions({ fault: 'error-500', faultTimes: 1 });
    api.session.errors.clear();
    await vscode.commands.executeCommand('notifications.clearAll');
    const failed = nextReading(api);
    void vscode.commands.executeCommand('kokoro.readSelection');
    assert.equal((await failed).outcome, 'failed');
    await vscode.commands.executeCommand('notifications.showList');
    await waitUntil(async () => (await driver.notifications()).some((m) => /HTTP 500/.test(m)), 10_000, 'the error message');
    const onScreenMs = 1500;
    await sleep(onScreenMs); // the user reads the message
    api.session.stats.reset();
    const started = nextReport(api, isStarted, 20_000);
    const pickedAt = performance.now();
    await driver.notificationAction('HTTP 500', 'Retry');
    await started;
    const pickToAudio = performance.now() - pickedAt;
    const recorded = api.session.stats.summary('endToEndMs');
    assert.equal(recorded.count, 1);
    assert.ok(
      recorded.max <= pickToAudio,
      `recorded ${recorded.max.toFixed(0)} ms, at most the ${pickToAudio.toFixed(0)} ms from Retry to audio: the time the message was on screen is not counted`,
    );
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('Retry after a failed speed change goes on from the sentence being heard, at the new speed', async () => {
    const editor = await openSample(
      'two.md',
      'The first sentence is being heard when the speed changes. The second sentence comes after it.',
    );
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    await driver.standinReset();
    await driver.standinOptions({ rtf: 20 });
    try {
      const started = nextReport(api, isStarted, 20_000);
      void vscode.commands.executeCommand('kokoro.readSelection');
      await started;
      // Everything is fetched (it fits the player's lookahead) and playing: now the speed change's request fails.
      await waitUntil(() => !api.session.reader.reading && api.session.reading, 10_000, 'all audio fetched, still playing');
      const heard = (await speechRequests()).map((r) => r.body?.input ?? '');
      await driver.standinOptions({ fault: 'error-500', faultTimes: 1 });
      api.session.errors.clear();
      await vscode.commands.executeCommand('notifications.clearAll');
      const failed = nextReading(api);
      await vscode.commands.executeCommand('kokoro.speedUp');
      assert.equal((await failed).outcome, 'failed');
      await vscode.commands.executeCommand('notifications.showList');
      await waitUntil(async () => (await driver.notifications()).some((m) => /HTTP 500/.test(m)), 10_000, 'the error message');
      await driver.standinReset();
      const retried = nextReading(api, 30_000);
      await driver.notificationAction('HTTP 500', 'Retry');
      const result = await retried;
      assert.equal(result.outcome, 'completed');
      const requests = (await speechRequests()).filter((r) => r.body?.input !== 'Ready.'); // not the re-warming after a speed change
      assert.ok(requests.length > 0 && requests.every((r) => (r.body as { speed?: number }).speed === 1.25), 'read again at the new speed');
      assert.ok(heard.includes(requests[0].body?.input ?? ''), 'from a sentence of the reading, not from nothing');
      assert.equal(requests.at(-1)!.body?.input, heard.at(-1), 'to its end');
    } finally {
      api.session.stop();
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.workspace.getConfiguration('kokoro').update('speed', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('with no fallback voice, tells the user when the server is down, and reads again once it is back, with no reload', async () => {
    const editor = await openSample('greet.ts', SAMPLE);
    editor.selection = new vscode.Selection(1, 0, 1, 40);
    await vscode.workspace.getConfiguration('kokoro').update('fallbackVoice', 'off', vscode.ConfigurationTarget.Global);
    await driver.standinDown();
    try {
      const failed = nextReading(api);
      await vscode.commands.executeCommand('kokoro.readSelection');
      const result = await failed;
      assert.equal(result.outcome, 'failed');
      assert.equal(result.error?.kind, 'unreachable');
      await waitUntil(
        async () => /Failed: No Kokoro server is answering at .*\(connection refused\)\./.test(await driver.webviewText()),
        10_000,
        'the player to say the reading failed, and why',
      );
      assert.doesNotMatch(await driver.webviewText(), /Finished\./);
      // Toasts are not rendered under the test driver: read the notification center, as a user can.
      await vscode.commands.executeCommand('notifications.showList');
      await waitUntil(
        async () => (await driver.notifications()).some((m) => /No Kokoro server is answering/.test(m)),
        10_000,
        'the error notification',
      );
      const buttons = (await driver.text('.notifications-center .notification-list-item')) ?? '';
      assert.match(buttons, /Retry/);
      assert.match(buttons, /Open Settings/);
      // Pressing Read again while the server is still down does not pile up more notifications.
      const again = nextReading(api);
      await vscode.commands.executeCommand('kokoro.readSelection');
      assert.equal((await again).outcome, 'failed');
      await sleep(500);
      assert.equal(
        (await driver.notifications()).filter((m) => /No Kokoro server is answering/.test(m)).length,
        1,
        'one message, not a storm',
      );
      await waitUntil(() => driver.exists('[aria-label^="Kokoro: server unreachable"]'), 10_000, 'the status bar to say unreachable');
      await driver.screenshot('server-down');
    } finally {
      await driver.standinUp();
      await vscode.workspace.getConfiguration('kokoro').update('fallbackVoice', undefined, vscode.ConfigurationTarget.Global);
    }
    const again = nextReading(api, 30_000);
    await driver.notificationAction('No Kokoro server is answering', 'Retry');
    const result = await again;
    assert.equal(result.outcome, 'completed');
    await waitUntil(() => api.session.server.state === 'ready', 15_000, 'the server to be ready again');
  });

  it('the server going down in the middle of a reading: what was heard stays, one message, then it recovers and re-warms by itself', async () => {
    const editor = await openSample('long.md', LONG_TEXT);
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    await driver.standinReset();
    await driver.standinOptions({ rtf: 1 });
    await vscode.commands.executeCommand('notifications.clearAll');
    const started = nextReport(api, isStarted, 20_000);
    const reading = nextReading(api, 30_000);
    void vscode.commands.executeCommand('kokoro.readSelection'); // resolves when the reading ends
    await started;
    await sleep(300);
    await driver.standinDown();
    try {
      const result = await reading;
      assert.equal(result.outcome, 'failed');
      assert.ok(result.samples > 0, 'audio had arrived before the server went');
      await waitUntil(
        async () => (await driver.webviewText()).includes(`Failed: ${briefly(result.error!.message)}`),
        30_000,
        'the player to say, once what arrived has played, that the reading failed, and why',
      );
      await waitUntil(() => api.session.server.state === 'unreachable', 5_000, 'the state to say unreachable');
      await waitUntil(() => driver.exists('[aria-label^="Kokoro: server unreachable"]'), 10_000, 'the status bar to say unreachable');
      await vscode.commands.executeCommand('notifications.showList');
      await waitUntil(async () => (await driver.notifications()).some((m) => /Kokoro/.test(m)), 10_000, 'the message');
      await sleep(1500); // recovery polls meanwhile: it must not add messages
      assert.equal((await driver.notifications()).filter((m) => /Kokoro/.test(m)).length, 1, 'one message, not a storm');
    } finally {
      await driver.standinReset();
      await driver.standinUp();
    }
    await waitUntil(() => api.session.server.state === 'ready', 20_000, 'the server to be ready again, with no user action');
    assert.equal((await speechRequests())[0]?.body?.input, 'Ready.', 're-warmed on recovery');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it("says the server is the project's stand-in (npm start's demo voice), in the player and the status bar's tooltip", async () => {
    const note = standInNote('Kokoro stand-in');
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready');
    await waitUntil(async () => (await driver.webviewText()).includes(note), 10_000, 'the player to say so');
    // The workbench page itself (not a webview) shows the note only in the status bar's tooltip.
    await statusTooltipShows(`text=${note}`).finally(() => driver.screenshot('stand-in-tooltip'));
  });

  it("Select Voice lists the server's voices and the next reading uses the chosen one", async () => {
    try {
      await driver.palette('Kokoro: Select Voice');
      await waitUntil(async () => /bf_emma/.test((await driver.text('.quick-input-list')) ?? ''), 10_000, 'the voice list');
      const listed = (await driver.text('.quick-input-list')) ?? '';
      for (const voice of ['af_heart', 'af_bella', 'bm_george']) assert.match(listed, new RegExp(voice));
      await driver.typeText('bf_emma');
      await driver.press('Enter');
      await waitUntil(() => vscode.workspace.getConfiguration('kokoro').get('voice') === 'bf_emma', 5_000, 'the voice setting');
      const editor = await openSample('greet.ts', SAMPLE);
      editor.selection = new vscode.Selection(1, 0, 1, 40);
      await driver.standinReset();
      const done = nextReading(api);
      await vscode.commands.executeCommand('kokoro.readSelection');
      assert.equal((await done).outcome, 'completed');
      const requests = await speechRequests();
      assert.ok(requests.length > 0 && requests.every((r) => r.body?.voice === 'bf_emma'));
    } finally {
      await vscode.workspace.getConfiguration('kokoro').update('voice', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('measures key press → audio playing over 20 readings', async () => {
    const editor = await openSample('greet.ts', SAMPLE);
    await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
    editor.selection = new vscode.Selection(1, 0, 1, 40);
    await driver.standinOptions({ rtf: 20, ttfbMs: 20 });
    api.session.stats.reset();
    const pressToAudio: number[] = [];
    const pressedAtEpoch: number[] = [];
    await driver.recordKeyDowns();
    for (let i = 0; i < 20; i++) {
      const started = nextReport(api, isStarted, 20_000);
      const ended = nextReport(api, isEnded, 30_000);
      const pressedAt = performance.now();
      pressedAtEpoch.push(performance.timeOrigin + pressedAt);
      await driver.press('Control+Alt+S');
      await started;
      pressToAudio.push(performance.now() - pressedAt);
      await ended;
    }
    const inExtension = api.session.stats.summary('endToEndMs');
    const press = summarize(pressToAudio);
    console.log(
      `E2E LATENCY (stand-in delay to first byte 20 ms): key press -> audio playing p50 ${press.p50.toFixed(1)} ms, p95 ${press.p95.toFixed(1)} ms; command -> audio playing p50 ${inExtension.p50.toFixed(1)} ms, p95 ${inExtension.p95.toFixed(1)} ms (n=${inExtension.count})`,
    );
    assert.equal(inExtension.count, 20);
    const waterfalls = api.session.stats.waterfalls;
    assert.equal(waterfalls.count, 20, 'a waterfall for every reading');
    for (const w of waterfalls.readings) {
      for (const key of STAGES) assert.ok(w.stages[key] >= 0, `reading ${w.readingId}: ${key} ${w.stages[key]}`);
      const sum = STAGES.reduce((a, key) => a + w.stages[key], 0);
      assert.ok(Math.abs(sum - w.totalMs) < 1, `reading ${w.readingId}: the stages add up to ${sum}, the total is ${w.totalMs}`);
      assert.ok(w.stages.server >= 15, `reading ${w.readingId}: the stand-in's 20 ms shows in the server stage (${w.stages.server})`);
      assert.ok(w.clockUncertaintyMs >= 0 && w.clockUncertaintyMs < w.totalMs, `reading ${w.readingId}: clock ±${w.clockUncertaintyMs} ms`);
    }
    // The goals, in its terms: "scheduled" is audible less the output latency, and the key press comes before
    // the command. The key press's way to the command in two: the driver's way to the page (the test's HTTP call,
    // Playwright, CDP: no user has it), then the workbench's, from the key-down's own time stamp in the page (one
    // machine, one clock).
    const keyDowns = (await driver.keyDowns()).filter((k) => k.key.toLowerCase() === 's' && k.ctrl && k.alt && !k.shift);
    assert.equal(keyDowns.length, 20, 'the workbench got every key press');
    const readings = waterfalls.readings.map((w, i) => {
      const driverMs = keyDowns[i].at - pressedAtEpoch[i];
      const pressToCommand = pressToAudio[i] - w.totalMs;
      const pressToScheduled = pressToAudio[i] - w.stages.report - w.stages.output;
      return {
        w,
        driverMs,
        workbenchMs: pressToCommand - driverMs,
        pressToScheduled,
        keyDownToScheduled: pressToScheduled - driverMs,
        commandToScheduled: w.totalMs - w.stages.report - w.stages.output,
      };
    });
    const figures = (key: Exclude<keyof (typeof readings)[number], 'w'>) => {
      const s = summarize(readings.map((r) => r[key]));
      return `p50 ${s.p50.toFixed(1)} / p95 ${s.p95.toFixed(1)} ms`;
    };
    console.log(
      `E2E GOALS (stand-in 20 ms; goal 65 / 95 ms): key-down in the workbench -> first sample scheduled ${figures('keyDownToScheduled')}; from the driver's key press ${figures('pressToScheduled')}; command -> scheduled ${figures('commandToScheduled')} (goal p50 45)\n` +
        `E2E KEY PRESS -> COMMAND: the driver to the page's key-down ${figures('driverMs')}, the workbench's key-down -> command ${figures('workbenchMs')} (probe floor 12-15 / 33-39)`,
    );
    // The tail: whose is it? The key press's way to the command is the driver's and the workbench's, the stages are
    // ours, the server's and the channel's.
    for (const r of [...readings].sort((a, b) => b.keyDownToScheduled - a.keyDownToScheduled).slice(0, 2))
      console.log(
        `E2E SLOWEST key-down -> scheduled ${r.keyDownToScheduled.toFixed(1)} ms: key-down -> command ${r.workbenchMs.toFixed(1)} ms · ${formatWaterfall(r.w)} (driver ${r.driverMs.toFixed(1)} ms before the key-down)`,
      );
    const clock = summarize(waterfalls.readings.map((w) => w.clockUncertaintyMs));
    console.log(
      `E2E WATERFALL of ${waterfalls.count} readings (ms; stand-in 20 ms to first byte; webview clock aligned within ±${clock.p50.toFixed(1)} ms p50, ±${clock.max.toFixed(1)} max):\n${waterfallTable(waterfalls)}`,
    );
    const label = `Kokoro: server ready, last ${spokenMetric('endToEndMs', api.session.stats.last('endToEndMs')!)}`;
    await waitUntil(() => driver.exists(`[aria-label="${label}"]`), 10_000, `the status bar's label "${label}"`);
    assert.match(
      (await driver.text(`[aria-label="${label}"]`)) ?? '',
      new RegExp(`Kokoro ${Math.round(api.session.stats.last('endToEndMs')!)} ms`),
      'the figure shown is the one its label names',
    );
    const screenshot = await driver.screenshot('status-bar-after-readings');
    assert.ok(existsSync(screenshot) && statSync(screenshot).size > 10_000);
  });

  it('Run Latency Benchmark measures the configured server and shows the table and histogram', async () => {
    await driver.palette('Kokoro: Run Latency Benchmark');
    await waitUntil(() => driver.exists('.tab[aria-label*="Kokoro Latency Benchmark"]'), 60_000, 'the benchmark results');
    await waitUntil(
      async () => (await driver.webviewText()).includes(benchmarkRows().shortFirstAudio),
      10_000,
      'the results table to render',
    );
    const page = await driver.webviewText();
    assert.ok(
      page.includes(
        `${2 * BENCHMARK_PLAN.runs} readings measured: ${BENCHMARK_PLAN.runs} of one line and ${BENCHMARK_PLAN.runs} of a long text, after ${BENCHMARK_PLAN.warmup} warm-up readings of each`,
      ),
      page,
    );
    assert.match(page, /Time to first byte \(ms\)\s+[\d.]+/);
    assert.match(page, /Where the time goes, one line/);
    for (const key of FETCH_STAGES)
      assert.match(page, new RegExp(`${stageName(key)} — [^\\n]+\\s+[\\d.]+`), `the benchmark's ${key} stage`);
    await driver.screenshot('latency-benchmark');
  });

  it('Show Latency Stats opens the full table from the status bar item', async () => {
    await driver.click('[aria-label^="Kokoro: server ready"]');
    await waitUntil(() => driver.exists('.tab[aria-label*="Kokoro Latency Stats"]'), 10_000, 'the stats tab');
    await waitUntil(async () => (await driver.webviewText()).includes(metricHeading('endToEndMs')), 10_000, 'the stats table to render');
    await driver.screenshot('latency-stats');
    const page = await driver.webviewText();
    assert.match(page, new RegExp(`Readings: ${api.session.stats.readings}, failed: ${api.session.stats.failures}`));
    assert.match(page, /Where the time goes/);
    for (const key of STAGES) assert.match(page, new RegExp(`${stageName(key)}( \\*)? — `), `the stage ${key} is in the table`);
  });

  it("every webview page in VS Code carries the shared policy, and the stats page's own script runs under it (Reset)", async () => {
    await api.session.player.reveal();
    await vscode.commands.executeCommand('kokoro.showStats');
    await waitUntil(async () => /Reset statistics/.test(await driver.webviewText()), 10_000, 'the stats page');
    await waitUntil(
      async () => (await driver.webviewPolicies()).some((p) => p.title === 'Kokoro Latency Stats'),
      10_000,
      "the stats page's policy",
    );
    const policies = await driver.webviewPolicies();
    for (const title of ['Kokoro Player', 'Kokoro Latency Stats'])
      assert.ok(
        policies.some((p) => p.title === title),
        `${title} is on the page: ${JSON.stringify(policies)}`,
      );
    for (const { title, csp } of policies.filter((p) => p.title.startsWith('Kokoro'))) {
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      );
      assert.deepEqual([...directives.keys()], ['default-src', 'script-src', 'style-src', 'img-src', 'font-src'], `${title}: ${csp}`);
      assert.deepEqual(directives.get('default-src'), ["'none'"], title);
      assert.match(directives.get('script-src')!.join(' '), /^'nonce-[A-Za-z0-9+/=]{24}'$/, title);
      assert.ok(!/unsafe/.test(csp), `${title}: ${csp}`);
    }
    assert.ok(api.session.stats.readings > 0, 'there is something to reset');
    await driver.webviewClick('#reset');
    await waitUntil(() => api.session.stats.readings === 0, 10_000, 'Reset to clear the statistics');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
