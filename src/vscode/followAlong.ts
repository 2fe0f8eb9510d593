// Follow-along: the sentence being heard is highlighted in the editor it was read from, at
// its source range (the spoken text differs: identifiers split, operators said, Markdown
// dropped), and the editor scrolls to keep it in view until the user scrolls away or moves
// the cursor. Stop remembers where it stopped, for Read from Cursor to offer to resume there.

import * as vscode from 'vscode';
import type { WordTiming } from '../kokoro/captions';
import type { PlayerView } from '../player/playerView';
import { SourceMapper, type SpokenSourceMap } from '../speech/sourceMap';
import type { Pronunciations } from '../speech/speakable';
import { alignWords } from '../speech/wordTimings';

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

/** Separator between the ranges, as the read text joins selections. */
const SEPARATOR = '\n\n';
/** A scroll within this long after our own reveal is ours, not the user's. */
const OWN_SCROLL_MS = 500;

interface Span {
  /** Where the range starts in the joined text read, and in the document. */
  joinedStart: number;
  documentStart: number;
  length: number;
}

/** One text read from an editor, across the readings that continue it (skips, speed changes). */
export class FollowedText {
  readonly uri: vscode.Uri;
  private readonly spans: Span[];
  private readonly joinedLength: number;
  private readonly mapper: SourceMapper;
  /** Document offsets of each sentence mapped so far; undefined once an edit removed its text. */
  private readonly ranges: Array<{ start: number; end: number } | undefined> = [];
  /** Each sentence's spoken text and its words' source (document offsets), to place timed words. */
  private readonly sentences: Array<{ spoken: string; words: Array<{ spokenStart: number; start: number; end: number } | undefined> }> = [];
  /** For each sentence with word timings: when each of its words starts (seconds into its audio), and their document offsets. */
  private readonly timedWords = new Map<number, { starts: number[]; ranges: Array<{ start: number; end: number } | undefined> }>();
  /** An edit inside the text read: later sentences cannot be placed any more. */
  private lost = false;
  sentenceCount: number | undefined;

  constructor(
    readonly source: FollowedSource,
    pronunciations?: Pronunciations,
    private readonly versionAtStart = source.document.version,
  ) {
    const { document } = source;
    this.uri = document.uri;
    let joined = 0;
    this.spans = source.ranges.map((range, i) => {
      const documentStart = document.offsetAt(range.start);
      const span = {
        joinedStart: joined + (i > 0 ? SEPARATOR.length : 0),
        documentStart,
        length: document.offsetAt(range.end) - documentStart,
      };
      joined = span.joinedStart + span.length;
      return span;
    });
    this.joinedLength = joined;
    this.mapper = new SourceMapper((start, end) => this.joinedText(start, end), joined, { pronunciations });
  }

  /** The joined text between two of its offsets, read from the document as it is now. */
  private joinedText(start: number, end: number): string {
    let text = '';
    for (let i = 0; i < this.spans.length; i++) {
      const span = this.spans[i];
      if (i > 0 && end > span.joinedStart - SEPARATOR.length && start < span.joinedStart) {
        text += SEPARATOR.slice(Math.max(0, start - (span.joinedStart - SEPARATOR.length)), end - (span.joinedStart - SEPARATOR.length));
      }
      const from = Math.max(start, span.joinedStart);
      const to = Math.min(end, span.joinedStart + span.length);
      if (from < to) {
        const document = this.source.document;
        text += document.getText(
          new vscode.Range(
            document.positionAt(span.documentStart + from - span.joinedStart),
            document.positionAt(span.documentStart + to - span.joinedStart),
          ),
        );
      }
    }
    return text;
  }

  private documentOffset(joined: number): number {
    let span = this.spans[0];
    for (const s of this.spans) if (s.joinedStart <= joined) span = s;
    return span.documentStart + Math.min(Math.max(0, joined - span.joinedStart), span.length);
  }

  /** A sentence of the text was taken for reading (in order): find its source. */
  readonly mapSentence = (index: number, spoken: string): void => {
    if (index !== this.ranges.length) return; // mapped already (a continuation sends it again)
    const mapped: SpokenSourceMap | undefined = this.lost ? undefined : this.mapper.map(spoken);
    this.ranges.push(mapped && { start: this.documentOffset(mapped.start), end: this.documentOffset(mapped.end) });
    this.sentences.push({
      spoken,
      words: (mapped?.words ?? []).map((w) => ({
        spokenStart: w.spokenStart,
        start: this.documentOffset(w.sourceStart),
        end: this.documentOffset(w.sourceEnd),
      })),
    });
  };

