// Reading must never take the keyboard away from the editor: readings in a row started with
// the real keys, the first of them creating the player (in a fresh VS Code the player view has
// never been created), and after each the key presses still go to the editor; the same when the
// reading is started and stopped from the editor's context menu (right click, or Shift+F10 and the
// arrow keys). When audio needs a gesture in the player (desktop VS Code), the player takes the
// keyboard for it and gives it back.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../../src/extension';
import * as driver from '../driver';
import { activateExtension, clickIntoEditor, isEnded, isStarted, nextReport, openSample, spokenInputs, waitUntil } from '../helpers';

const LINES = Array.from({ length: 6 }, (_, i) => `Sentence number ${i + 1} is read aloud while the keyboard stays in the editor.`);
/** Longer than the webview's own focus work (a 50 ms delay, 250 ms focus polling): focus taken late shows. */
const WATCH_MS = 1_000;

/** Checks for WATCH_MS that every key press would go to the text editor. */
async function assertKeyboardStaysInEditor(when: string): Promise<void> {
  const until = Date.now() + WATCH_MS;
  do {
    const active = await driver.activeElement();
    assert.ok(
      active.inEditor && !active.inWebview,
      `${when}: the keyboard is in the editor, not in <${active.tag} class="${active.className}">`,
    );
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < until);
}

