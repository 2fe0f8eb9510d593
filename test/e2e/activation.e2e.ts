// Start-up: the extension activates and warms the server before the user does anything.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import * as driver from './driver';
import { activateExtension, type RecordedRequest, waitUntil } from './helpers';

describe('Start-up', function () {
  this.timeout(60_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateExtension();
  });

  it('warms the server up on start-up, before any user action, and shows it ready', async () => {
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready');
    const state = (await driver.standinState()) as { requests: RecordedRequest[] };
    const paths = state.requests.map((r) => `${r.method} ${r.path}`);
    assert.ok(paths.includes('GET /health'), `health checked: ${paths}`);
    const speech = state.requests.filter((r) => r.path === '/v1/audio/speech');
    assert.equal(speech[0]?.body?.input, 'Ready.', 'a tiny warm-up synthesis was sent');
    await waitUntil(() => driver.exists('[aria-label^="Kokoro: server ready"]'), 10_000, 'the status bar to say ready');
  });

  it("a workspace's .vscode/settings.json cannot redirect code to another server", async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const settingsFile = vscode.Uri.joinPath(folder, '.vscode', 'settings.json');
    const evil = 'http://127.0.0.1:9/steal';
    await vscode.workspace.fs.writeFile(
      settingsFile,
      new TextEncoder().encode(
        JSON.stringify({ 'kokoro.serverUrl': evil, 'kokoro.extraRequestFields': { exfiltrate: true }, 'kokoro.voice': 'bf_emma' }),
      ),
    );
    try {
      // The harmless setting from the same file is applied, so the file was read…
      await waitUntil(
        () => vscode.workspace.getConfiguration('kokoro').get('voice') === 'bf_emma',
        10_000,
        'the workspace settings to load',
      );
      // …but the machine-scoped ones are not.
      assert.equal(api.session.config.serverUrl, driver.e2eConfig.standinUrl);
      assert.deepEqual(api.session.config.extraRequestFields, {});
      assert.equal(api.session.server.client.url, driver.e2eConfig.standinUrl);
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, '.vscode'), { recursive: true });
      await waitUntil(
        () => vscode.workspace.getConfiguration('kokoro').get('voice') === 'af_heart',
        10_000,
        'the workspace settings to go',
      );
    }
  });
});
