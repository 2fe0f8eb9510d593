// Bad input in the real VS Code: untitled documents, a 10 MB selection, binary junk,
// and an empty selection. Each reads sensibly or says why not, and the editor stays responsive.

import * as assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import type { FromPlayer } from '../../src/player/messages';
import * as driver from './driver';
import {
  activateReady,
  closeScratch,
  extensionLog,
  isStarted,
  nextReading,
  nextReport,
  notificationShows,
  showScratch,
  sleep,
  spokenInputs,
  waitUntil,
  workbenchSettled,
} from './helpers';

/** Whether VS Code has opened the document of the Output channel `name` (it does when the channel is shown). */
const outputShown = (name: string) =>
  vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'output' && decodeURIComponent(d.uri.path).endsWith(`-${name}`));

describe('Bad input', function () {
  this.timeout(90_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateReady();
  });

  afterEach(() => api.session.stop());

  it('a malformed message from the player webview is refused and logged, and never reaches the session', async () => {
    await api.session.player.reveal();
    await waitUntil(() => api.session.player.isReady, 20_000, 'the player webview to be ready');
    const reports: FromPlayer[] = [];
    // The player's own answers to the clock pings are well-formed traffic of their own, not part of this.
    const sub = api.session.player.onDidReport((m) => m.type !== 'pong' && reports.push(m));
    try {
      const marker = (n: number) => ({ type: 'log', level: 'info', message: `e2e marker ${n}` });
      await driver.playerPost(marker(1));
      await waitUntil(
        () => reports.some((m) => m.type === 'log' && m.message === 'e2e marker 1'),
        10_000,
        'a well-formed message to arrive by the same path',
      );
      const underrunsBefore = api.session.stats.underruns;
      const malformed = [
        { type: 'progress', readingId: 1, samplesPlayed: -1_000_000, samplesQueued: 10 },
        { type: 'progress', readingId: 1, samplesPlayed: '12', samplesQueued: 10 },
        { type: 'underrun', readingId: -3 },
        { type: 'userAction', action: 'setSpeed', speed: 400 },
        { type: 'runCommand', command: 'workbench.action.quit' },
      ];
      for (const message of malformed) await driver.playerPost(message);
      await driver.playerPost(marker(2));
      // Messages arrive in order: once the second marker is in, every malformed one has been handled.
      await waitUntil(() => reports.some((m) => m.type === 'log' && m.message === 'e2e marker 2'), 10_000, 'the second marker');
      assert.deepEqual(
        reports.map((m) => m.type),
        ['log', 'log'],
        'nothing malformed was reported to the session',
      );
      assert.equal(api.session.stats.underruns, underrunsBefore);
      assert.equal(vscode.workspace.getConfiguration('kokoro').get('speed'), 1);
      const logged = () => extensionLog(api);
      await waitUntil(
        async () => (await logged()).split('Ignored an invalid message from the player webview').length - 1 === malformed.length,
        10_000,
        'each malformed message to be logged',
      );
      assert.match(await logged(), /Ignored an invalid message from the player webview \(runCommand\)/);
    } finally {
      sub.dispose();
    }
  });

  it('reads from an untitled document', async () => {
    const editor = await showScratch('Notes from the meeting: ship it on Friday.');
    const doc = editor.document;
    editor.selection = new vscode.Selection(0, 0, 0, doc.lineAt(0).text.length);
    await driver.standinReset();
    const done = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readSelection');
    assert.equal((await done).outcome, 'completed');
    assert.deepEqual(await spokenInputs(), ['Notes from the meeting: ship it on Friday.']);
    await closeScratch(editor);
  });

  it('starts a 10 MB selection as fast as a line, without freezing the extension host, and stops it', async () => {
    const line = 'export const value = computeSomething(input, options); // a line of a very large generated file\n';
    // Plain text: a 10 MB TypeScript document would keep the TypeScript extension (same extension host) busy for seconds.
    const editor = await showScratch(line.repeat(Math.ceil(10_000_000 / line.length)));
    const doc = editor.document;
    editor.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
    await driver.standinReset();
    const settleMs = await workbenchSettled();
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const started = nextReport(api, isStarted, 30_000);
    const commandAt = performance.now();
    const reading = nextReading(api, 60_000);
    void vscode.commands.executeCommand('kokoro.readSelection');
    await started;
    const firstAudioMs = performance.now() - commandAt;
    lag.disable();
    api.session.stop();
    const result = await reading;
    assert.equal(result.outcome, 'stopped');
    const inputs = await spokenInputs();
    assert.ok(inputs.length >= 1 && inputs.length <= 3, `only the first requests were sent (${inputs.length})`);
    assert.match(inputs[0], /^export const value = computeSomething\(input, options\);/);
    console.log(
      `E2E 10 MB: VS Code busy with the new document for ${settleMs.toFixed(0)} ms; then command → audio playing ${firstAudioMs.toFixed(0)} ms (reading start → first audio in the extension host ${result.firstAudioMs?.toFixed(1)} ms); extension host event loop delay max ${(lag.max / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`,
    );
    await closeScratch(editor);
  });

  it('reads the words in binary junk and drops the rest', async () => {
    const junk = 'PK\u0003\u0004\u0000\u0000\u0014\u0000 header \u0000\u0000\uFFFD\uFFFD readme.txt \u0007\u0008';
    const editor = await showScratch(junk);
    editor.selection = new vscode.Selection(0, 0, 0, junk.length);
    await driver.standinReset();
    const done = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readSelection');
    assert.equal((await done).outcome, 'completed');
    const [input, ...more] = await spokenInputs();
    assert.deepEqual(more, [], 'one request');
    // eslint-disable-next-line no-control-regex -- no control character may reach the server
    assert.ok(!/[\u0000-\u0008]/.test(input), JSON.stringify(input));
    assert.match(input, /header/);
    await closeScratch(editor);
  });

  it('says there is nothing to read for an empty line, and sends nothing', async () => {
    const editor = await showScratch('first\n\nthird');
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await driver.standinReset();
    await vscode.commands.executeCommand('kokoro.readSelection');
    await notificationShows(/this line is empty/);
    assert.deepEqual(await spokenInputs(), []);
    await vscode.commands.executeCommand('notifications.clearAll');
    await closeScratch(editor);
  });

  it('in the Output panel, Read Selection reads the channel on screen, and says once why the whole of it', async () => {
    const build = vscode.window.createOutputChannel('Kokoro E2E Build');
    const other = vscode.window.createOutputChannel('Kokoro E2E Other');
    const empty = vscode.window.createOutputChannel('Kokoro E2E Empty');
    try {
      build.appendLine('Build finished with two warnings in fourteen seconds.');
      other.appendLine('Something else entirely.');
      other.show(true);
      await waitUntil(() => outputShown('Kokoro E2E Other'), 10_000, 'the other channel on screen');
      build.show(false);
      await waitUntil(() => outputShown('Kokoro E2E Build'), 10_000, 'the build channel on screen');
      await sleep(500);
      await driver.standinReset();
      let done = nextReading(api);
      await driver.press('Control+Alt+S');
      assert.equal((await done).outcome, 'completed');
      assert.deepEqual(await spokenInputs(), ['Build finished with two warnings in fourteen seconds.']);
      await vscode.commands.executeCommand('notifications.showList');
      await waitUntil(
        async () => (await driver.notifications()).some((m) => /does not let extensions see what is selected in the Output panel/.test(m)),
        10_000,
        'the explanation',
      );

      other.show(true);
      await waitUntil(() => outputShown('Kokoro E2E Other'), 10_000, 'the other channel on screen');
      await sleep(500);
      await driver.standinReset();
      done = nextReading(api);
      await driver.palette('Kokoro: Read Output Channel');
      assert.equal((await done).outcome, 'completed');
      assert.deepEqual(await spokenInputs(), ['Something else entirely.']);
      await sleep(300);
      assert.equal((await driver.notifications()).filter((m) => /does not let extensions see/.test(m)).length, 1, 'said once');

      empty.show(false);
      await waitUntil(() => outputShown('Kokoro E2E Empty'), 10_000, 'the empty channel on screen');
      await sleep(500);
      await driver.standinReset();
      await driver.press('Control+Alt+S');
      await waitUntil(
        async () => (await driver.notifications()).some((m) => /Output channel Kokoro E2E Empty is empty/.test(m)),
        10_000,
        'the empty-channel message',
      );
      assert.deepEqual(await spokenInputs(), []);
    } finally {
      build.dispose();
      other.dispose();
      empty.dispose();
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('workbench.action.closePanel');
    }
  });

  it('reads a selection in a notebook cell as code, and a Markdown cell as prose', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(
      'jupyter-notebook',
      new vscode.NotebookData([
        new vscode.NotebookCellData(
          vscode.NotebookCellKind.Code,
          'total_price = sum(item.price for item in cart)\nprint(total_price)',
          'python',
        ),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# Shipping notes\nShip the order on **Friday**.', 'markdown'),
      ]),
    );
    await vscode.window.showNotebookDocument(notebook);
    try {
      const readCell = async (index: number, selection: vscode.Selection) => {
        await vscode.window.showNotebookDocument(notebook, { selections: [new vscode.NotebookRange(index, index + 1)] });
        await vscode.commands.executeCommand('notebook.cell.edit');
        const cell = notebook.cellAt(index).document;
        await waitUntil(() => vscode.window.activeTextEditor?.document === cell, 10_000, `cell ${index}'s editor to be active`);
        vscode.window.activeTextEditor!.selection = selection;
        await driver.standinReset();
        const done = nextReading(api);
        await driver.press('Control+Alt+S');
        assert.equal((await done).outcome, 'completed');
        return (await spokenInputs()).join(' ');
      };
      const code = await readCell(0, new vscode.Selection(0, 0, 0, 45));
      assert.match(code, /total price/, 'snake_case said as words');
      assert.doesNotMatch(code, /print/, 'only the selection');
      const markdown = await readCell(1, new vscode.Selection(0, 0, 1, 29));
      assert.match(markdown, /Shipping notes/);
      assert.match(markdown, /Friday/);
      assert.doesNotMatch(markdown, /[#*]/, 'Markdown syntax is not read out');
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
