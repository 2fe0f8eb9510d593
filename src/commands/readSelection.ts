import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { kindForLanguage } from '../speech/speakable';
import type { SlicedText } from '../speech/textSlices';
import { documentText } from '../vscode/documentText';
import type { Session } from '../vscode/session';

/**
 * The text of every non-empty selection in document order, joined by blank lines, copied
 * slice by slice; with no selection, the cursor's line.
 */
function selectedText(editor: vscode.TextEditor, log: vscode.LogOutputChannel): string | SlicedText {
  const { document } = editor;
  const selections = [...editor.selections].filter((s) => !s.isEmpty).sort((a, b) => a.start.compareTo(b.start));
  if (selections.length === 0) return document.lineAt(editor.selection.active.line).text;
  return documentText(document, selections, log);
}

/** Whether `text` has anything but white space; looks no further than it must. */
function hasWords(text: Iterable<string>): boolean {
  for (const piece of text) if (piece.trim()) return true;
  return false;
}

export function readSelection(session: Pick<Session, 'read' | 'log'>) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const editor = activeEditor(() => vscode.l10n.t('Kokoro: open a file and select text to read it aloud.'));
    if (!editor) return;
    await readAloud(session, editor, selectedText(editor, session.log), startedAt, () =>
      editor.selection.isEmpty
        ? vscode.l10n.t('Kokoro: this line is empty — select some text to read.')
        : vscode.l10n.t('Kokoro: the selection is only white space.'),
    );
  };
}

/** Read from Cursor: from the cursor to the end of the document, copied slice by slice as it is read. */
export function readFromCursor(session: Pick<Session, 'read' | 'log'>) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const editor = activeEditor(() => vscode.l10n.t('Kokoro: open a file to read it aloud from the cursor.'));
    if (!editor) return;
    const { document } = editor;
    const end = document.lineAt(document.lineCount - 1).range.end;
    const rest = documentText(document, [new vscode.Range(editor.selection.active, end)], session.log);
    await readAloud(session, editor, rest, startedAt, () => vscode.l10n.t('Kokoro: there is nothing to read after the cursor.'));
  };
}

/** The active text editor, or undefined after telling the user `what` to do. */
function activeEditor(what: () => string): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) void vscode.window.showInformationMessage(what());
  return editor;
}

/** Reads `text` from `editor`'s document as its language is read, or says `nothingToRead()` when it has no words. */
async function readAloud(
  session: Pick<Session, 'read'>,
  editor: vscode.TextEditor,
  text: string | SlicedText,
  startedAt: number,
  nothingToRead: () => string,
): Promise<void> {
  try {
    if (!hasWords(typeof text === 'string' ? [text] : text)) {
      void vscode.window.showInformationMessage(nothingToRead());
      return;
    }
    const { languageId } = editor.document;
    const title = typeof text === 'string' ? text : (text[Symbol.iterator]().next().value ?? '');
    await session.read(text, { kind: kindForLanguage(languageId), languageId, startedAt, title });
  } finally {
    if (typeof text !== 'string') text.dispose();
  }
}
