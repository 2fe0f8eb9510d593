// Shared helpers for the end-to-end suite running inside the real extension host.

import * as assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import type { FromPlayer } from '../../src/player/messages';
import type { ReadingResult } from '../../src/speech/reader';
import * as driver from './driver';

export const EXTENSION_ID = 'kokoro-read-aloud.kokoro-read-aloud';

export async function activateExtension(): Promise<KokoroApi> {
  const ext = vscode.extensions.getExtension<KokoroApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  const api = await ext.activate();
  assert.ok(api, 'the extension started (activate resolves undefined when starting failed)');
  return api;
}

/** The extension, started, with its server warmed up and ready (what most suites begin with). */
export async function activateReady(): Promise<KokoroApi> {
  const api = await activateExtension();
  await waitUntil(() => api.session.server.state === 'ready', 30_000, 'the server to be ready');
  return api;
}

/** Resolves with the first player report matching `predicate`, or rejects after `timeoutMs`. */
export function nextReport<T extends FromPlayer>(api: KokoroApi, predicate: (m: FromPlayer) => m is T, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no matching player report within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = api.session.player.onDidReport((m) => {
      if (!predicate(m)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(m);
    });
  });
}

export function nextReading(api: KokoroApi, timeoutMs = 15_000): Promise<ReadingResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no reading finished within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = api.session.onDidFinishReading((r) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(r);
    });
  });
}

export const isStarted = (m: FromPlayer): m is Extract<FromPlayer, { type: 'started' }> => m.type === 'started';
export const isEnded = (m: FromPlayer): m is Extract<FromPlayer, { type: 'ended' }> => m.type === 'ended';

/**
 * Waits until the workbench (renderer) answers a command round trip within `withinMs`:
 * after opening a huge document VS Code itself is busy for seconds, and a latency measured
 * then would be VS Code's, not ours. Returns how long that took.
 */
export async function workbenchSettled(withinMs = 50, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const sent = performance.now();
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    if (performance.now() - sent < withinMs) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the workbench stayed busy for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Clicks into `editor` (a short document, all on screen) as a person does, and waits for the click to land:
 * it puts the cursor on the first line, and would undo a selection made before it arrived.
 */
export async function clickIntoEditor(editor: vscode.TextEditor): Promise<void> {
  // All selected first, so the click shows by what it does (an empty selection), on one line or many.
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(new vscode.Position(0, 0), end);
  await waitUntil(() => editor.selection.active.isEqual(end), 5_000, 'the whole document selected');
  await driver.focusEditor();
  await waitUntil(() => editor.selection.isEmpty && editor.selection.active.line === 0, 5_000, 'the click in the editor');
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function openSample(name: string, content?: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  const uri = vscode.Uri.joinPath(folder.uri, name);
  if (content !== undefined) {
    // Rewriting a file that is open makes VS Code reload it a moment later, which moves the cursor and drops a
    // selection the test has set meanwhile: written only when it differs, then waited for.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty) {
      await vscode.window.showTextDocument(open);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    const onDisk = await vscode.workspace.fs.readFile(uri).then(
      (bytes) => new TextDecoder().decode(bytes),
      () => undefined,
    );
    if (onDisk !== content) await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  if (content !== undefined) await waitUntil(() => doc.getText() === content, 10_000, `${name} to hold its new text`);
  return vscode.window.showTextDocument(doc, { preview: false });
}

let scratchCount = 0;

/**
 * An untitled document with `content`, shown and active (ready for a selection and a command).
 * Each has a name of its own: VS Code may give a new "Untitled-N" the text a closed one of that
 * name had (a 10 MB document's, once, for a 34-character test).
 */
export async function showScratch(content: string, language = 'plaintext'): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.from({ scheme: 'untitled', path: `scratch-${process.pid}-${++scratchCount}` });
  let doc = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), content);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the text went into the new document');
  doc = await vscode.languages.setTextDocumentLanguage(doc, language);
  await vscode.window.showTextDocument(doc);
  await waitUntil(() => vscode.window.activeTextEditor?.document === doc, 10_000, 'the new document to be the active editor');
  assert.equal(doc.getText().length, content.length, 'the new document holds the new text');
  return vscode.window.activeTextEditor!;
}

/** Reverts and closes the active scratch document, and waits until no editor shows it (a huge one takes a while). */
export async function closeScratch(editor: vscode.TextEditor): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await waitUntil(() => !vscode.window.visibleTextEditors.some((e) => e.document === editor.document), 10_000, 'the document to close');
  // Until the extension host has let go of it, a new untitled document may get its name and, for a moment, its text.
  await waitUntil(() => editor.document.isClosed, 30_000, 'the extension host to drop the document');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request as the stand-in server recorded it (the fields the tests read). */
export interface RecordedRequest {
  method: string;
  path: string;
  body?: { input?: string; voice?: string };
  samplesSent: number;
  completed: boolean;
  clientDisconnected: boolean;
  endedAt?: number;
}

export async function speechRequests(): Promise<RecordedRequest[]> {
  const state = (await driver.standinState()) as { requests: RecordedRequest[] };
  return state.requests.filter((r) => r.method === 'POST' && r.path === '/v1/audio/speech');
}

/** The texts the stand-in server was asked to speak, in order. */
export async function spokenInputs(): Promise<string[]> {
  return (await speechRequests()).map((r) => r.body?.input ?? '');
}

/** What the extension has written to its log (the Kokoro Read Aloud output channel) so far. */
export async function extensionLog(api: KokoroApi): Promise<string> {
  const dir = api.session.context.logUri.fsPath;
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.log'));
  return (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('\n');
}

/**
 * Hovers the status bar item (again, as a user would, until the hover shows) until its tooltip shows `selector`
 * (e.g. `text=…`); with `butNot`, the tooltip that shows it must not show that too.
 */
export async function statusTooltipShows(selector: string, timeoutMs = 30_000, butNot?: string): Promise<void> {
  const shown = () => driver.exists(selector);
  try {
    await waitUntil(
      async () => {
        await driver.hover('.part.editor');
        await driver.hover('[aria-label^="Kokoro: server ready"]');
        await waitUntil(shown, 3_000, 'the tooltip').catch(() => undefined);
        return shown();
      },
      timeoutMs,
      `the status bar tooltip to show ${selector}`,
    );
    if (butNot !== undefined && (await driver.exists(butNot))) throw new Error(`the status bar tooltip shows ${butNot}`);
  } catch (err) {
    await driver.hover('[aria-label^="Kokoro: server ready"]');
    const shot = await driver.screenshot('status-tooltip-missing');
    throw new Error(`${(err as Error).message} (what it showed: ${shot})`, { cause: err });
  } finally {
    await driver.hover('.part.editor');
  }
}

/** Waits until a notification matching `pattern` is in the list, opening the list again while waiting (under load it may open before the message comes). */
export async function notificationShows(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  await waitUntil(
    async () => {
      if ((await driver.notifications()).some((m) => pattern.test(m))) return true;
      await vscode.commands.executeCommand('notifications.showList');
      return false;
    },
    timeoutMs,
    `a notification matching ${pattern}`,
  );
}
