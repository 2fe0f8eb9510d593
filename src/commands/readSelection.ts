import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { kindForLanguage } from '../speech/speakable';
import type { SlicedText } from '../speech/textSlices';
import { documentText } from '../vscode/documentText';
import type { Session } from '../vscode/session';

/** Every non-empty selection in document order; with none, the cursor's line. */
function selectedRanges(editor: vscode.TextEditor): vscode.Range[] {
  const selections = [...editor.selections].filter((s) => !s.isEmpty).sort((a, b) => a.start.compareTo(b.start));
  return selections.length ? selections : [editor.document.lineAt(editor.selection.active.line).range];
}

/** The text of `ranges` joined by blank lines: one line as it is, more copied slice by slice as it is read. */
function rangesText(document: vscode.TextDocument, ranges: vscode.Range[], log: vscode.LogOutputChannel): string | SlicedText {
  return ranges.length === 1 && ranges[0].isSingleLine ? document.getText(ranges[0]) : documentText(document, ranges, log);
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
    const ranges = selectedRanges(editor);
    await readAloud(session, editor, ranges, rangesText(editor.document, ranges, session.log), startedAt, () =>
      editor.selection.isEmpty
        ? vscode.l10n.t('Kokoro: this line is empty — select some text to read.')
        : vscode.l10n.t('Kokoro: the selection is only white space.'),
    );
  };
}

/**
 * Read from Cursor: from the cursor to the end of the document, copied slice by slice as it is
 * read. Where a reading of the unchanged document was stopped elsewhere, it offers to go on there.
 */
export function readFromCursor(session: Pick<Session, 'read' | 'log' | 'followAlong'>) {
  return async (): Promise<void> => {
    let startedAt = performance.now();
    const editor = activeEditor(() => vscode.l10n.t('Kokoro: open a file to read it aloud from the cursor.'));
    if (!editor) return;
    const { document } = editor;
    let from = editor.selection.active;
    const stop = session.followAlong.stopPoint(document);
    if (stop && stop.offset !== document.offsetAt(from)) {
      const stoppedAt = document.positionAt(stop.offset);
      const resume = {
        label: vscode.l10n.t('Resume where you stopped, at line {0}', stoppedAt.line + 1),
        detail: document.lineAt(stoppedAt.line).text.trim().slice(0, 120),
      };
      const fromCursor = { label: vscode.l10n.t('Read from the cursor, at line {0}', from.line + 1) };
      const choice = await vscode.window.showQuickPick([resume, fromCursor], {
        title: vscode.l10n.t('Kokoro: Read from Cursor'),
        placeHolder: vscode.l10n.t('You stopped reading this file elsewhere.'),
      });
      if (!choice) return;
      startedAt = performance.now(); // the reading starts with the choice, not with the question
      if (choice === resume) from = stoppedAt;
    }
    const end = document.lineAt(document.lineCount - 1).range.end;
    const ranges = [new vscode.Range(from, end)];
    await readAloud(session, editor, ranges, documentText(document, ranges, session.log), startedAt, () =>
      vscode.l10n.t('Kokoro: there is nothing to read after the cursor.'),
    );
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
  ranges: vscode.Range[],
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
    await session.read(text, {
      kind: kindForLanguage(languageId),
      languageId,
      startedAt,
      title,
      source: { document: editor.document, ranges },
    });
  } finally {
    if (typeof text !== 'string') text.dispose();
  }
}
