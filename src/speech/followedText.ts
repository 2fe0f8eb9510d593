// The source of a text being read, sentence by sentence and word by word, in document offsets:
// what the editor highlights. The text read is the document's ranges joined by a blank line (as
// several selections are); each spoken sentence is mapped back onto it (sourceMap.ts) as the
// reader takes it, word timings are placed on its words, and edits move what was mapped.

import type { WordTiming } from '../kokoro/captions';
import { SourceMapper } from './sourceMap';
import type { Pronunciations } from './speakable';
import { alignWords } from './wordTimings';

/** Document offsets, end exclusive. */
export interface OffsetRange {
  start: number;
  end: number;
}

/** An edit of the document: `removed` characters at `offset` replaced by `inserted` ones. */
export interface TextEdit {
  offset: number;
  removed: number;
  inserted: number;
}

/** Separator between the ranges, as the text read joins selections. */
const SEPARATOR = '\n\n';

interface Span {
  /** Where the range starts in the joined text read, and in the document. */
  joinedStart: number;
  documentStart: number;
  length: number;
}

interface MappedSentence {
  spoken: string;
  range: OffsetRange | undefined;
  /** Each spoken word's start in the sentence and its source. */
  words: Array<{ spokenStart: number; range: OffsetRange | undefined }>;
  /** With word timings: when each word starts (seconds into the sentence's audio), and its source. */
  timed?: { starts: number[]; ranges: Array<OffsetRange | undefined> };
}

export class FollowedText {
  private readonly spans: Span[];
  private readonly mapper: SourceMapper;
  private readonly sentences: MappedSentence[] = [];
  /** An edit inside the text read: later sentences are not placed any more (their source moved under the map). */
  private lost = false;
  /** How many sentences the text has, once the reader has taken them all. */
  sentenceCount: number | undefined;

  /**
   * `ranges`: the document ranges read, in order; `text(start, end)`: the document's text between
   * two offsets, as it is now.
   */
  constructor(
    ranges: readonly OffsetRange[],
    private readonly text: (start: number, end: number) => string,
    pronunciations?: Pronunciations,
  ) {
    let joined = 0;
    this.spans = ranges.map((range, i) => {
      const span = { joinedStart: joined + (i > 0 ? SEPARATOR.length : 0), documentStart: range.start, length: range.end - range.start };
      joined = span.joinedStart + span.length;
      return span;
    });
    this.mapper = new SourceMapper((start, end) => this.joinedText(start, end), joined, { pronunciations });
  }

  /** The joined text between two of its offsets. */
  private joinedText(start: number, end: number): string {
    let out = '';
    for (let i = 0; i < this.spans.length; i++) {
      const span = this.spans[i];
      const separatorStart = span.joinedStart - SEPARATOR.length;
      if (i > 0 && end > separatorStart && start < span.joinedStart)
        out += SEPARATOR.slice(Math.max(0, start - separatorStart), end - separatorStart);
      const from = Math.max(start, span.joinedStart);
      const to = Math.min(end, span.joinedStart + span.length);
      if (from < to) out += this.text(span.documentStart + from - span.joinedStart, span.documentStart + to - span.joinedStart);
    }
    return out;
  }

  /** `end` moved over the punctuation right after it (`);`, `."`): the sentence is highlighted with its closing marks. */
  private closingEnd(end: number): number {
    const after = /^[^\p{L}\p{N}\s]{1,8}/u.exec(this.joinedText(end, end + 8));
    return end + (after?.[0].length ?? 0);
  }

  private documentOffset(joined: number): number {
    let span = this.spans[0];
    for (const s of this.spans) if (s.joinedStart <= joined) span = s;
    return span.documentStart + Math.min(Math.max(0, joined - span.joinedStart), span.length);
  }

  /** Sentence number `index` was taken for reading (they come in order; one taken again is mapped already). */
  readonly mapSentence = (index: number, spoken: string): void => {
    if (index !== this.sentences.length || this.spans.length === 0) return;
    const mapped = this.lost ? undefined : this.mapper.map(spoken);
    const offsets = (start: number, end: number) => ({ start: this.documentOffset(start), end: this.documentOffset(end) });
    this.sentences.push({
      spoken,
      range: mapped && offsets(mapped.start, this.closingEnd(mapped.end)),
      words: (mapped?.words ?? []).map((w) => ({ spokenStart: w.spokenStart, range: offsets(w.sourceStart, w.sourceEnd) })),
    });
  };

  /**
   * The server timed the words of sentence `index` (all so far): placed on our spoken words by
   * sequence, and so on the source. Returns when each word starts, for the player.
   */
  timeWords(index: number, words: readonly WordTiming[]): number[] | undefined {
    const sentence = this.sentences[index];
    if (!sentence) return undefined;
    const spans = alignWords(sentence.spoken, words);
    let w = 0;
    const ranges = spans.map((span) => {
      while (w + 1 < sentence.words.length && sentence.words[w + 1].spokenStart <= span.start) w++;
      return sentence.words[w]?.range;
    });
    const starts = spans.map((span) => span.startSeconds);
    sentence.timed = { starts, ranges };
    return starts;
  }

  /** When each word of sentence `index` starts, if the server timed them. */
  wordStarts(index: number): number[] | undefined {
    return this.sentences[index]?.timed?.starts;
  }

  sentence(index: number): OffsetRange | undefined {
    return this.sentences[index]?.range;
  }

  word(index: number, word: number): OffsetRange | undefined {
    return this.sentences[index]?.timed?.ranges[word];
  }

  /** How far through the text the end of sentence `index` is (0–1), when known. */
  fraction(index: number): number | undefined {
    const range = this.sentence(index);
    const first = this.spans[0];
    const last = this.spans.at(-1);
    if (!range || !first || !last) return undefined;
    const total = last.documentStart + last.length - first.documentStart;
    return total > 0 ? Math.min(1, Math.max(0, (range.end - first.documentStart) / total)) : undefined;
  }

  /** Keeps what was mapped on its text through edits (all in offsets of the document before them); text edited loses its place. */
  edited(edits: readonly TextEdit[]): void {
    // Last first: each edit's offsets are in the document before any of them (VS Code does not promise an order).
    for (const edit of [...edits].sort((a, b) => b.offset - a.offset)) {
      const start = edit.offset;
      const end = start + edit.removed;
      const delta = edit.inserted - edit.removed;
      const follow = (r: OffsetRange | undefined): OffsetRange | undefined =>
        !r || r.end <= start ? r : r.start >= end ? { start: r.start + delta, end: r.end + delta } : undefined;
      for (const sentence of this.sentences) {
        sentence.range = follow(sentence.range);
        for (const word of sentence.words) word.range = follow(word.range);
        if (sentence.timed) sentence.timed.ranges = sentence.timed.ranges.map(follow);
      }
      for (const span of this.spans) {
        if (span.documentStart >= end) span.documentStart += delta;
        else if (span.documentStart + span.length > start) this.lost = true;
      }
    }
  }
}