  /**
   * The server timed the words of sentence `index` (so far): placed on our spoken words by sequence,
   * then on the source. Returns when each word starts, for the player.
   */
  readonly timeWords = (index: number, words: readonly WordTiming[]): number[] | undefined => {
    const sentence = this.sentences[index];
    if (!sentence) return undefined;
    const spans = alignWords(sentence.spoken, words);
    let w = 0;
    const ranges = spans.map((span) => {
      while (w + 1 < sentence.words.length && sentence.words[w + 1]!.spokenStart <= span.start) w++;
      const word = sentence.words[w];
      return word && { start: word.start, end: word.end };
    });
    const starts = spans.map((span) => span.startSeconds);
    this.timedWords.set(index, { starts, ranges });
    return starts;
  };

  /** When each word of sentence `index` starts, if the server timed them. */
  wordStarts(index: number): number[] | undefined {
    return this.timedWords.get(index)?.starts;
  }

  /** The document range of word `word` of sentence `index`, when known. */
  wordRange(index: number, word: number): vscode.Range | undefined {
    const offsets = this.timedWords.get(index)?.ranges[word];
    if (!offsets || this.source.document.isClosed) return undefined;
    const { document } = this.source;
    return new vscode.Range(document.positionAt(offsets.start), document.positionAt(offsets.end));
  }

  /** The document range of sentence `index`, when known. */
  range(index: number): vscode.Range | undefined {
    const offsets = this.ranges[index];
    if (!offsets || this.source.document.isClosed) return undefined;
    const { document } = this.source;
    return new vscode.Range(document.positionAt(offsets.start), document.positionAt(offsets.end));
  }

  /** Start offset of sentence `index` in the document, when known. */
  startOffset(index: number): number | undefined {
    return this.ranges[index]?.start;
  }

  /** How far through the text the end of sentence `index` is (0–1), when known. */
  fraction(index: number): number | undefined {
    const offsets = this.ranges[index];
    if (!offsets || this.spans.length === 0) return undefined;
    const last = this.spans[this.spans.length - 1];
    const first = this.spans[0];
    const total = last.documentStart + last.length - first.documentStart;
    return total > 0 ? Math.min(1, Math.max(0, (offsets.end - first.documentStart) / total)) : undefined;
  }

  /** Whether the document is as it was when reading started. */
  get unchanged(): boolean {
    return this.source.document.version === this.versionAtStart;
  }

  /** Keeps the sentences' ranges on their text through an edit; a sentence whose text was edited loses its highlight. */
  edited(changes: readonly vscode.TextDocumentContentChangeEvent[]): void {
    // Applied last to first: each change's offsets are in the document before any of them (VS Code's order is not guaranteed).
    for (const change of [...changes].sort((a, b) => b.rangeOffset - a.rangeOffset)) {
      const start = change.rangeOffset;
      const end = start + change.rangeLength;
      const delta = change.text.length - change.rangeLength;
      const follow = (r: { start: number; end: number } | undefined) =>
        !r || r.end <= start ? r : r.start >= end ? { start: r.start + delta, end: r.end + delta } : undefined;
      for (let i = 0; i < this.ranges.length; i++) this.ranges[i] = follow(this.ranges[i]);
      for (const sentence of this.sentences)
        sentence.words = sentence.words.map((w) => w && follow(w) && { ...follow(w)!, spokenStart: w.spokenStart });
      for (const timed of this.timedWords.values()) timed.ranges = timed.ranges.map(follow);
      for (const span of this.spans) {
        if (span.documentStart >= end) span.documentStart += delta;
        else if (span.documentStart + span.length > start) this.lost = true;
      }
    }
  }

  get length(): number {
    return this.joinedLength;
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
  private current: { text: FollowedText; readingId: number } | undefined;
  private shown: { text: FollowedText; index: number; word?: number } | undefined;
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
  started(readingId: number, text: FollowedText | undefined): void {
    if (text !== this.current?.text) {
      this.clear();
      this.followScroll = true;
    }
    this.current = text && { text, readingId };
    this.wordsSent.clear();
    if (text) this.stopPoints.delete(text.uri.toString());
  }

  /** The server timed the words of sentence `index` of `text` (so far): the player learns when each starts. */
  wordsTimed(text: FollowedText, index: number, words: readonly WordTiming[]): void {
    const starts = text.timeWords(index, words);
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
    const sameSentence = this.shown?.text === text && this.shown.index === index;
    this.shown = { text, index, word };
    // Replayed from memory (a skip back): the player gets the words this reading's request brought before.
    const starts = text.wordStarts(index);
    if (starts && !this.wordsSent.has(index)) this.sendWords(index, starts);
    if (sameSentence) {
      this.redraw(true);
      return;
    }
    this.player.showPosition({
      readingId,
      sentence: index + 1,
      sentences: text.sentenceCount,
      fraction: text.fraction(index),
      announce: this.announceNext,
    });
    this.announceNext = false;
    this.redraw(true);
  }

  /** Stop: remembers the sentence heard, so Read from Cursor can offer to go on from it. */
  stopped(): void {
    const shown = this.shown;
    const offset = shown?.text.startOffset(shown.index);
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

  forgetStopPoint(document: vscode.TextDocument): void {
    this.stopPoints.delete(document.uri.toString());
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
