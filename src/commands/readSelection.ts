import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { kindForLanguage } from '../speech/speakable';
import { SlicedText, textSlices } from '../speech/textSlices';
import type { Session } from '../vscode/session';

/** A huge selection is copied from the document in slices of this many characters, the first while the user waits. */
const SLICE_CHARS = 64_000;

/**
 * The text of every non-empty selection in document order, joined by blank lines, copied
 * slice by slice; with no selection, the cursor's line.
 */
export function selectedText(editor: vscode.TextEditor, log?: vscode.LogOutputChannel): string | SlicedText {
  const { document } = editor;
  const selections = [...editor.selections].filter((s) => !s.isEmpty).sort((a, b) => a.start.compareTo(b.start));
  if (selections.length === 0) return document.lineAt(editor.selection.active.line).text;
  const version = document.version;
  const lines = {
    lineLength: (line: number) => document.lineAt(line).text.length,
    text: (startLine: number, startCharacter: number, endLine: number, endCharacter: number) => document.getText(new vscode.Range(startLine, startCharacter, endLine, endCharacter)),
  };
  const spans = selections.map(({ start, end }) => ({ startLine: start.line, startCharacter: start.character, endLine: end.line, endCharacter: end.character }));
  return new SlicedText(textSlices(lines, spans, SLICE_CHARS), () => document.isClosed || document.version !== version, (chars) => {
    log?.warn(`The document changed while its selection was being copied for reading: reading the first ${chars} characters only.`);
  });
}

/** Whether `text` has anything but white space; looks no further than it must. */
function hasWords(text: Iterable<string>): boolean {
  for (const piece of text) if (piece.trim()) return true;
  return false;
}

export function readSelection(session: Session) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Kokoro: open a file and select text to read it aloud.');
      return;
    }
    const text = selectedText(editor, session.log);
    try {
      if (!hasWords(typeof text === 'string' ? [text] : text)) {
        void vscode.window.showInformationMessage(editor.selection.isEmpty ? 'Kokoro: this line is empty — select some text to read.' : 'Kokoro: the selection is only white space.');
        return;
      }
      const { languageId } = editor.document;
      const title = typeof text === 'string' ? text : text[Symbol.iterator]().next().value ?? '';
      await session.read(text, { kind: kindForLanguage(languageId), languageId, startedAt, title });
    } finally {
      if (typeof text !== 'string') text.dispose();
    }
  };
}
