// `npm start`'s own logic (scripts/start-support.mjs): watching the Kokoro server it found, and
// how it starts the demo voice.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StandinServer } from '../standin/server';

interface StartSupport {
  answers(url: string, timeoutMs?: number): Promise<boolean>;
  watchServer(url: string, options: { intervalMs?: number; onGone: () => void; onBack: () => void }): () => void;
  demoServerArgs(options: { voiceSource: 'espeak' | 'tone'; verbose: boolean }): string[];
}

// An ES module from this CommonJS test: a real import(), not the require() TypeScript would make of it.
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<StartSupport>;
const load = () => importModule(pathToFileURL(path.join(__dirname, '..', '..', '..', 'scripts', 'start-support.mjs')).href);

describe('npm start', function () {
  this.timeout(20_000);

  it('says when the Kokoro server it found stops answering, and when it is back', async () => {
    const { watchServer, answers } = await load();
    const server = await StandinServer.start();
    const events: string[] = [];
    const stop = watchServer(server.url, { intervalMs: 50, onGone: () => events.push('gone'), onBack: () => events.push('back') });
    try {
      assert.equal(await answers(server.url), true);
      await server.down();
      await server.waitFor(() => events.length === 1, 5000, 'the watcher to notice');
      assert.deepEqual(events, ['gone']);
      await server.up();
      await server.waitFor(() => events.length === 2, 5000, 'the watcher to notice');
      assert.deepEqual(events, ['gone', 'back'], 'each change said once');
    } finally {
      stop();
      await server.close();
    }
  });

  it('starts the demo voice naming itself, and quiet about each request unless --verbose', async () => {
    const { demoServerArgs } = await load();
    const args = demoServerArgs({ voiceSource: 'espeak', verbose: false });
    assert.ok(args.includes('--quiet'));
    assert.equal(args[args.indexOf('--label') + 1], 'Demo voice (espeak-ng)');
    assert.ok(!demoServerArgs({ voiceSource: 'tone', verbose: true }).includes('--quiet'));
  });
});
