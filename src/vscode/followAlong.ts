// Follow-along: the sentence being heard is highlighted in the editor it was read from, at
// its source range (the spoken text differs: identifiers split, operators said, Markdown
// dropped), and the editor scrolls to keep it in view until the user scrolls away or moves
// the cursor. Stop remembers where it stopped, for Read from Cursor to offer to resume there.

import * as vscode from 'vscode';
import type { WordTiming } from '../kokoro/captions';
import type { PlayerView } from '../player/playerView';
import { FollowedText, type OffsetRange } from '../speech/followedText';
import type { Pronunciations } from '../speech/speakable';

export type HighlightMode = 'sentence' | 'word' | 'off';

/** What was read from an editor: its document and the ranges read, in order (selections are joined by a blank line). */
export interface FollowedSource {
  document: vscode.TextDocument;
  ranges: readonly vscode.Range[];
}

/** Where the user stopped in a document, for Read from Cursor to offer to go on from there. */
export interface StopPoint {
  uri: string;
  version: number;
  offset: number;
}

/** A scroll within this long after our own reveal is ours, not the user's. */
const OWN_SCROLL_MS = 500;

/** One text read from an editor, across the readings that continue it (skips, speed changes). */
export class EditorText {
  readonly uri: vscode.Uri;
  readonly offsets: FollowedText;
  private readonly versionAtStart: number;

  constructor(
    readonly source: FollowedSource,
    pronunciations?: Pronunciations,
  ) {
    const { document } = source;
    this.uri = document.uri;
    this.versionAtStart = document.version;
    this.offsets = new FollowedText(
      source.ranges.map((r) => ({ start: document.offsetAt(r.start), end: document.offsetAt(r.end) })),
      (start, end) => document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end))),
      pronunciations,
    );
  }

  private toRange(offsets: OffsetRange | undefined): vscode.Range | undefined {
    const { document } = this.source;
    return offsets && !document.isClosed
      ? new vscode.Range(document.positionAt(offsets.start), document.positionAt(offsets.end))
      : undefined;
  }

  /** The document range of sentence `index`, when known. */
  range(index: number): vscode.Range | undefined {
    return this.toRange(this.offsets.sentence(index));
  }

  /** The document range of word `word` of sentence `index`, when the server timed its words. */
  wordRange(index: number, word: number): vscode.Range | undefined {
    return this.toRange(this.offsets.word(index, word));
  }

  /** Whether the document is as it was when reading started. */
  get unchanged(): boolean {
    return this.source.document.version === this.versionAtStart;
  }

  edited(changes: readonly vscode.TextDocumentContentChangeEvent[]): void {
    this.offsets.edited(changes.map((c) => ({ offset: c.rangeOffset, removed: c.rangeLength, inserted: c.text.length })));
  }
}

