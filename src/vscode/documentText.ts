import * as vscode from 'vscode';
import { SlicedText, textSlices } from '../speech/textSlices';

/** A huge text is copied from the document in slices of this many characters, the first while the user waits. */
const SLICE_CHARS = 32_000;

/**
 * The text of `ranges` (in document order), copied in slices as it is read. An edit before the
 * copy is complete ends the text there, unless the document only grows at its end (`appendOnly`,
 * an Output channel).
 */
export function documentText(
  document: vscode.TextDocument,
  ranges: readonly vscode.Range[],
  log: vscode.LogOutputChannel,
  appendOnly = false,
): SlicedText {
  const version = document.version;
  const lines = {
    lineLength: (line: number) => document.lineAt(line).text.length,
    text: (startLine: number, startCharacter: number, endLine: number, endCharacter: number) =>
      document.getText(new vscode.Range(startLine, startCharacter, endLine, endCharacter)),
  };
  const spans = ranges.map(({ start, end }) => ({
    startLine: start.line,
    startCharacter: start.character,
    endLine: end.line,
    endCharacter: end.character,
  }));
  return new SlicedText(
    textSlices(lines, spans, SLICE_CHARS),
    () => document.isClosed || (!appendOnly && document.version !== version),
    (chars) => {
      log.warn(`The document changed while the text was being copied for reading: reading the first ${chars} characters only.`);
    },
  );
}
