import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { kindForLanguage } from '../speech/speakable';
import { SlicedText, textSlices } from '../speech/textSlices';
import type { Session } from '../vscode/session';

/** A huge selection is copied from the document in slices of this many characters, the first while the user waits. */
const SLICE_CHARS = 32_000;

/**
 * The text of every non-empty selection in document order, joined by blank lines, copied
 * slice by slice; with no selection, the cursor's line.
 */
export function selectedText(editor: vscode.TextEditor, log?: vscode.LogOutputChannel): string | SlicedText {
  const { document } = editor;
  const selections = [...editor.selections].filter((s) => !s.isEmpty).sort((a, b) => a.start.compareTo(b.start));
  if (selections.length === 0) return document.lineAt(editor.selection.active.line).text;
  return documentText(document, selections, log);
}

/**
 * The text of `ranges` (in document order), copied in slices as it is read. An edit before the
 * copy is complete ends the text there, unless the document only grows at its end (`appendOnly`,
 * an Output channel).
 */
function documentText(document: vscode.TextDocument, ranges: readonly vscode.Range[], log?: vscode.LogOutputChannel, appendOnly = false): SlicedText {
  const version = document.version;
  const lines = {
    lineLength: (line: number) => document.lineAt(line).text.length,
    text: (startLine: number, startCharacter: number, endLine: number, endCharacter: number) => document.getText(new vscode.Range(startLine, startCharacter, endLine, endCharacter)),
  };
  const spans = ranges.map(({ start, end }) => ({ startLine: start.line, startCharacter: start.character, endLine: end.line, endCharacter: end.character }));
  return new SlicedText(textSlices(lines, spans, SLICE_CHARS), () => document.isClosed || (!appendOnly && document.version !== version), (chars) => {
    log?.warn(`The document changed while the text was being copied for reading: reading the first ${chars} characters only.`);
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

/**
 * The Output panel's channels: VS Code opens a channel's document when it is shown; the last
 * one opened is the one on screen.
 */
export class OutputChannels {
  private shown: string | undefined;
  private toldAboutSelection = false;

  constructor(session: Session) {
    session.own(vscode.workspace.onDidOpenTextDocument((document) => {
      if (document.uri.scheme === 'output') this.shown = document.uri.toString();
    }));
  }

  shownDocument(): vscode.TextDocument | undefined {
    const channels = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'output');
    return channels.find((d) => d.uri.toString() === this.shown) ?? channels.at(-1);
  }

  /** Once per session: why the whole channel is read. */
  explainOnce(): void {
    if (this.toldAboutSelection) return;
    this.toldAboutSelection = true;
    void vscode.window.showInformationMessage('Kokoro: VS Code does not let extensions see what is selected in the Output panel, so the whole channel is read. To read part of it, run "Output: Open Output in Editor" and select there.');
  }
}

/** A channel's name from its document: "output:extension-output-publisher.name-#1-Build" → "Build". */
export function channelName(uri: vscode.Uri): string {
  const path = decodeURIComponent(uri.path);
  return /-#\d+-(.+)$/.exec(path)?.[1] ?? path.replace(/^.*[\\/]/, '');
}

/** Read Selection (its keybinding) in the Output panel: the channel on screen, from its start. */
export function readOutputChannel(session: Session, channels: OutputChannels) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const document = channels.shownDocument();
    if (!document) {
      void vscode.window.showInformationMessage('Kokoro: show an Output channel (View → Output) to read it aloud.');
      return;
    }
    if (document.lineCount === 1 && !document.lineAt(0).text.trim()) {
      void vscode.window.showInformationMessage(`Kokoro: the Output channel ${channelName(document.uri)} is empty.`);
      return;
    }
    channels.explainOnce();
    const last = document.lineAt(document.lineCount - 1);
    const text = documentText(document, [new vscode.Range(0, 0, last.lineNumber, last.text.length)], session.log, true);
    try {
      const title = `Output: ${channelName(document.uri)}`;
      await session.read(text, { kind: 'message', startedAt, title });
    } finally {
      text.dispose();
    }
  };
}