/** Draws the highlight of the sentence heard and keeps it in view. */
export class FollowAlong implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('kokoro.readingBackground'),
    border: '1px solid',
    borderColor: new vscode.ThemeColor('kokoro.readingBorder'),
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly disposables: vscode.Disposable[] = [this.decoration];
  /** The text being heard and the reading id it is heard under. */
  private current: { text: EditorText; readingId: number } | undefined;
  private shown: { text: EditorText; index: number; word?: number } | undefined;
  /** The reading whose player was last told the position. */
  private positioned: number | undefined;
  /** The sentences whose word timings the player has for the current reading. */
  private wordsSent = new Set<number>();
  private followScroll = true;
  private ownRevealAt = 0;
  /** The next position shown is announced: the user moved. */
  private announceNext = false;
  private stopPoints = new Map<string, StopPoint>();

  constructor(
    private readonly mode: () => HighlightMode,
    private readonly player: Pick<PlayerView, 'showPosition' | 'showWords'>,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.current && e.document.uri.toString() === this.current.text.uri.toString() && e.contentChanges.length) {
          this.current.text.edited(e.contentChanges);
          this.redraw();
        }
        const stop = this.stopPoints.get(e.document.uri.toString());
        if (stop && stop.version !== e.document.version) this.stopPoints.delete(stop.uri);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const kind = e.kind;
        if (
          this.isFollowed(e.textEditor) &&
          (kind === vscode.TextEditorSelectionChangeKind.Keyboard || kind === vscode.TextEditorSelectionChangeKind.Mouse)
        )
          this.followScroll = false;
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (!this.isFollowed(e.textEditor) || !this.shown || Date.now() - this.ownRevealAt < OWN_SCROLL_MS) return;
        const range = this.shown.text.range(this.shown.index);
        if (range && !e.visibleRanges.some((v) => v.intersection(range))) this.followScroll = false;
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.redraw()),
    );
  }

  /** The sentence highlighted now: where, and its number (for tests and the log). */
  get highlighted(): { uri: vscode.Uri; range: vscode.Range; sentence: number; word?: number } | undefined {
    const shown = this.shown;
    const mode = this.mode();
    if (!shown || mode === 'off') return undefined;
    const word = mode === 'word' && shown.word !== undefined ? shown.text.wordRange(shown.index, shown.word) : undefined;
    const range = word ?? shown.text.range(shown.index);
    return range && { uri: shown.text.uri, range, sentence: shown.index, word: word && shown.word };
  }

  private isFollowed(editor: vscode.TextEditor): boolean {
    return this.current !== undefined && editor.document.uri.toString() === this.current.text.uri.toString();
  }

  /** A reading started: `text` when it reads (or continues) a text from an editor. */
  started(readingId: number, text: EditorText | undefined): void {
    if (text !== this.current?.text) {
      this.clear();
      this.followScroll = true;
    }
    this.current = text && { text, readingId };
    this.wordsSent.clear();
    if (text) this.stopPoints.delete(text.uri.toString());
  }

  /** The server timed the words of sentence `index` of `text` (so far): the player learns when each starts. */
  wordsTimed(text: EditorText, index: number, words: readonly WordTiming[]): void {
    const starts = text.offsets.timeWords(index, words);
    if (starts && this.current?.text === text) this.sendWords(index, starts);
  }

  private sendWords(index: number, starts: number[]): void {
    if (!this.current) return;
    this.wordsSent.add(index);
    this.player.showWords({ readingId: this.current.readingId, segment: index, starts });
  }

  /** The user moved through the reading: say where it is now. */
  userMoved(): void {
    this.announceNext = true;
    this.followScroll = true;
  }

  /** Sentence `index` of reading `readingId` is heard (and its word number `word`, with word timings). */
  heard(readingId: number, index: number, word?: number): void {
    const current = this.current;
    if (!current || current.readingId !== readingId) return;
    const { text } = current;
    // A continuation (a repeat) starts a new player reading: its position is shown anew.
    const sameSentence = this.shown?.text === text && this.shown.index === index && this.positioned === readingId;
    this.shown = { text, index, word };
    this.positioned = readingId;
    // Replayed from memory (a skip back): the player gets the words this reading's request brought before.
    const starts = text.offsets.wordStarts(index);
    if (starts && !this.wordsSent.has(index)) this.sendWords(index, starts);
    if (sameSentence) {
      this.redraw(true);
      return;
    }
    this.player.showPosition({
      readingId,
      sentence: index + 1,
      sentences: text.offsets.sentenceCount,
      fraction: text.offsets.fraction(index),
      announce: this.announceNext,
    });
    this.announceNext = false;
    this.redraw(true);
  }

  /** Stop: remembers the sentence heard, so Read from Cursor can offer to go on from it. */
  stopped(): void {
    const shown = this.shown;
    const offset = shown?.text.offsets.sentence(shown.index)?.start;
    if (shown && offset !== undefined && shown.index > 0 && shown.text.unchanged) {
      const uri = shown.text.uri.toString();
      this.stopPoints.set(uri, { uri, version: shown.text.source.document.version, offset });
    }
    this.clear();
  }

  /** Where reading stopped in `document`, if it is unchanged since. */
  stopPoint(document: vscode.TextDocument): StopPoint | undefined {
    const stop = this.stopPoints.get(document.uri.toString());
    return stop && stop.version === document.version ? stop : undefined;
  }

  /** The highlight setting changed: draw (or remove) the highlight now. */
  refresh(): void {
    this.redraw();
  }

  /** Nothing is heard any more. */
  clear(): void {
    this.current = undefined;
    this.shown = undefined;
    for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.decoration, []);
  }

  private redraw(moved = false): void {
    const highlighted = this.highlighted;
    const uri = this.shown?.text.uri.toString();
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === uri);
    for (const editor of editors) editor.setDecorations(this.decoration, highlighted ? [highlighted.range] : []);
    if (!moved || !highlighted || !this.followScroll) return;
    const editor = editors.find((e) => e === vscode.window.activeTextEditor) ?? editors[0];
    if (editor && !editor.visibleRanges.some((v) => v.contains(highlighted.range.start))) {
      this.ownRevealAt = Date.now();
      editor.revealRange(highlighted.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
