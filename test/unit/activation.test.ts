import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type ActivationHost, guardActivation } from '../../src/activation';

const root = path.join(__dirname, '..', '..', '..');
const commandIds: string[] = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).contributes.commands.map(
  (c: { command: string }) => c.command,
);

function fakeHost() {
  const logged: string[] = [];
  const shown: string[] = [];
  const handlers = new Map<string, () => unknown>();
  const host: ActivationHost = {
    log: (m) => logged.push(m),
    show: (m) => shown.push(m),
    register: (id, handler) => {
      assert.ok(!handlers.has(id), `${id} registered twice`);
      handlers.set(id, handler);
    },
  };
  return { host, logged, shown, handlers };
}

describe('activation', () => {
  it('when starting works, its result is returned and nothing is shown or registered in its place', async () => {
    const { host, logged, shown, handlers } = fakeHost();
    assert.equal(await guardActivation(async () => 'api', commandIds, host), 'api');
    assert.deepEqual([logged, shown, handlers.size], [[], [], 0]);
  });

  it('any error while starting is logged with its stack and shown once; every contributed command stays registered and answers with that error', async () => {
    const { host, logged, shown, handlers } = fakeHost();
    let logShown = 0;
    const result = await guardActivation(
      async () => {
        throw new TypeError('secrets unavailable');
      },
      commandIds,
      host,
      { 'kokoro.showLog': () => logShown++ },
    );
    assert.equal(result, undefined);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /Kokoro Read Aloud could not start: secrets unavailable\n.*TypeError/s);
    assert.deepEqual(shown, ['Kokoro Read Aloud could not start: secrets unavailable']);
    assert.deepEqual([...handlers.keys()].sort(), [...commandIds].sort());
    handlers.get('kokoro.readSelection')!();
    assert.deepEqual(
      shown,
      ['Kokoro Read Aloud could not start: secrets unavailable', 'Kokoro Read Aloud could not start: secrets unavailable'],
      'the command answers with the error',
    );
    handlers.get('kokoro.showLog')!();
    assert.equal(logShown, 1, 'Show Log still shows the log');
    assert.equal(shown.length, 2);
  });

  it('a thrown non-Error is reported too', async () => {
    const { host, shown } = fakeHost();
    await guardActivation(() => Promise.reject('boom'), ['kokoro.stop'], host);
    assert.deepEqual(shown, ['Kokoro Read Aloud could not start: boom']);
  });
});
