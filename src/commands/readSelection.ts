import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { kindForLanguage } from '../speech/speakable';
import type { Session } from '../vscode/session';

/** Text of every non-empty selection in document order; with none, the cursor's line. */
export function selectedText(editor: vscode.TextEditor): string {
  const { document } = editor;
  const selections = [...editor.selections].filter((s) => !s.isEmpty).sort((a, b) => a.start.compareTo(b.start));
  if (selections.length > 0) return selections.map((s) => document.getText(s)).join('\n\n');
  return document.lineAt(editor.selection.active.line).text;
}

export function readSelection(session: Session) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Kokoro: open a file and select text to read it aloud.');
      return;
    }
    const text = selectedText(editor);
    if (!text.trim()) {
      void vscode.window.showInformationMessage(editor.selection.isEmpty ? 'Kokoro: this line is empty — select some text to read.' : 'Kokoro: the selection is only white space.');
      return;
    }
    const { languageId } = editor.document;
    await session.read(text, { kind: kindForLanguage(languageId), languageId, startedAt });
  };
}
