// Settings changed while VS Code runs: a bad value is told once and falls back to its default;
// speed and voice changes go where the value is set, so a workspace value does not swallow them.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import * as driver from './driver';
import { activateExtension, nextReading, openSample, spokenInputs, waitUntil } from './helpers';

async function kokoroNotifications(): Promise<string[]> {
  await vscode.commands.executeCommand('notifications.showList');
  return (await driver.notifications()).filter((m) => /Kokoro/.test(m));
}

describe('Settings', function () {
  this.timeout(60_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateExtension();
  });

  it('a value of the wrong type (speed "1.5") falls back to the default with one message naming the setting and the value', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const config = vscode.workspace.getConfiguration('kokoro');
    try {
      await config.update('speed', '1.5', vscode.ConfigurationTarget.Global);
      await waitUntil(
        async () => (await kokoroNotifications()).some((m) => m.includes('kokoro.speed is "1.5", not a number: the default 1 is used.')),
        10_000,
        'the message',
      );
      assert.equal(api.session.config.speed, 1);
      // Another change leaves the same problem untold.
      await config.update('quietStatusBar', true, vscode.ConfigurationTarget.Global);
      await waitUntil(() => api.session.config.quietStatusBar, 5_000, 'the other change');
      assert.equal((await kokoroNotifications()).length, 1, 'told once');
      assert.equal(api.session.server.state, 'ready', 'the extension works on');
    } finally {
      await config.update('speed', undefined, vscode.ConfigurationTarget.Global);
      await config.update('quietStatusBar', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('a voice the server does not know: the status bar warns before any reading, a reading says so with Select Voice, and the voice picked there fixes it', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const config = vscode.workspace.getConfiguration('kokoro');
    const warning =
      '[aria-label^="Kokoro: the server answers, but its warm-up failed: The server does not know the voice \\"xx_nobody\\"."]';
    try {
      await config.update('voice', 'xx_nobody', vscode.ConfigurationTarget.Global);
      await waitUntil(() => driver.exists(warning), 10_000, 'the status bar to warn about the voice');
      assert.match((await driver.text(warning)) ?? '', /Kokoro/);
      assert.equal(api.session.server.state, 'ready', 'the server answers: not shown offline');

      const editor = await openSample('voice.txt', 'Which voice reads this line?\n');
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      await driver.focusEditor();
      const reading = nextReading(api);
      await driver.press('Control+Alt+S');
      assert.notEqual((await reading).outcome, 'completed');
      await waitUntil(
        async () => (await kokoroNotifications()).some((m) => m.includes('does not know the voice "xx_nobody"')),
        10_000,
        'one message naming the voice',
      );
      // Its Select Voice lists the server's voices; picking one fixes it.
      await driver.notificationAction('does not know the voice "xx_nobody"', 'Select Voice');
      await waitUntil(() => driver.exists('.quick-input-widget .quick-input-list .monaco-list-row'), 10_000, "the server's voices listed");
      await driver.typeText('af_bella');
      await driver.press('Enter');
      await waitUntil(() => api.session.config.voice === 'af_bella', 10_000, 'the picked voice to be set');
      await waitUntil(() => driver.exists('[aria-label^="Kokoro: server ready"]'), 10_000, 'the status bar to say ready again');
      assert.equal(await driver.exists(warning), false);
    } finally {
      await config.update('voice', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('Speak Faster writes the workspace setting when the workspace sets the speed (a user value would be overridden)', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const settingsFile = vscode.Uri.joinPath(folder, '.vscode', 'settings.json');
    await vscode.workspace.fs.writeFile(settingsFile, new TextEncoder().encode(JSON.stringify({ 'kokoro.speed': 1.5 })));
    try {
      await waitUntil(() => api.session.config.speed === 1.5, 10_000, 'the workspace speed to apply');
      await vscode.commands.executeCommand('kokoro.speedUp');
      await waitUntil(() => api.session.config.speed === 1.75, 10_000, 'the new speed to apply');
      const written = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(settingsFile)));
      assert.equal(written['kokoro.speed'], 1.75);
      assert.equal(vscode.workspace.getConfiguration('kokoro').inspect('speed')?.globalValue, undefined, 'the user setting is untouched');
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, '.vscode'), { recursive: true });
      await waitUntil(() => api.session.config.speed === 1, 10_000, 'the workspace settings to go');
    }
  });

  it('pronunciations set in the settings are what the server is asked to say, from the next reading on, in code too', async () => {
    const config = vscode.workspace.getConfiguration('kokoro');
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready');
    try {
      await config.update('pronunciations', { kubectl: 'cube control', NGINX: 'engine x' }, vscode.ConfigurationTarget.Global);
      await waitUntil(() => Object.keys(api.session.config.pronunciations).length === 2, 10_000, 'the setting to take effect');
      const editor = await openSample('deploy.ts', 'const out = kubectlApply(nginxConfig);\n');
      editor.selection = new vscode.Selection(0, 0, 0, 39);
      await driver.standinReset();
      const done = nextReading(api);
      await driver.press('Control+Alt+S');
      assert.equal((await done).outcome, 'completed');
      const said = (await spokenInputs()).join(' ');
      assert.match(said, /cube control apply/);
      assert.match(said, /engine x config/);
      assert.doesNotMatch(said, /kubectl|nginx/i);
    } finally {
      await config.update('pronunciations', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
