import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { playerHtml } from '../../src/player/html';
import { type FromPlayer, parseFromPlayer } from '../../src/player/messages';
import { displayUrl, isLoopbackHost, sendsPlainTextOffMachine } from '../../src/kokoro/serverUrl';
import { type PageResources, newNonce, pageCsp, summaryTable, waterfallChart, webviewPage } from '../../src/webview/page';

describe('trust boundaries', () => {
  it('accepts only well-formed messages from the player webview', () => {
    assert.deepEqual(parseFromPlayer({ type: 'ended', readingId: 3, samplesPlayed: 10, stopped: false, glitches: 0 }), {
      type: 'ended',
      readingId: 3,
      samplesPlayed: 10,
      stopped: false,
      glitches: 0,
    });
    assert.deepEqual(parseFromPlayer({ type: 'userAction', action: 'setSpeed', speed: 2 }), {
      type: 'userAction',
      action: 'setSpeed',
      speed: 2,
    });
    const bad: unknown[] = [
      null,
      'ready',
      42,
      {},
      { type: 'eval', code: 'process.exit()' },
      { type: 'ended', readingId: '3', samplesPlayed: 1, stopped: false },
      { type: 'started', readingId: 1, receivedAt: NaN, scheduledAt: 0, audibleAt: 0, outputLatencyMs: 0 },
      { type: 'userAction', action: 'runCommand' },
      { type: 'userAction', action: 'setSpeed' },
      { type: 'log', level: 'fatal', message: 'x' },
      { type: 'ready' },
      { type: 'ready', startup: {} },
    ];
    for (const message of bad) assert.equal(parseFromPlayer(message), undefined, JSON.stringify(message));
    const log = parseFromPlayer({ type: 'log', level: 'info', message: 'x'.repeat(10_000) });
    assert.equal(log?.type === 'log' && log.message.length, 2000, 'long log messages are cut');
  });

  it('validates every field of every message from the webview, so NaN or a negative count never reaches back-pressure', () => {
    // One well-formed example of every message type (the Record makes a new type need one here).
    const valid: Record<FromPlayer['type'], FromPlayer[]> = {
      ready: [
        {
          type: 'ready',
          startup: { navigationAt: 1e12, scriptAt: 1e12 + 80, contextAt: 1e12 + 81, readyAt: 1e12 + 82 },
        },
      ],
      needsGesture: [{ type: 'needsGesture' }],
      audioUnlocked: [{ type: 'audioUnlocked' }],
      started: [
        {
          type: 'started',
          readingId: 4,
          receivedAt: 1_733_000_000_000.5,
          scheduledAt: 1_733_000_000_001.5,
          audibleAt: 1_733_000_000_014,
          outputLatencyMs: 12.5,
        },
      ],
      pong: [{ type: 'pong', id: 3, at: 1_733_000_000_000.25 }],
      heard: [
        { type: 'heard', readingId: 4, segment: 0 },
        { type: 'heard', readingId: 4, segment: 2, word: 5 },
      ],
      voices: [{ type: 'voices', count: 0 }],
      spoke: [
        { type: 'spoke', readingId: 4, utterance: 0 },
        { type: 'spoke', readingId: 4, utterance: 1, error: 'not-allowed' },
      ],
      underrun: [{ type: 'underrun', readingId: 4 }],
      ended: [{ type: 'ended', readingId: 4, samplesPlayed: 48_000, stopped: true, glitches: 2 }],
      progress: [
        { type: 'progress', readingId: 4, samplesPlayed: 24_000, samplesQueued: 48_000 },
        { type: 'progress', readingId: 0, samplesPlayed: 0, samplesQueued: 0 },
      ],
      userAction: [
        { type: 'userAction', action: 'stop' },
        { type: 'userAction', action: 'togglePause' },
        { type: 'userAction', action: 'setSpeed', speed: 1.25 },
        { type: 'userAction', action: 'previousSentence' },
        { type: 'userAction', action: 'repeatSentence' },
        { type: 'userAction', action: 'nextSentence' },
        { type: 'userAction', action: 'readFromCursor' },
      ],
      log: [{ type: 'log', level: 'warn', message: 'underrun' }],
    };
    const wrong: Record<string, unknown[]> = {
      number: [NaN, Infinity, -Infinity, -1, '1', null, undefined, true, {}],
      boolean: ['true', 1, 0, null, undefined],
      string: [1, null, undefined, {}, ['info']],
      object: [null, undefined, 1, 'x', {}],
    };
    // Fields a message may leave out: absent (undefined) is valid for them, any other wrong value is not.
    const optional = new Set(['heard.word', 'spoke.error']);
    for (const message of Object.values(valid).flat()) {
      assert.deepEqual(parseFromPlayer({ ...message, injected: 'x' }), message, 'well-formed, and nothing extra passes');
      for (const [field, value] of Object.entries(message)) {
        const mayLack = optional.has(`${message.type}.${field}`);
        for (const bad of wrong[typeof value]) {
          if (mayLack && bad === undefined) continue;
          assert.equal(parseFromPlayer({ ...message, [field]: bad }), undefined, `${message.type}.${field} = ${String(bad)}`);
        }
        const { [field]: _, ...without } = message as unknown as Record<string, unknown>;
        if (!mayLack) assert.equal(parseFromPlayer(without), undefined, `${message.type} without ${field}`);
      }
    }
    const startup = { navigationAt: 1e12, scriptAt: 1e12 + 80, contextAt: 1e12 + 81, readyAt: 1e12 + 82 };
    for (const field of Object.keys(startup))
      for (const bad of wrong.number)
        assert.equal(parseFromPlayer({ type: 'ready', startup: { ...startup, [field]: bad } }), undefined, `startup.${field}`);
    const progress = { type: 'progress', readingId: 4, samplesPlayed: 10, samplesQueued: 20 };
    for (const field of ['readingId', 'samplesPlayed', 'samplesQueued'])
      assert.equal(parseFromPlayer({ ...progress, [field]: 10.5 }), undefined, `a fraction of a ${field}`);
    assert.equal(parseFromPlayer({ ...progress, samplesPlayed: 30 }), undefined, 'more played than queued');
    for (const speed of [0, 0.2, 4.5, -1])
      assert.equal(parseFromPlayer({ type: 'userAction', action: 'setSpeed', speed }), undefined, `speed ${speed}`);
    for (const level of ['fatal', 'log', 'INFO']) assert.equal(parseFromPlayer({ type: 'log', level, message: 'x' }), undefined, level);
  });

  it('knows when text would go unencrypted to another machine', () => {
    for (const url of [
      'http://localhost:8880',
      'http://127.0.0.1:8880',
      'http://127.1.2.3',
      'http://[::1]:8880',
      'https://gpu-box:8880',
      'http://kokoro.localhost',
    ]) {
      assert.equal(sendsPlainTextOffMachine(url), false, url);
    }
    for (const url of ['http://gpu-box:8880', 'http://192.168.1.20:8880', 'http://10.0.0.5'])
      assert.equal(sendsPlainTextOffMachine(url), true, url);
    assert.equal(sendsPlainTextOffMachine('not a url'), false);
    assert.equal(isLoopbackHost('LOCALHOST'), true);
  });

  it('never shows credentials of a URL', () => {
    assert.equal(displayUrl('http://user:secret@gpu-box:8880/api'), 'http://gpu-box:8880/api');
  });

  /** The page's CSP is the helper's, and nothing in the page can run or style without the nonce. */
  function assertSafePage(html: string, resources: PageResources): void {
    const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/g)];
    assert.equal(metas.length, 1, 'one CSP');
    const csp = metas[0][1];
    assert.equal(csp, pageCsp(resources));
    const governed = html.search(/<(script|style|link)\b/);
    assert.ok(governed === -1 || html.indexOf(metas[0][0]) < governed, 'the CSP comes before anything it governs');
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), [`'nonce-${resources.nonce}'`]);
    for (const [name, values] of directives) {
      for (const value of values) assert.ok(!/unsafe|\*|^https?:$|^data:$|^blob:$/.test(value), `${name} ${value}`);
      if (name !== 'default-src')
        assert.ok(
          values.every((v) => v === resources.cspSource || v === `'nonce-${resources.nonce}'`),
          `${name}: only the webview's own resources and the nonce`,
        );
    }
    for (const [tag, attributes] of html.matchAll(/<(?:script|style)\b([^>]*)>/g))
      assert.ok(attributes.includes(`nonce="${resources.nonce}"`), `${tag} carries the nonce`);
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handlers');
    assert.ok(!/javascript:/i.test(html), 'no javascript: URLs');
  }

  const resources: PageResources = { nonce: 'n0nce+/=', cspSource: 'https://file+.vscode-resource.vscode-cdn.net' };

  it('every webview page is built by one helper: its own resources and nonce-carrying scripts and styles only, no network, no eval', () => {
    const html = webviewPage({
      ...resources,
      title: 'Stats <&>',
      body: '<p>hello</p>',
      styleUri: `${resources.cspSource}/media/page.css`,
      scriptUri: `${resources.cspSource}/dist/page.js`,
      style: 'body{color:red}',
      script: 'console.log(1)',
    });
    assertSafePage(html, resources);
    assert.equal([...html.matchAll(/<script\b/g)].length, 2);
    assert.equal([...html.matchAll(/<style\b/g)].length, 1);
    assert.match(html, /<title>Stats &lt;&amp;&gt;<\/title>/);
    const bare = webviewPage({ ...resources, title: 'Benchmark', body: '<p>x</p>' });
    assertSafePage(bare, resources);
    assert.ok(!/<script|<style|<link/.test(bare), 'nothing a page does not ask for');
    assert.notEqual(newNonce(), newNonce());
    assert.ok(Buffer.from(newNonce(), 'base64').length >= 16, 'a nonce has 128 random bits');
  });

  it('the player page: only its bundled script and its stylesheet', () => {
    const html = playerHtml({
      ...resources,
      scriptUri: `${resources.cspSource}/ext/dist/player.js`,
      styleUri: `${resources.cspSource}/ext/media/player.css`,
    });
    assertSafePage(html, resources);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/player\.js"/);
    assert.equal(scripts[0][2], '', 'no inline script');
    assert.ok(!/<style\b/.test(html), 'no inline style');
  });

  it('the player page carries its translations as data, escaped: no script of their own', () => {
    const l10nBundle = { Pause: '"></main><script>alert(1)</script>', Stop: "l'arrêt & <fin>" };
    const html = playerHtml({
      ...resources,
      scriptUri: `${resources.cspSource}/ext/dist/player.js`,
      styleUri: `${resources.cspSource}/ext/media/player.css`,
      l10nBundle,
    });
    assertSafePage(html, resources);
    assert.equal([...html.matchAll(/<script\b/g)].length, 1, 'only the bundled script');
    const attribute = /<main [^>]*data-l10n="([^"]*)"/.exec(html)?.[1] ?? '';
    const unescaped = attribute.replace(
      /&(amp|lt|gt|quot|#39);/g,
      (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!,
    );
    assert.deepEqual(JSON.parse(unescaped), l10nBundle);
    assert.ok(!/data-l10n/.test(playerHtml({ ...resources, scriptUri: 'a', styleUri: 'b' })), 'English: no bundle to carry');
  });

  it('the player, the stats view and the benchmark results all use the page helper, and nothing else writes a page', () => {
    const src = path.join(__dirname, '..', '..', '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.split(path.sep).join('/'));
    const pageWriters = files.filter((f) => /\.html\s*=/.test(readFileSync(path.join(src, f), 'utf8')));
    assert.deepEqual(pageWriters.sort(), ['commands/runBenchmark.ts', 'player/playerView.ts', 'stats/statsView.ts']);
    for (const file of pageWriters) {
      const text = readFileSync(path.join(src, file), 'utf8');
      for (const [, value] of text.matchAll(/\.html\s*=\s*([\w.]+)\(/g))
        assert.ok(['webviewPage', 'this.html'].includes(value), `${file}: html = ${value}(…)`);
      assert.equal(
        [...text.matchAll(/\.html\s*=/g)].length,
        [...text.matchAll(/\.html\s*=\s*(webviewPage|this\.html)\(/g)].length,
        `${file}: every page comes from the helper`,
      );
    }
    assert.match(readFileSync(path.join(src, 'player/playerView.ts'), 'utf8'), /private html\([^)]*\): string \{\s*return playerHtml\(/);
    assert.match(readFileSync(path.join(src, 'player/html.ts'), 'utf8'), /return webviewPage\(/);
    for (const file of files.filter((f) => f !== 'webview/page.ts')) {
      assert.ok(
        !/Content-Security-Policy|<script|<style|<meta|<!DOCTYPE/i.test(readFileSync(path.join(src, file), 'utf8')),
        `${file} builds no page head of its own`,
      );
    }
  });

  it('latency tables escape their names and show a dash for no samples', () => {
    const empty = { count: 0, min: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
    const table = summaryTable([
      ['A <b> & "c"', { count: 2, min: 1, p50: 1.25, p95: 2, p99: 2, max: 2, mean: 1.5 }],
      ['Empty', empty],
    ]);
    assert.match(table, /<th scope="row">A &lt;b&gt; &amp; &quot;c&quot;<\/th><td>1\.0<\/td><td>1\.3<\/td>/);
    assert.match(table, /<th scope="row">Empty<\/th>(<td>–<\/td>){5}<td>0<\/td>/);
  });

  it('the waterfall chart stacks the stages in order, to scale, escaped, with no inline style (the page CSP refuses those)', () => {
    const chart = waterfallChart(
      [
        { name: 'server <b>', span: 'sent → headers', p50: 20, p95: 30 },
        { name: 'output', span: 'scheduled → audible', p50: 10, p95: NaN },
      ],
      { p50: 'p50', p95: 'p95', chart: 'Where "the" time goes' },
    );
    assert.doesNotMatch(chart, /style=|<script|<b>/);
    assert.match(chart, /aria-label="Where &quot;the&quot; time goes"/);
    assert.match(chart, /server &lt;b&gt; 20/);
    const widths = [...chart.matchAll(/<rect class="stage\d" x="[\d.]+" y="\d+" width="([\d.]+)" height="20"/g)].map((m) => Number(m[1]));
    // The p50 bar: 20 and 10 ms; the p95 bar: 30 ms and nothing for the stage without a p95.
    assert.equal(widths.length, 4);
    assert.ok(Math.abs(widths[0] / widths[1] - 2) < 0.01, `p50 segments to scale: ${widths}`);
    assert.ok(Math.abs(widths[2] / widths[0] - 1.5) < 0.01 && widths[3] === 0, `p95 segments to scale: ${widths}`);
    assert.match(chart, /<title>server &lt;b&gt;: 20 ms \(sent → headers\)<\/title>/);
  });
});
