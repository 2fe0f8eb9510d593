// VS Code starts while the Kokoro server is down (the runner stops the stand-in before
// starting code-server): the status bar says so without a pop-up, the first Read gets one
// actionable message, and when the server comes back the extension re-warms it by itself.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../../src/extension';
import * as driver from '../driver';
import { activateExtension, nextReading, openSample, sleep, speechRequests, waitUntil } from '../helpers';

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

  it('the first Read gets one message with its actions; pressing Read again adds none', async () => {
    const editor = await openSample('down.txt', 'The build is green again.\n');
    editor.selection = new vscode.Selection(0, 0, 0, 25);
    for (let press = 0; press < 3; press++) {
      const reading = nextReading(api);
      await vscode.commands.executeCommand('kokoro.readSelection');
      const result = await reading;
      assert.equal(result.outcome, 'failed');
      assert.equal(result.error?.kind, 'unreachable');
    }
    await vscode.commands.executeCommand('notifications.showList');
    await waitUntil(async () => (await driver.notifications()).some((m) => DOWN_MESSAGE.test(m)), 10_000, 'the error message');
    await sleep(500);
    assert.equal((await driver.notifications()).filter((m) => DOWN_MESSAGE.test(m)).length, 1, 'one message, not a storm');
    const item = (await driver.text('.notifications-center .notification-list-item')) ?? '';
    assert.match(item, /Retry/);
    assert.match(item, /Open Settings/);
  });

  it('when the server comes back, warms it up by itself, and reading works with no reload', async () => {
    await driver.standinReset();
    await driver.standinUp();
    // Recovery polls the server's health (every 1 s at first, backing off to 10 s): no user action.
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready again');
    const warmUp = await speechRequests();
    assert.equal(warmUp[0]?.body?.input, 'Ready.', 'a re-warm-up synthesis was sent');
    await waitUntil(() => driver.exists('[aria-label^="Kokoro: server ready"]'), 10_000, 'the status bar to say ready');

    await driver.standinReset();
    const reading = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readSelection');
    assert.equal((await reading).outcome, 'completed');
    assert.deepEqual(
      (await speechRequests()).map((r) => r.body?.input),
      ['The build is green again.'],
    );
  });
});
