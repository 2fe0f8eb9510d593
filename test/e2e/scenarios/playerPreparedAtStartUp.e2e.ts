// VS Code starts with kokoro.preparePlayerOnStartup: the player is ready before the first
// reading, which then does not wait for VS Code to create it.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../../src/extension';
import { activateExtension, isStarted, nextReport, openSample, waitUntil } from '../helpers';

describe('Player prepared at start-up', function () {
  this.timeout(60_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateExtension();
  });

  it('creates the player at start-up, so the first reading does not wait for it', async () => {
    const activatedAt = performance.now();
    await waitUntil(() => api.session.player.isReady, 20_000, 'the player to be created at start-up');
    console.log(`E2E PLAYER PREPARED ${(performance.now() - activatedAt).toFixed(0)} ms after activation`);
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready');
    const editor = await openSample('first.txt', 'First words after start-up.\n');
    editor.selection = new vscode.Selection(0, 0, 0, 27);
    assert.equal(api.session.player.isReady, true, 'the player was ready before the first reading');
    const started = nextReport(api, isStarted, 20_000);
    const commandAt = performance.now();
    void vscode.commands.executeCommand('kokoro.readSelection');
    await started;
    const firstMs = performance.now() - commandAt;
    console.log(`E2E FIRST READING with kokoro.preparePlayerOnStartup: command → audio playing ${firstMs.toFixed(0)} ms`);
  });
});
