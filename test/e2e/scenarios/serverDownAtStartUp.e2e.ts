// VS Code starts while the Kokoro server is down (the runner stops the stand-in before
// starting code-server): the status bar says so without a pop-up, Read is heard in the fallback
// voice (espeak-ng here) with one actionable message, and when the server comes back the
// extension re-warms it by itself and Kokoro reads again.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../../src/extension';
import * as driver from '../driver';
import {
  activateExtension,
  extensionLog,
  isEnded,
  isStarted,
  nextReading,
  nextReport,
  openSample,
  sleep,
  speechRequests,
  waitUntil,
} from '../helpers';

const DOWN_MESSAGE = /No Kokoro server is answering/;

describe('Server down at start-up', function () {
  this.timeout(90_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateExtension();
  });

  after(() => driver.standinUp());

  it('shows the server unreachable in the status bar, with no pop-up before the user asks for anything', async () => {
    await waitUntil(() => api.session.server.state === 'unreachable', 15_000, 'the warm-up to find the server down');
    await waitUntil(() => driver.exists('[aria-label^="Kokoro: server unreachable"]'), 10_000, 'the status bar to say unreachable');
    await vscode.commands.executeCommand('notifications.showList');
    assert.deepEqual(
      (await driver.notifications()).filter((m) => /Kokoro/.test(m)),
      [],
    );
  });

  it('Read is heard in the fallback voice, marked in the player and the status bar; one message with its actions, however often', async () => {
    const editor = await openSample('down.txt', 'The build is green again.\n');
    editor.selection = new vscode.Selection(0, 0, 0, 25);
    for (let press = 0; press < 3; press++) {
      const reading = nextReading(api);
      const started = nextReport(api, isStarted);
      const ended = nextReport(api, isEnded);
      await vscode.commands.executeCommand('kokoro.readSelection');
      const result = await reading;
      assert.equal(result.outcome, 'completed', 'read by the fallback voice');
      assert.ok(result.samples > 0, 'with audio');
      await started;
      if (press === 0) {
        assert.match(await driver.webviewText(), /Fallback voice \(espeak-ng\): the Kokoro server is not answering\./);
        assert.match(api.session.statusText, /fallback voice/);
        await driver.screenshot('fallback-voice');
      }
      assert.equal((await ended).stopped, false, 'played to its end');
    }
    assert.deepEqual(await speechRequests(), [], 'nothing reached the server, which is down');
    await waitUntil(
      async () => {
        await driver.hover('.part.editor');
        await driver.hover('[aria-label^="Kokoro: server unreachable"]');
        await sleep(500);
        return driver.exists('text=/espeak-ng\\s\\(.*\\)\\sreads\\sinstead/'); // the tooltip's spaces are no-break spaces
      },
      30_000,
      'the tooltip to name the fallback voice',
    );
    await driver.hover('.part.editor');
    await vscode.commands.executeCommand('notifications.showList');
    await waitUntil(async () => (await driver.notifications()).some((m) => DOWN_MESSAGE.test(m)), 10_000, 'the error message');
    await sleep(500);
    assert.equal((await driver.notifications()).filter((m) => DOWN_MESSAGE.test(m)).length, 1, 'one message, not a storm');
    const item = (await driver.text('.notifications-center .notification-list-item')) ?? '';
    assert.match(item, /Open Settings/);
    assert.doesNotMatch(item, /Retry/, 'no Retry while the fallback voice reads: the reading was heard');
  });

  it('a problem announced while the server is down is heard in the fallback voice too', async () => {
    const config = vscode.workspace.getConfiguration('kokoro');
    await config.update('announceDelayMs', 300, vscode.ConfigurationTarget.Global);
    await config.update('announceDiagnostics', 'cursor', vscode.ConfigurationTarget.Global);
    const collection = vscode.languages.createDiagnosticCollection('kokoro-fallback-e2e');
    try {
      const editor = await openSample('announce.txt', 'first line\nthe lyne with a problem\n');
      collection.set(editor.document.uri, [
        new vscode.Diagnostic(new vscode.Range(1, 4, 1, 8), 'Unknown word: lyne.', vscode.DiagnosticSeverity.Error),
      ]);
      await driver.focusEditor();
      await waitUntil(() => editor.selection.active.line === 0, 5_000, 'the cursor on the first line');
      const reading = nextReading(api, 20_000);
      await driver.press('ArrowDown'); // the cursor comes to rest on the problem
      const result = await reading;
      assert.equal(result.outcome, 'completed', 'the announcement was heard');
      assert.ok(result.samples > 0);
      assert.deepEqual(await speechRequests(), [], 'the server is down: nothing reached it');
      assert.match(await extensionLog(api), new RegExp(`Reading ${result.id} in the fallback voice completed`));
    } finally {
      collection.dispose();
      await config.update('announceDiagnostics', undefined, vscode.ConfigurationTarget.Global);
      await config.update('announceDelayMs', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('when the server comes back, warms it up by itself, and reading works with no reload', async () => {
    await driver.standinReset();
    await driver.standinUp();
    // Recovery polls the server's health (every 1 s at first, backing off to 10 s): no user action.
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready again');
    const warmUp = await speechRequests();
    assert.equal(warmUp[0]?.body?.input, 'Ready.', 'a re-warm-up synthesis was sent');
    await waitUntil(() => driver.exists('[aria-label^="Kokoro: server ready"]'), 10_000, 'the status bar to say ready');

    const editor = await openSample('down.txt', 'The build is green again.\n');
    editor.selection = new vscode.Selection(0, 0, 0, 25);
    await driver.standinReset();
    const reading = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readSelection');
    assert.equal((await reading).outcome, 'completed');
    assert.deepEqual(
      (await speechRequests()).map((r) => r.body?.input),
      ['The build is green again.'],
      'Kokoro reads again',
    );
    assert.doesNotMatch(await driver.webviewText(), /Fallback voice/);
  });
});
