// VS Code starts with a kokoro.serverUrl that cannot be used (the runner sets ftp://… in the
// Machine settings): the extension still activates, every command answers, the status bar
// says what is wrong, one message offers Open Settings and lands where the setting can be
// changed (the Remote tab: code-server is a remote window), and fixing the value live recovers.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../../src/extension';
import * as driver from '../driver';
import { EXTENSION_ID, activateExtension, nextReading, openSample, speechRequests, waitUntil } from '../helpers';

const BAD_URL_MESSAGE = /kokoro\.serverUrl "ftp:\/\/127\.0\.0\.1:\d+" cannot be used: ftp: is not supported/;

async function kokoroNotifications(): Promise<string[]> {
  await vscode.commands.executeCommand('notifications.showList');
  return (await driver.notifications()).filter((m) => /Kokoro|kokoro\./.test(m));
}

describe('Unusable server URL at start-up', function () {
  this.timeout(90_000);
  let api: KokoroApi;
  const port = new URL(driver.e2eConfig.standinUrl).port;

  before(async () => {
    api = await activateExtension();
  });

  after(() => vscode.workspace.getConfiguration('kokoro').update('serverUrl', undefined, vscode.ConfigurationTarget.Global));

  it('activates anyway: every command is registered and answers, the status bar says what is wrong, one message offers Open Settings', async () => {
    assert.equal(api.session.server.state, 'misconfigured');
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    assert.deepEqual(
      contributed.filter((c) => !registered.has(c.command)),
      [],
      'every contributed command is registered',
    );
    await waitUntil(() => driver.exists('[aria-label^="Kokoro: kokoro.serverUrl \\"ftp:"]'), 10_000, 'the status bar to say what is wrong');
    assert.match(api.session.statusText, /invalid server URL/);

    await waitUntil(async () => (await kokoroNotifications()).some((m) => BAD_URL_MESSAGE.test(m)), 10_000, 'the message');
    // Reading answers with the same error, and adds no second message.
    const editor = await openSample('bad-url.txt', 'Nothing can be read yet.\n');
    editor.selection = new vscode.Selection(0, 0, 0, 24);
    const reading = nextReading(api);
    void vscode.commands.executeCommand('kokoro.readSelection');
    const result = await reading;
    assert.equal(result.outcome, 'failed');
    assert.equal(result.error?.kind, 'badUrl');
    const messages = await kokoroNotifications();
    assert.equal(messages.length, 1, `one message: ${JSON.stringify(messages)}`);
    assert.match(messages[0], /kokoro\.serverUrl is in the Remote tab of the Settings editor/, 'the message names the place');
    const item = (await driver.text('.notifications-center .notification-list-item:has-text("cannot be used")')) ?? '';
    assert.match(item, /Open Settings/);
    assert.deepEqual(await speechRequests(), [], 'nothing was sent');
  });

  it('Open Settings lands on the Remote settings, where kokoro.serverUrl is shown (not "No Settings Found")', async () => {
    await driver.notificationAction('cannot be used', 'Open Settings');
    await waitUntil(
      async () => /Server Url/.test((await driver.text('.settings-editor .settings-tree-container')) ?? ''),
      15_000,
      'the setting in the Settings editor',
    );
    const tab = (await driver.text('.settings-editor .settings-tabs-widget .action-label[aria-selected="true"]')) ?? '';
    assert.match(tab, /Remote/, `the Remote tab is selected: "${tab}"`);
    const shown = (await driver.text('.settings-editor .settings-tree-container')) ?? '';
    assert.match(shown, /Kokoro: Server Url/);
    assert.match(shown, /Base URL of the Kokoro TTS server/);
    assert.ok(!(await driver.exists('.settings-editor .no-results-message:not(:empty):visible')), 'no "No Settings Found"');
    await driver.screenshot('bad-server-url-open-settings');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('fixed live, typed as host:port with the /v1 an OpenAI client takes, it recovers without a reload; broken live again, it says so once more', async () => {
    const machineSettings = path.join(path.dirname(driver.e2eConfig.workspace), 'user-data', 'Machine', 'settings.json');
    await vscode.workspace.getConfiguration('kokoro').update('serverUrl', ` localhost:${port}/v1/ `, vscode.ConfigurationTarget.Global);
    await waitUntil(() => api.session.config.serverUrl === `http://localhost:${port}`, 10_000, 'the new URL to be read');
    assert.match(
      readFileSync(machineSettings, 'utf8'),
      new RegExp(`localhost:${port}/v1/`),
      'VS Code wrote it to the Remote (Machine) settings',
    );
    await waitUntil(() => api.session.server.state === 'ready', 20_000, 'the server to be ready');
    await waitUntil(() => driver.exists('[aria-label^="Kokoro: server ready"]'), 10_000, 'the status bar to say ready');

    const editor = await openSample('bad-url.txt');
    editor.selection = new vscode.Selection(0, 0, 0, 24);
    await driver.standinReset();
    const reading = nextReading(api);
    void vscode.commands.executeCommand('kokoro.readSelection');
    assert.equal((await reading).outcome, 'completed');
    assert.deepEqual(
      (await speechRequests()).map((r) => r.body?.input),
      ['Nothing can be read yet.'],
    );

    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.workspace.getConfiguration('kokoro').update('serverUrl', 'http://', vscode.ConfigurationTarget.Global);
    await waitUntil(() => api.session.server.state === 'misconfigured', 10_000, 'the URL to be refused');
    await waitUntil(
      () => driver.exists('[aria-label^="Kokoro: kokoro.serverUrl \\"http://\\""]'),
      10_000,
      'the status bar to say what is wrong',
    );
    await waitUntil(
      async () => (await kokoroNotifications()).some((m) => /kokoro\.serverUrl "http:\/\/" cannot be used/.test(m)),
      10_000,
      'the message',
    );
    assert.equal((await kokoroNotifications()).length, 1);

    await vscode.workspace.getConfiguration('kokoro').update('serverUrl', driver.e2eConfig.standinUrl, vscode.ConfigurationTarget.Global);
    await waitUntil(() => api.session.server.state === 'ready', 20_000, 'the server to be ready again');
  });
});
