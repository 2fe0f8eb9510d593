// More places to read, in the real VS Code: the hover a language server gives, and a terminal
// command's output and its end.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import * as driver from './driver';
import { activateReady, clickIntoEditor, nextReading, openSample, spokenInputs, waitUntil } from './helpers';

const HOVER_SAMPLE = `/** Adds two numbers and returns their sum. */
export function addNumbers(first: number, second: number): number {
  return first + second;
}

export const total = addNumbers(1, 2);
`;

describe('More places to read: hover, terminal', function () {
  this.timeout(120_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateReady();
  });

  afterEach(async () => {
    api.session.stop();
    await vscode.workspace.getConfiguration('kokoro').update('announceCommandFinished', undefined, vscode.ConfigurationTarget.Global);
  });

  it('Read Hover at Cursor (Ctrl+Alt+K) reads what the TypeScript server says about the symbol, signature and docs', async () => {
    const editor = await openSample('hover.ts', HOVER_SAMPLE);
    const at = new vscode.Position(5, editor.document.lineAt(5).text.indexOf('addNumbers') + 2);
    // The TypeScript server starts with the file: wait until it answers hovers, as a user would wait for it.
    await waitUntil(
      async () =>
        ((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, at)) ?? []).length > 0,
      60_000,
      'the TypeScript server to answer hovers',
    );
    await clickIntoEditor(editor);
    editor.selection = new vscode.Selection(at, at);
    await waitUntil(() => editor.selection.active.isEqual(at), 5_000, 'the cursor on the symbol');
    await driver.standinReset();
    const done = nextReading(api);
    await driver.press('Control+Alt+K');
    assert.equal((await done).outcome, 'completed');
    const said = (await spokenInputs()).join(' ');
    assert.match(said, /add numbers/i, 'the name, split into words');
    assert.match(said, /first/, 'its parameters');
    assert.match(said, /Adds two numbers and returns their sum/, 'its documentation');
    assert.doesNotMatch(said, /```|\*\*/, 'no Markdown markup');
  });

  it('a long terminal command is announced when it finishes; Read Last Command Output (Ctrl+Alt+Shift+T, from the editor) reads its output and exit code', async () => {
    await vscode.workspace.getConfiguration('kokoro').update('announceCommandFinished', true, vscode.ConfigurationTarget.Global);
    // One simple command: with HISTCONTROL=ignoreboth (Debian's and Ubuntu's default .bashrc, CI's user has it), VS
    // Code's bash integration reports only the first simple command of a line (`a; b` comes as `a`).
    const folder = vscode.workspace.workspaceFolders![0].uri;
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(folder, 'slow-build.sh'),
      new TextEncoder().encode("printf '\\033[32mcompiling\\033[0m\\nerror TS2304: cannot find name foo\\n'\nsleep 5.5\nexit 2\n"),
    );
    const terminal = vscode.window.createTerminal({ name: 'kokoro-e2e', shellPath: '/bin/bash', cwd: folder });
    terminal.show();
    await waitUntil(() => terminal.shellIntegration !== undefined, 30_000, "the terminal's shell integration");
    await driver.standinReset();
    const announced = nextReading(api, 60_000);
    terminal.shellIntegration!.executeCommand('bash slow-build.sh');
    assert.equal((await announced).outcome, 'completed');
    const announcement = (await spokenInputs()).join(' ');
    // 5.5 s of sleep plus the shell's own time, measured between VS Code's start and end events: 5 or 6 when rounded.
    assert.match(announcement, /bash slow-build\.sh finished after [56] seconds, exit code 2/);
    await waitUntil(() => api.session.terminals.last !== undefined, 10_000, 'the command to be recorded');
    await driver.standinReset();
    // Back in the editor, as a user is after starting a command (a focused terminal sends keys to its shell).
    await openSample('hover.ts', HOVER_SAMPLE);
    await driver.focusEditor();
    const read = nextReading(api);
    await driver.press('Control+Alt+Shift+T');
    assert.equal((await read).outcome, 'completed');
    const said = (await spokenInputs()).join(' ');
    assert.match(said, /exit code 2/);
    assert.match(said, /cannot find name foo/);
    assert.match(said, /compiling/);
    assert.doesNotMatch(said, /\[32m|\\033/, 'no escape sequences');
    terminal.dispose();
  });
});
