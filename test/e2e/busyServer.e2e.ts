// A busy Kokoro server is not an offline one. The stand-in in its blocking mode behaves like
// Kokoro-FastAPI: it answers nothing, not even /health, while it generates a sentence group.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import type { ServerState } from '../../src/kokoro/connection';
import * as driver from './driver';
import { activateReady, isEnded, isStarted, nextReading, nextReport, openSample, speechRequests, waitUntil } from './helpers';

const sentence = 'The server keeps generating speech while the status bar must keep telling the truth. ';

describe('A server that blocks while it generates (Kokoro-FastAPI)', function () {
  this.timeout(120_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateReady();
  });

  afterEach(async () => {
    api.session.stop();
    await driver.standinOptions({ mode: 'fast', fault: 'none', rtf: 4, ttfbMs: 20 });
  });

  it('a 25-second reading at 4× real time never shows the server offline and raises no error', async () => {
    const editor = await openSample('busy.txt', sentence.repeat(5)); // about 25 s of speech
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    await driver.standinReset();
    await driver.standinOptions({ mode: 'blocking', rtf: 4, startCostMs: 50 });
    await vscode.commands.executeCommand('notifications.clearAll');
    const states: ServerState[] = [];
    const onState = (state: ServerState) => states.push(state);
    api.session.server.on('state', onState);
    let statusBarSaidOffline = false;
    const watcher = setInterval(() => {
      void driver.exists('[aria-label^="Kokoro: server unreachable"]').then(
        (offline) => (statusBarSaidOffline ||= offline),
        () => undefined,
      );
    }, 250);
    try {
      const reading = nextReading(api, 90_000);
      await driver.press('Control+Alt+S'); // the keys a user presses
      const result = await reading;
      assert.equal(result.outcome, 'completed', result.error?.message);
      const played = result.samples / result.sampleRate;
      assert.ok(played > 20, `a long reading (${played.toFixed(1)} s of audio)`);
      const health = ((await driver.standinState()) as { requests: Array<{ path: string }> }).requests.filter(
        (r) => r.path === '/health',
      ).length;
      assert.ok(health >= 3, `the extension kept its connections warm meanwhile (${health} health checks, answered late)`);
      assert.deepEqual(
        states.filter((s) => s !== 'ready'),
        [],
        `the server state stayed ready: ${states.join(' → ')}`,
      );
      assert.equal(statusBarSaidOffline, false, 'the status bar never said unreachable');
      assert.equal((await speechRequests()).filter((r) => r.body?.input === 'Ready.').length, 0, 'no re-warm');
      await vscode.commands.executeCommand('notifications.showList');
      assert.deepEqual(
        (await driver.notifications()).filter((m) => /Kokoro|server/i.test(m)),
        [],
        'no error message',
      );
    } finally {
      clearInterval(watcher);
      api.session.server.off('state', onState);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('Stop leaves the server little to finish, so the next reading starts at once', async () => {
    const editor = await openSample('busy.txt', sentence.repeat(12));
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    await driver.standinReset();
    await driver.standinOptions({ mode: 'blocking', rtf: 4, startCostMs: 50 });
    const started = nextReport(api, isStarted, 30_000);
    const first = nextReading(api, 60_000);
    await driver.press('Control+Alt+S'); // the keys a user presses
    await started;
    await waitUntil(() => api.session.player.playedSamples(api.session.playback.currentId ?? -1) > 24_000 * 3, 20_000, '3 s of playback');
    await driver.press('Control+Alt+X');
    assert.equal((await first).outcome, 'stopped');

    editor.selection = new vscode.Selection(0, 0, 0, 30);
    const line = nextReading(api, 30_000);
    const lineStarted = nextReport(api, isStarted, 30_000);
    const commandAt = performance.now();
    await driver.press('Control+Alt+S'); // the keys a user presses
    await lineStarted;
    const afterStopMs = performance.now() - commandAt;
    assert.equal((await line).outcome, 'completed');

    const requests = (await driver.standinState()) as {
      requests: Array<{ path: string; body?: { input?: string }; clientDisconnected: boolean; busyAfterDisconnectMs?: number }>;
    };
    const speech = requests.requests.filter((r) => r.path === '/v1/audio/speech');
    const leftoverMs = speech.filter((r) => r.clientDisconnected).reduce((ms, r) => ms + (r.busyAfterDisconnectMs ?? 0), 0);
    const longest = Math.max(...speech.map((r) => r.body?.input?.length ?? 0));
    console.log(
      `E2E STOP ON A BUSY SERVER (blocking stand-in at 4x): server busy ${leftoverMs.toFixed(0)} ms after the Stop; key press -> audio playing for the next line ${afterStopMs.toFixed(0)} ms; longest request ${longest} characters`,
    );
    // A request to a 4× server is about a second of its work at most; before, one sentence group took 2.8 s.
    assert.ok(leftoverMs <= 1_600, `the server finished at most one small request after the Stop (${leftoverMs.toFixed(0)} ms)`);
    assert.ok(longest <= 160, `requests sized to a slow server (${longest} characters)`);
  });

  it('Next Sentence (Ctrl+Alt+L) moves at once on a server busy generating, and the highlight follows', async () => {
    const editor = await openSample(
      'skip.txt',
      'One sentence opens. Two follows it here. Three is in the middle. Four comes near the end. Five closes it.\n',
    );
    await driver.standinReset();
    await driver.standinOptions({ mode: 'blocking', rtf: 4, startCostMs: 50 });
    await driver.focusEditor();
    await driver.press('Control+Home');
    await waitUntil(() => editor.selection.active.isEqual(new vscode.Position(0, 0)), 5_000, 'the cursor at the start');
    await driver.press('Control+Alt+Shift+S');
    await waitUntil(() => api.session.followAlong.highlighted?.sentence === 0, 20_000, 'the first sentence to be heard');
    await driver.press('Control+Alt+L');
    await driver.press('Control+Alt+L');
    await waitUntil(() => api.session.followAlong.highlighted?.sentence === 2, 10_000, 'two sentences on');
    const h = api.session.followAlong.highlighted!;
    assert.equal(editor.document.getText(h.range), 'Three is in the middle.');
    await waitUntil(
      async () => (await speechRequests()).every((r) => r.completed || r.clientDisconnected),
      15_000,
      'no request left running',
    );
    const inputs = (await speechRequests()).map((r) => r.body?.input);
    assert.equal(new Set(inputs).size, inputs.length, `no sentence asked for twice: ${JSON.stringify(inputs)}`);
    assert.equal(api.session.server.state, 'ready', 'a busy server is not an offline one');
    api.session.stop(); // the rest of the text is not the next test's
  });

  it('measures command → audio playing over 10 readings of a line', async () => {
    const editor = await openSample('line.ts', 'const total = items.reduce((sum, item) => sum + item.price, 0);\n');
    editor.selection = new vscode.Selection(0, 0, 0, 20); // "const total = items.": a short line, so the test measures latency, not listening
    await driver.standinOptions({ mode: 'blocking', rtf: 40, startCostMs: 50 });
    for (let i = 0; i <= 10; i++) {
      if (i === 1) api.session.stats.reset(); // the first reading may have created the player webview
      const ended = nextReport(api, isEnded, 30_000);
      await driver.press('Control+Alt+S');
      assert.equal((await ended).stopped, false);
    }
    const playing = api.session.stats.summary('endToEndMs');
    const firstByte = api.session.stats.summary('firstByteMs');
    console.log(
      `E2E LATENCY (blocking stand-in like Kokoro-FastAPI, 50 ms + audio at 40x): command -> audio playing p50 ${playing.p50.toFixed(1)} ms, p95 ${playing.p95.toFixed(1)} ms; server first byte p50 ${firstByte.p50.toFixed(1)} ms (n=${playing.count})`,
    );
    assert.equal(playing.count, 10);
  });
});
