import * as assert from 'node:assert/strict';
import { playerCsp, playerHtml } from '../../src/player/html';
import { FromPlayer, parseFromPlayer } from '../../src/player/messages';
import { displayUrl, isLoopbackHost, sendsPlainTextOffMachine } from '../../src/kokoro/serverUrl';

describe('trust boundaries', () => {
  it('accepts only well-formed messages from the player webview', () => {
    assert.deepEqual(parseFromPlayer({ type: 'ended', readingId: 3, samplesPlayed: 10, stopped: false }), { type: 'ended', readingId: 3, samplesPlayed: 10, stopped: false });
    assert.deepEqual(parseFromPlayer({ type: 'userAction', action: 'setSpeed', speed: 2 }), { type: 'userAction', action: 'setSpeed', speed: 2 });
    const bad: unknown[] = [
      null, 'ready', 42, {}, { type: 'eval', code: 'process.exit()' }, { type: 'ended', readingId: '3', samplesPlayed: 1, stopped: false },
      { type: 'started', readingId: 1, at: NaN, outputLatencyMs: 0 }, { type: 'userAction', action: 'runCommand' }, { type: 'userAction', action: 'setSpeed' },
      { type: 'log', level: 'fatal', message: 'x' }, { type: 'ready' },
    ];
    for (const message of bad) assert.equal(parseFromPlayer(message), undefined, JSON.stringify(message));
    const log = parseFromPlayer({ type: 'log', level: 'info', message: 'x'.repeat(10_000) });
    assert.equal(log?.type === 'log' && log.message.length, 2000, 'long log messages are cut');
  });

  it('validates every field of every message from the webview, so NaN or a negative count never reaches back-pressure', () => {
    // One well-formed example of every message type (the Record makes a new type need one here).
    const valid: Record<FromPlayer['type'], FromPlayer[]> = {
      ready: [{ type: 'ready', audioUnlocked: true }],
      needsGesture: [{ type: 'needsGesture' }],
      audioUnlocked: [{ type: 'audioUnlocked' }],
      started: [{ type: 'started', readingId: 4, at: 1_733_000_000_000.5, outputLatencyMs: 12.5 }],
      underrun: [{ type: 'underrun', readingId: 4 }],
      ended: [{ type: 'ended', readingId: 4, samplesPlayed: 48_000, stopped: true }],
      progress: [{ type: 'progress', readingId: 4, samplesPlayed: 24_000, samplesQueued: 48_000 }, { type: 'progress', readingId: 0, samplesPlayed: 0, samplesQueued: 0 }],
      userAction: [{ type: 'userAction', action: 'stop' }, { type: 'userAction', action: 'togglePause' }, { type: 'userAction', action: 'setSpeed', speed: 1.25 }],
      log: [{ type: 'log', level: 'warn', message: 'underrun' }],
    };
    const wrong: Record<string, unknown[]> = {
      number: [NaN, Infinity, -Infinity, -1, '1', null, undefined, true, {}],
      boolean: ['true', 1, 0, null, undefined],
      string: [1, null, undefined, {}, ['info']],
    };
    for (const message of Object.values(valid).flat()) {
      assert.deepEqual(parseFromPlayer({ ...message, injected: 'x' }), message, 'well-formed, and nothing extra passes');
      for (const [field, value] of Object.entries(message)) {
        for (const bad of wrong[typeof value]) {
          assert.equal(parseFromPlayer({ ...message, [field]: bad }), undefined, `${message.type}.${field} = ${String(bad)}`);
        }
        const { [field]: _, ...without } = message as unknown as Record<string, unknown>;
        assert.equal(parseFromPlayer(without), undefined, `${message.type} without ${field}`);
      }
    }
    const progress = { type: 'progress', readingId: 4, samplesPlayed: 10, samplesQueued: 20 };
    for (const field of ['readingId', 'samplesPlayed', 'samplesQueued']) assert.equal(parseFromPlayer({ ...progress, [field]: 10.5 }), undefined, `a fraction of a ${field}`);
    assert.equal(parseFromPlayer({ ...progress, samplesPlayed: 30 }), undefined, 'more played than queued');
    for (const speed of [0, 0.2, 4.5, -1]) assert.equal(parseFromPlayer({ type: 'userAction', action: 'setSpeed', speed }), undefined, `speed ${speed}`);
    for (const level of ['fatal', 'log', 'INFO']) assert.equal(parseFromPlayer({ type: 'log', level, message: 'x' }), undefined, level);
  });

  it('knows when text would go unencrypted to another machine', () => {
    for (const url of ['http://localhost:8880', 'http://127.0.0.1:8880', 'http://127.1.2.3', 'http://[::1]:8880', 'https://gpu-box:8880', 'http://kokoro.localhost']) {
      assert.equal(sendsPlainTextOffMachine(url), false, url);
    }
    for (const url of ['http://gpu-box:8880', 'http://192.168.1.20:8880', 'http://10.0.0.5']) assert.equal(sendsPlainTextOffMachine(url), true, url);
    assert.equal(sendsPlainTextOffMachine('not a url'), false);
    assert.equal(isLoopbackHost('LOCALHOST'), true);
  });

  it('never shows credentials of a URL', () => {
    assert.equal(displayUrl('http://user:secret@gpu-box:8880/api'), 'http://gpu-box:8880/api');
  });

  it('the player page allows only its own nonce-carrying script and its own style: no network, no inline code, no eval', () => {
    const resources = { nonce: 'n0nce+/=', cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/player.js', styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/player.css' };
    const html = playerHtml(resources);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.equal(csp, playerCsp(resources));
    const directives = new Map(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'nonce-n0nce+/='"]);
    for (const [name, values] of directives) {
      for (const value of values) assert.ok(!/unsafe|^\*$|^https?:$|^data:$/.test(value), `${name} ${value}`);
      if (name !== 'default-src' && name !== 'script-src') assert.deepEqual(values, [resources.cspSource], name);
    }
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], /nonce="n0nce\+\/="/);
    assert.equal(scripts[0][2], '', 'no inline script');
    assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
  });
});
