// A huge selection is read from the document in slices, so the first words are sent
// after a small slice is copied, and copying the rest never holds the extension host
// for more than a slice's worth of work.

/** What slicing needs from a document (a vscode.TextDocument is adapted to it). */
export interface LineText {
  lineLength(line: number): number;
  /** The text from (startLine, startCharacter) to (endLine, endCharacter), line ends included. */
  text(startLine: number, startCharacter: number, endLine: number, endCharacter: number): string;
}

export interface TextSpan {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

/**
 * Slices of the spans' text of at most about `maxChars` each, cut after a line end, or at a
 * space inside a line longer than that. Spans are joined with a blank line, as selections are.
 */
export function* textSlices(doc: LineText, spans: readonly TextSpan[], maxChars: number): Generator<string> {
  for (let s = 0; s < spans.length; s++) {
    const span = spans[s];
    let line = span.startLine;
    let character = span.startCharacter;
    let prefix = s > 0 ? '\n\n' : '';
    while (line < span.endLine || (line === span.endLine && character < span.endCharacter)) {
      // Whole lines while they fit.
      let endLine = line;
      let size = 0;
      while (endLine < span.endLine) {
        const length = doc.lineLength(endLine) - (endLine === line ? character : 0) + 1;
        if (size + length > maxChars && (size > 0 || length > maxChars)) break;
        size += length;
        endLine++;
      }
      let slice: string;
      if (endLine > line) {
        slice = doc.text(line, character, endLine, 0);
        line = endLine;
        character = 0;
      } else {
        // The span's last line, or a line longer than a slice (minified code), cut at a space when there is one.
        const lineEnd = line === span.endLine ? span.endCharacter : doc.lineLength(line);
        let end = Math.min(lineEnd, character + maxChars);
        slice = doc.text(line, character, line, end);
        if (end < lineEnd) {
          const space = slice.lastIndexOf(' ');
          if (space > maxChars / 4) {
            slice = slice.slice(0, space + 1);
            end = character + space + 1;
          }
        }
        if (end === lineEnd && line < span.endLine) {
          slice += doc.text(line, end, line + 1, 0);
          line++;
          character = 0;
        } else {
          character = end;
        }
      }
      yield prefix + slice;
      prefix = '';
    }
  }
}

/**
 * Takes the slices into memory in the background, a slice per macrotask, so the text read is
 * the text selected even if the document is edited afterwards; a reader that gets ahead of
 * the copy takes the next slice itself. Stops copying, and ends the text, at the first sign
 * that the document changed before the copy was complete (`changed` returns true).
 */
export class SlicedText implements Iterable<string> {
  private readonly copied: string[] = [];
  private finished = false;
  private stopped = false;

  constructor(
    private readonly slices: Iterator<string>,
    private readonly changed: () => boolean,
    private readonly onChanged: (charsCopied: number) => void = () => undefined,
  ) {
    const pump = () => {
      if (!this.stopped && this.pull()) setImmediate(pump);
    };
    setImmediate(pump);
  }

  /** Stops the background copy (the reading ended). */
  dispose(): void {
    this.stopped = true;
  }

  get complete(): boolean {
    return this.finished;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; ; i++) {
      if (i >= this.copied.length && !this.pull()) return;
      yield this.copied[i];
    }
  }

  private pull(): boolean {
    if (this.finished) return false;
    if (this.changed()) {
      this.finished = true;
      this.onChanged(this.copied.reduce((n, s) => n + s.length, 0));
      return false;
    }
    const next = this.slices.next();
    if (next.done) {
      this.finished = true;
      return false;
    }
    this.copied.push(next.value);
    return true;
  }
}