describe('The keyboard stays in the editor', function () {
  this.timeout(120_000);
  let api: KokoroApi;
  let editor: vscode.TextEditor;

  before(async () => {
    api = await activateExtension();
    await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready');
  });

  it('five readings in a row with Ctrl+Alt+S, the first creating the player, some stopped with Ctrl+Alt+X', async () => {
    assert.equal(api.session.player.isReady, false, 'the player has never been created');
    editor = await openSample('focus.txt', `${LINES.join('\n')}\n`);
    await driver.focusEditor();
    await assertKeyboardStaysInEditor('before the first reading');
    for (let i = 0; i < 5; i++) {
      editor.selection = new vscode.Selection(i, 0, i, LINES[i].length);
      const started = nextReport(api, isStarted, 30_000);
      const ended = nextReport(api, isEnded, 30_000);
      await driver.press('Control+Alt+S');
      await started;
      await assertKeyboardStaysInEditor(`reading ${i + 1} playing`);
      const stopIt = i % 2 === 1;
      if (stopIt) await driver.press('Control+Alt+X');
      const end = await ended;
      assert.equal(end.stopped, stopIt, `reading ${i + 1} ${stopIt ? 'was stopped by the key' : 'played to the end'}`);
      await assertKeyboardStaysInEditor(`after reading ${i + 1}`);
    }
    assert.equal(api.session.player.isReady, true);
  });

  it("the editor's context menu, by right click and by Shift+F10: Read Selection reads the selection, Stop Reading is there while reading, and the keyboard stays in the editor", async () => {
    editor = await openSample('focus.txt', `${LINES.join('\n')}\n`);
    await clickIntoEditor(editor);
    const select = async (from: number, to: number) => {
      editor.selection = new vscode.Selection(from, 0, to, LINES[to].length);
      await waitUntil(() => editor.selection.start.line === from && editor.selection.end.line === to, 5_000, 'the selection');
    };
    await select(1, 2);
    await driver.standinReset();
    let started = nextReport(api, isStarted, 30_000);
    let ended = nextReport(api, isEnded, 30_000);
    const menu = await driver.editorContextMenu('Read Selection', 'mouse');
    assert.ok(menu.chosen, `Read Selection is in the menu (it showed: ${menu.labels.join(', ')})`);
    assert.ok(menu.labels.includes('Read from Cursor'), 'Read from Cursor is beside it');
    assert.ok(!menu.labels.includes('Stop Reading'), 'no Stop Reading while nothing is read');
    await started;
    await assertKeyboardStaysInEditor('reading started from the context menu');
    const stop = await driver.editorContextMenu('Stop Reading', 'mouse');
    assert.ok(stop.chosen, `Stop Reading is in the menu while reading (it showed: ${stop.labels.join(', ')})`);
    assert.equal((await ended).stopped, true, 'the reading was stopped from the menu');
    assert.match((await spokenInputs()).join(' '), /Sentence number 2 is read aloud/, 'the selection was what was read');
    await assertKeyboardStaysInEditor('after Stop Reading from the context menu');

    await select(3, 3);
    await driver.standinReset();
    started = nextReport(api, isStarted, 30_000);
    ended = nextReport(api, isEnded, 30_000);
    assert.ok((await driver.editorContextMenu('Read Selection', 'keyboard')).chosen);
    await started;
    await assertKeyboardStaysInEditor('reading started by Shift+F10 and Enter');
    assert.equal((await ended).stopped, false);
    assert.match((await spokenInputs()).join(' '), /Sentence number 4 is read aloud/);
    await assertKeyboardStaysInEditor('after the reading started by Shift+F10');
  });

  it("the reading keys belong to the editor: in the Debug Console's input (an editor VS Code draws as a text box), Ctrl+Alt+S and Ctrl+Alt+E do not read the file behind it", async () => {
    editor = await openSample('focus.txt', `${LINES.join('\n')}\n`);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand('workbench.debug.action.focusRepl');
    // The input is a Monaco editor too: waited for by its own focus, not the main editor's (which may take it back first).
    await waitUntil(
      async () => (await driver.exists('.repl-input-wrapper .monaco-editor.focused')) && (await driver.activeElement()).inEditor,
      10_000,
      'the Debug Console input to have the keyboard',
    );
    await driver.standinReset();
    await driver.press('Control+Alt+S');
    await driver.press('Control+Alt+E');
    // Then, back in the file, the same key reads it: the presses are handled in order, so a reading the first had
    // started would have asked the server before this one.
    await vscode.window.showTextDocument(editor.document);
    editor = vscode.window.activeTextEditor!;
    // The click lands on line 1; the cursor goes to line 5 by the arrow keys, which come after it.
    await driver.focusEditor();
    for (let i = 0; i < 4; i++) await driver.press('ArrowDown');
    await waitUntil(() => editor.selection.active.line === 4, 5_000, 'the cursor on line 5');
    const done = nextReport(api, isEnded, 30_000);
    await driver.press('Control+Alt+S');
    await done;
    assert.equal((await spokenInputs()).join(' '), LINES[4], 'only the line read from the editor');
  });

  it('when audio needs a gesture, Enter in the player enables it and the keyboard goes back to the editor', async () => {
    // Desktop VS Code's rule, emulated in the live player: its audio counts as not running until a
    // real key press or click inside the player's own frame.
    await driver.webviewEvaluate(
      '#speed',
      `(() => {
      const real = Object.getOwnPropertyDescriptor(BaseAudioContext.prototype, 'state').get;
      let allowed = false;
      for (const type of ['keydown', 'click']) addEventListener(type, (e) => { if (e.isTrusted) allowed = true; }, true);
      Object.defineProperty(AudioContext.prototype, 'state', { configurable: true, get() { return allowed ? real.call(this) : 'suspended'; } });
    })()`,
    );
    await clickIntoEditor(editor);
    editor.selection = new vscode.Selection(5, 0, 5, LINES[5].length);
    const started = nextReport(api, isStarted, 30_000);
    const ended = nextReport(api, isEnded, 30_000);
    await driver.press('Control+Alt+S');
    await waitUntil(async () => (await driver.activeElement()).inWebview, 10_000, 'the player to take the keyboard for the gesture');
    // The frame gets the keyboard first, then its button (on the frame's focus event).
    await waitUntil(
      async () => (await driver.webviewEvaluate('#speed', 'document.activeElement?.id')) === 'enable',
      5_000,
      'the Enable audio button to have the keyboard',
    );
    await driver.press('Enter');
    await started;
    await waitUntil(async () => (await driver.activeElement()).inEditor, 10_000, 'the keyboard to be back in the editor');
    await ended;
    await assertKeyboardStaysInEditor('after the gesture');
    const next = nextReport(api, isEnded, 30_000);
    await driver.press('Control+Alt+S');
    await next;
  });
});
