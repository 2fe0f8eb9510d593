// Start-up: the extension activates and warms the server before the user does anything.

import * as assert from 'node:assert/strict';
import type { KokoroApi } from '../../src/extension';
import * as driver from './driver';
import { activateExtension, waitUntil } from './helpers';

interface RecordedRequest {
  method: string;
  path: string;
  body?: { input?: string };
}

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

});
