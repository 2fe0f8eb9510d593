// Hearing problems in the real VS Code: the commands, automatic announcements driven
// by real key presses, and repeated messages served from the audio cache. The problems
// are published by the test (a .txt file, so no language server adds its own).

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import type { FromPlayer } from '../../src/player/messages';
import { problemsAtCursor } from '../../src/diagnostics/navigation';
import { describeFileProblems, describeProblem, describeProblems, summarizeNewErrors } from '../../src/diagnostics/wording';
import { chunkText } from '../../src/speech/chunker';
import { neutralizeControlSyntax } from '../../src/speech/speakable';
import { problemsOf, toProblem } from '../../src/vscode/problems';
import * as driver from './driver';
import { activateReady, isEnded, nextReading, nextReport, openSample, sleep, spokenInputs, waitUntil } from './helpers';

const expectedChunks = (text: string) => chunkText(neutralizeControlSyntax(text));

const SOURCE = `const a = 1;
const b = foo(a);
const c = 2;
let unused = 3;
const d = 4;
const e: string = 42;
`;

describe('Hearing problems', function () {
  this.timeout(90_000);
  let api: KokoroApi;
  let collection: vscode.DiagnosticCollection;
  let editor: vscode.TextEditor;
  let diagnostics: vscode.Diagnostic[];

  before(async () => {
    api = await activateReady();
    collection = vscode.languages.createDiagnosticCollection('kokoro-e2e');
    editor = await openSample('problems.txt', SOURCE);
    const error1 = new vscode.Diagnostic(new vscode.Range(1, 10, 1, 13), "Cannot find name 'foo'.", vscode.DiagnosticSeverity.Error);
    error1.source = 'ts';
    error1.code = 2304;
    const warning = new vscode.Diagnostic(
      new vscode.Range(3, 4, 3, 10),
      "'unused' is declared but its value is never read.",
      vscode.DiagnosticSeverity.Warning,
    );
    warning.source = 'ts';
    warning.code = 6133;
    const error2 = new vscode.Diagnostic(
      new vscode.Range(5, 6, 5, 7),
      "Type 'number' is not assignable to type 'string'.",
      vscode.DiagnosticSeverity.Error,
    );
    error2.source = 'ts';
    error2.code = 2322;
    diagnostics = [error1, warning, error2];
    collection.set(editor.document.uri, diagnostics);
  });

  after(async () => {
    collection.dispose();
    const config = vscode.workspace.getConfiguration('kokoro');
    await config.update('announceDiagnostics', undefined, vscode.ConfigurationTarget.Global);
    await config.update('announceDelayMs', undefined, vscode.ConfigurationTarget.Global);
  });

  afterEach(() => api.session.stop());

  it('Read Problem at Cursor speaks the problem as a person would, and Read Problems in File gives the summary first', async () => {
    await vscode.window.showTextDocument(editor.document);
    editor.selection = new vscode.Selection(1, 11, 1, 11);
    await driver.standinReset();
    const done = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readProblemAtCursor');
    assert.equal((await done).outcome, 'completed');
    const spoken = describeProblem(toProblem(diagnostics[0]), { punctuation: 'some' }).short;
    assert.match(spoken, /^Error on line 2\b/);
    assert.deepEqual(await spokenInputs(), expectedChunks(spoken));

    await driver.standinReset();
    const whole = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readProblemsInFile');
    const reading = await whole;
    assert.equal(reading.outcome, 'completed');
    const utterances = describeFileProblems(diagnostics.map(toProblem), 'problems.txt', { punctuation: 'some' });
    // Its audio is all fetched; it plays on for a while yet.
    await nextReport(api, (m): m is Extract<FromPlayer, { type: 'ended' }> => isEnded(m) && m.readingId === reading.id, 60_000);
    await waitUntil(
      async () => (await driver.webviewText()).includes(utterances.join(' ')),
      10_000,
      'the player to show everything that was read, once done',
    );
    assert.match(utterances[0], /2 errors and 1 warning/);
    assert.deepEqual((await spokenInputs()).join(' '), expectedChunks(utterances.join(' ')).join(' '));
  });

  it('Go to Next Problem and Read moves the cursor like F8 and speaks the problem', async () => {
    await vscode.window.showTextDocument(editor.document);
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    await driver.standinReset();
    const done = nextReading(api);
    await vscode.commands.executeCommand('kokoro.nextProblem');
    await done;
    assert.equal(editor.selection.active.line, 3);
    assert.deepEqual(await spokenInputs(), expectedChunks(describeProblem(toProblem(diagnostics[1]), { punctuation: 'some' }).short));
    const back = nextReading(api);
    await vscode.commands.executeCommand('kokoro.previousProblem');
    await back;
    assert.equal(editor.selection.active.line, 1);
  });

  it('steps through two problems at the same spot one press at a time, as F8 does', async () => {
    const sameSpot = new vscode.Diagnostic(diagnostics[2].range, "Cannot find name 'y'.", vscode.DiagnosticSeverity.Error);
    collection.set(editor.document.uri, [...diagnostics, sameSpot]);
    try {
      await vscode.window.showTextDocument(editor.document);
      editor.selection = new vscode.Selection(4, 0, 4, 0);
      const heard: string[] = [];
      for (let press = 0; press < 2; press++) {
        await driver.standinReset();
        const done = nextReading(api);
        await vscode.commands.executeCommand('kokoro.nextProblem');
        await done;
        assert.equal(editor.selection.active.line, 5);
        heard.push((await spokenInputs()).join(' '));
      }
      assert.equal(heard.filter((h) => /not assignable/.test(h)).length, 1, heard.join(' | '));
      assert.equal(heard.filter((h) => /cannot find name y/i.test(h)).length, 1, heard.join(' | '));
    } finally {
      collection.set(editor.document.uri, diagnostics);
    }
  });

  it('announces the error where the cursor comes to rest, once, skipping lines it only passes', async () => {
    const config = vscode.workspace.getConfiguration('kokoro');
    await config.update('announceDelayMs', 400, vscode.ConfigurationTarget.Global);
    await config.update('announceDiagnostics', 'cursor', vscode.ConfigurationTarget.Global);
    await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await sleep(600);
    api.session.reader.cache.clear(); // so every announcement reaches the server and can be checked there
    await driver.standinReset();
    // Rest on line 2 (an error): announced once.
    const first = nextReport(api, isEnded, 20_000);
    await driver.press('ArrowDown');
    await first;
    // Moving along the same line does not repeat it.
    await driver.press('End');
    await sleep(900);
    // Pass quickly over lines 3–5 (line 4 has only a warning), rest on line 6 (an error).
    const second = nextReport(api, isEnded, 20_000);
    await driver.press('ArrowDown');
    await driver.press('ArrowDown');
    await driver.press('ArrowDown');
    await driver.press('ArrowDown');
    await second;
    await sleep(900);
    const expected = [
      ...expectedChunks(describeProblem(toProblem(diagnostics[0]), { punctuation: 'some' }).short),
      ...expectedChunks(describeProblem(toProblem(diagnostics[2]), { punctuation: 'some' }).short),
    ];
    assert.deepEqual(await spokenInputs(), expected, 'exactly the two errors, in order; not the warning, not the lines passed over');
    assert.equal(editor.selection.active.line, 5);
  });

  it('reads a repeated message from the cache: no request reaches the server, and it starts faster', async () => {
    const config = vscode.workspace.getConfiguration('kokoro');
    await config.update('announceDiagnostics', 'off', vscode.ConfigurationTarget.Global);
    await vscode.window.showTextDocument(editor.document);
    editor.selection = new vscode.Selection(5, 6, 5, 6);
    api.session.reader.cache.clear();
    await driver.standinReset();
    const firstDone = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readProblemAtCursor');
    const first = await firstDone;
    await nextReport(api, isEnded, 20_000).catch(() => undefined);
    const requestsAfterFirst = (await spokenInputs()).length;
    assert.ok(requestsAfterFirst > 0 && first.requests > 0);
    const secondDone = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readProblemAtCursor');
    const second = await secondDone;
    assert.equal(second.outcome, 'completed');
    assert.equal(second.requests, 0);
    assert.equal((await spokenInputs()).length, requestsAfterFirst, 'no request reached the server');
    assert.ok(
      second.firstAudioMs! < first.firstAudioMs!,
      `cached ${second.firstAudioMs?.toFixed(1)} ms vs ${first.firstAudioMs?.toFixed(1)} ms`,
    );
    console.log(
      `E2E CACHE: first reading of a problem ${first.firstAudioMs?.toFixed(1)} ms to first audio, repeated from cache ${second.firstAudioMs?.toFixed(1)} ms`,
    );
  });

  it('synthesises the problem at the cursor ahead of time when diagnostics change, so reading it needs no request', async () => {
    const config = vscode.workspace.getConfiguration('kokoro');
    await config.update('announceDiagnostics', 'newErrors', vscode.ConfigurationTarget.Global);
    await vscode.window.showTextDocument(editor.document);
    editor.selection = new vscode.Selection(2, 2, 2, 2);
    api.session.reader.cache.clear();
    await driver.standinReset();
    const fresh = new vscode.Diagnostic(
      new vscode.Range(2, 0, 2, 12),
      "Cannot redeclare block-scoped variable 'c'.",
      vscode.DiagnosticSeverity.Error,
    );
    fresh.source = 'ts';
    fresh.code = 2451;
    collection.set(editor.document.uri, [...diagnostics, fresh]);
    // The words "Read Problem at Cursor" will say: every problem of the line (TypeScript's own included).
    const spokenNow = () => describeProblems(problemsAtCursor(problemsOf(editor.document.uri), 2, 2), { punctuation: 'some' });
    await waitUntil(
      async () => {
        const inputs = await spokenInputs();
        return inputs.length > 0 && expectedChunks(spokenNow()).every((chunk) => inputs.includes(chunk));
      },
      10_000,
      'the prefetch to reach the server',
    );
    await waitUntil(
      async () =>
        ((await driver.standinState()) as { requests: Array<{ endedAt?: number }> }).requests.every((r) => r.endedAt !== undefined),
      10_000,
      'the prefetch to finish',
    );
    assert.equal(api.session.reading, false, 'prefetching plays nothing');
    const done = nextReading(api);
    await vscode.commands.executeCommand('kokoro.readProblemAtCursor');
    const result = await done;
    assert.equal(result.outcome, 'completed');
    assert.equal(result.requests, 0, 'served from the audio prepared ahead of time');
    collection.set(editor.document.uri, diagnostics);
  });

  it('with kokoro.quietStatusBar the status bar text stays the same while reading', async () => {
    const config = vscode.workspace.getConfiguration('kokoro');
    await config.update('quietStatusBar', true, vscode.ConfigurationTarget.Global);
    try {
      await waitUntil(() => api.session.statusText === '$(unmute) Kokoro', 5_000, 'a quiet status bar');
      const texts = new Set<string>([api.session.statusText]);
      const ended = nextReport(api, isEnded, 20_000);
      editor.selection = new vscode.Selection(5, 6, 5, 6);
      void vscode.commands.executeCommand('kokoro.readProblemAtCursor');
      const poll = setInterval(() => texts.add(api.session.statusText), 5);
      await ended;
      clearInterval(poll);
      assert.deepEqual([...texts], ['$(unmute) Kokoro']);
    } finally {
      await config.update('quietStatusBar', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('newErrors: after a save, announces the errors that appeared since the last save', async () => {
    const config = vscode.workspace.getConfiguration('kokoro');
    await config.update('announceDiagnostics', 'newErrors', vscode.ConfigurationTarget.Global);
    await vscode.window.showTextDocument(editor.document);
    const saveWithEdit = async () => {
      await editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount - 1, 0), ' '));
      assert.equal(await editor.document.save(), true);
    };
    collection.set(editor.document.uri, diagnostics);
    await saveWithEdit();
    await sleep(1500); // the first save sets the baseline (whatever it says is not what this test checks)
    api.session.stop();
    await driver.standinReset();
    const fresh = new vscode.Diagnostic(new vscode.Range(6, 0, 6, 5), "Unexpected token 'const'.", vscode.DiagnosticSeverity.Error);
    fresh.source = 'ts';
    fresh.code = 1005;
    collection.set(editor.document.uri, [...diagnostics, fresh]);
    const announced = nextReading(api, 20_000);
    await saveWithEdit();
    assert.equal((await announced).outcome, 'completed');
    const expected = summarizeNewErrors([toProblem(fresh)], 'problems.txt', 3, { punctuation: 'some' });
    assert.match(expected, /^1 new error in problems\.txt\. Error on line 7/);
    assert.deepEqual(await spokenInputs(), expectedChunks(expected));
    await config.update('announceDiagnostics', 'off', vscode.ConfigurationTarget.Global);
  });
});
