// Maps spoken text back to the source it was made from, so the editor can highlight the source
// of the sentence and the word being heard. Spoken chunks are aligned with the source by
// sequence: each spoken word is looked for a little ahead of where the previous one was found,
// among the parts of the source's words (getUserById holds "get", "user", "by", "id"). The
// source is read once, in windows, and only a window ahead of the cursor is kept.

import type { Pronunciations } from './speakable';

/** The source text from `start` to `end` (character offsets). */
export type ReadSource = (start: number, end: number) => string;

export interface SpokenWordSource {
  /** The word in the spoken chunk. */
  spokenStart: number;
  spokenEnd: number;
  /** Its source range. */
  sourceStart: number;
  sourceEnd: number;
  /** Found in the source; otherwise (a word the speech added, a pronunciation) the source between the words found around it. */
  anchored: boolean;
}

export interface SpokenSourceMap {
  /** From the first found word's start to the last found word's end. */
  start: number;
  end: number;
  /** Every spoken word (run of letters and digits), in order. */
  words: SpokenWordSource[];
}

export interface SourceMapperOptions {
  /** The user's pronunciations, so the words said in their place are not looked for in the source. */
  pronunciations?: Pronunciations;
}

/** How the search for spoken words in the source is bounded. */
const SEARCH = {
  /** The source is read this much at a time. */
  readChars: 16_384,
  /** A spoken word is looked for this far ahead of the cursor. */
  nearChars: 256,
  /** After material the speech leaves out (a link's address, markup, lines of brackets), the words are found again this far ahead. */
  farChars: 65_536,
  /** Found that far away, a word needs the next spoken word right after it, or this many letters when it is the chunk's last. */
  longWord: 8,
  /** The next spoken word is looked for in this many source parts after a word found far ahead. */
  confirmParts: 3,
  /** At most this many places of a word far ahead are tried. */
  farCandidates: 8,
  /** A word the speech adds is taken as the source's only when it is one of the next parts. */
  addedWordParts: 2,
} as const;

/**
 * Words toSpeakable says for symbols and markup (operators, "link to", "code block", a fence's
 * language): common words that also occur in source text, so they are matched only right at the cursor.
 * A unit test says which word toSpeakable has learnt and this list has not.
 */
export const WORDS_THE_SPEECH_ADDS: ReadonlySet<string> = new Set(
  [
    'equals not equal to power shift left right spread arrow less than or greater and else dot plus minus times divided by',
    'mod the of is xor tilde at open close paren brace bracket semicolon comma colon question mark hash dollar backslash',
    'backtick quote array hex a number version comment link path ending in uuid long encoded string image code block end',
    'pause seconds milliseconds javascript typescript python rust go java c shell json yaml toml html css sql ruby kotlin',
    'swift php diff',
  ]
    .join(' ')
    .split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;
/** WORD for splitting the source, apart: it is used with lastIndex. */
const SOURCE_WORD = /[\p{L}\p{N}]+/gu;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const SENTENCE_END = /[.!?…]["'”’)\]]*\s/;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isAsciiAlnum = (c: number) => isDigit(c) || isUpper(c) || isLower(c);
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff;

/**
 * Where an identifier's words meet: camelCase humps, an acronym before a word (HTTPServer),
 * letters against digits. Finer than toSpeakable's split; a spoken word spanning several parts
 * (prose leaves identifiers whole) matches their concatenation.
 */
function splitsBefore(run: string, i: number): boolean {
  const a = run.charCodeAt(i - 1);
  const b = run.charCodeAt(i);
  if (isDigit(a) !== isDigit(b)) return true;
  return isUpper(b) && (isLower(a) || (isUpper(a) && i + 1 < run.length && isLower(run.charCodeAt(i + 1))));
}

interface SpokenWord {
  text: string;
  spokenStart: number;
  spokenEnd: number;
  added: boolean;
}

interface Found {
  start: number;
  end: number;
}

/** Positions of a key's parts in the window, oldest first. */
interface Positions {
  items: number[];
  head: number;
}

/**
 * Maps consecutive spoken chunks, in reading order, to the source they were made from. Linear in
 * the source and the spoken text; reads the source once, in windows.
 */
export class SourceMapper {
  private readonly added: ReadonlySet<string>;
  /** Everything before it has been matched or passed. */
  private cursor = 0;
  /** The source from textStart to loaded. */
  private text = '';
  private textStart = 0;
  private loaded = 0;
  /** The source is split into word parts up to here. */
  private scanned = 0;
  /** Word parts by absolute index; the arrays start at part number `base`. */
  private base = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly texts: string[] = [];
  /** The whole lower-cased identifier, on the first part of one split in several parts. */
  private readonly runKeys: (string | undefined)[] = [];
  /** The first part that starts at or after the cursor. */
  private next = 0;
  /** Lower-cased parts and whole identifiers from `next` on → their first part. */
  private readonly index = new Map<string, Positions>();

  constructor(
    private readonly read: ReadSource,
    private readonly length: number,
    options: SourceMapperOptions = {},
  ) {
    const added = new Set(WORDS_THE_SPEECH_ADDS);
    for (const said of options.pronunciations?.say.values() ?? []) for (const w of said.toLowerCase().match(WORD) ?? []) added.add(w);
    this.added = added;
  }

  /** Maps the next spoken chunk; undefined when none of its words is found in the source. */
  map(spoken: string): SpokenSourceMap | undefined {
    this.dropTextBefore(this.cursor);
    const chunkStart = this.cursor;
    const words: SpokenWord[] = [];
    for (const m of spoken.matchAll(WORD)) {
      const text = m[0].toLowerCase();
      words.push({ text, spokenStart: m.index, spokenEnd: m.index + m[0].length, added: this.added.has(text) });
    }
    const found = this.align(words);
    const first = found.findIndex((f) => f !== undefined);
    if (first < 0) return undefined;
    let last = found.length - 1;
    while (!found[last]) last--;
    this.scanTo(this.cursor + SEARCH.nearChars);
    const leading = this.leadingRange(chunkStart, found[first]!.start);
    const trailing = this.trailingRange(found[last]!.end);
    let before = first;
    let after = first;
    let gap: { startsSentence: boolean; range: Found } | undefined;
    const ranges = words.map((word, i): Found => {
      const f = found[i];
      if (f) {
        before = i;
        gap = undefined;
        return f;
      }
      if (i < first) return leading;
      if (i > last) return trailing;
      if (after < i) for (after = i + 1; !found[after]; after++);
      const startsSentence = SENTENCE_END.test(spoken.slice(words[before].spokenEnd, word.spokenStart));
      if (gap?.startsSentence !== startsSentence)
        gap = { startsSentence, range: this.between(found[before]!.end, found[after]!.start, startsSentence) };
      return gap.range;
    });
    return {
      start: found[first]!.start,
      end: found[last]!.end,
      words: words.map((word, i) => ({
        spokenStart: word.spokenStart,
        spokenEnd: word.spokenEnd,
        sourceStart: ranges[i].start,
        sourceEnd: ranges[i].end,
        anchored: found[i] !== undefined,
      })),
    };
  }

  /** Finds the words in the source, in order, moving the cursor past each one found. */
  private align(words: readonly SpokenWord[]): (Found | undefined)[] {
    const found: (Found | undefined)[] = new Array<Found | undefined>(words.length);
    let nextSure: string | undefined;
    const nextSureOf: (string | undefined)[] = new Array<string | undefined>(words.length);
    for (let i = words.length - 1; i >= 0; i--) {
      nextSureOf[i] = nextSure;
      if (!words[i].added) nextSure = words[i].text;
    }
    for (let i = 0; i < words.length; i++) {
      const f = this.find(words[i], nextSureOf[i]);
      if (f) this.advance(f.end);
      found[i] = f;
    }
    return found;
  }

  private find(word: SpokenWord, nextSure: string | undefined): Found | undefined {
    const limit = this.cursor + SEARCH.nearChars;
    this.scanTo(limit);
    const count = this.base + this.starts.length;
    if (word.added) {
      for (let k = this.next; k < Math.min(count, this.next + SEARCH.addedWordParts) && this.startOf(k) < limit; k++) {
        const last = this.partsMatch(word.text, k);
        if (last >= 0) return this.vetoed(k, nextSure) ? undefined : { start: this.startOf(k), end: this.endOf(last) };
      }
      return undefined;
    }
    for (let k = this.next; k < count && this.startOf(k) < limit; k++) {
      const last = this.partsMatch(word.text, k);
      if (last >= 0) return this.vetoed(k, nextSure) ? undefined : { start: this.startOf(k), end: this.endOf(last) };
    }
    return this.findInside(word.text, nextSure) ?? this.findFar(word.text, nextSure);
  }

  /**
   * Inside the next identifier, not at a part's start or end: "f" in 0xFF (said "hex F F"), "world"
   * in "\nworld" (the escape is not said).
   */
  private findInside(word: string, nextSure: string | undefined): Found | undefined {
    const count = this.base + this.starts.length;
    if (this.next >= count) return undefined;
    let last = this.next;
    while (last + 1 < count && this.endOf(last) === this.startOf(last + 1)) last++;
    const end = Math.min(this.endOf(last), this.cursor + SEARCH.nearChars);
    const region = this.slice(this.cursor, end);
    const lower = region.toLowerCase();
    const at = (lower.length === region.length ? lower : region).indexOf(word);
    if (at < 0) return undefined;
    const start = this.cursor + at;
    let part = this.next;
    while (part < last && this.endOf(part) <= start) part++;
    return this.vetoed(part, nextSure) ? undefined : { start, end: start + word.length };
  }

  /**
   * Far ahead, past what the speech left out: a word found there is taken only when the next
   * spoken word follows it in the source, or when it is long and the chunk's last.
   */
  private findFar(word: string, nextSure: string | undefined): Found | undefined {
    if (nextSure === undefined && word.length < SEARCH.longWord) return undefined;
    this.scanTo(this.cursor + SEARCH.farChars);
    const positions = this.index.get(word);
    if (!positions) return undefined;
    const count = this.base + this.starts.length;
    for (let q = positions.head; q < positions.items.length && q < positions.head + SEARCH.farCandidates; q++) {
      const k = positions.items[q];
      const last = this.partsMatch(word, k);
      if (last < 0) continue;
      if (nextSure === undefined) return { start: this.startOf(k), end: this.endOf(last) };
      for (
        let j = last + 1;
        j < Math.min(count, last + 1 + SEARCH.confirmParts) && this.startOf(j) < this.endOf(last) + SEARCH.nearChars;
        j++
      ) {
        if (this.partsMatch(nextSure, j) >= 0) return { start: this.startOf(k), end: this.endOf(last) };
      }
    }
    return undefined;
  }

  /** A word found past the next parts is not taken when the next spoken word comes before it (the word was not the source's). */
  private vetoed(part: number, nextSure: string | undefined): boolean {
    if (nextSure === undefined) return false;
    for (let k = this.next; k < part; k++) if (this.partsMatch(nextSure, k) >= 0) return true;
    return false;
  }

  /** The last part of the parts from `first` on that spell `word` together, or -1. */
  private partsMatch(word: string, first: number): number {
    const count = this.base + this.starts.length;
    let at = 0;
    for (let k = first; k < count; k++) {
      const text = this.texts[k - this.base];
      if (!word.startsWith(text, at)) return -1;
      at += text.length;
      if (at === word.length) return k;
      if (k + 1 >= count || this.endOf(k) !== this.startOf(k + 1)) return -1;
    }
    return -1;
  }

  /**
   * Unfound words before the chunk's first found one: what precedes it on its line ("not" for
   * `!ready`), or else the line before ("TypeScript code block." for its fence), after what the
   * previous chunk used.
   */
  private leadingRange(chunkStart: number, firstStart: number): Found {
    let from = chunkStart;
    if (chunkStart > 0) {
      const newline = this.slice(chunkStart, firstStart).indexOf('\n');
      from = newline < 0 ? chunkStart : chunkStart + newline + 1;
    }
    const lineStart = this.lineStart(firstStart, from);
    let range = this.trim(lineStart, firstStart);
    if (range.start === range.end && lineStart > from) range = this.trim(this.lineStart(lineStart - 1, from), lineStart);
    return range.start < range.end ? range : { start: firstStart, end: firstStart };
  }

  /** Unfound words after the chunk's last found one: the rest of its line ("plus plus" for `i++`), or else the next line. */
  private trailingRange(lastEnd: number): Found {
    const lineEnd = this.lineEnd(lastEnd);
    let range = this.trim(lastEnd, lineEnd);
    if (range.start === range.end && lineEnd < this.loaded) range = this.trim(lineEnd, this.lineEnd(lineEnd + 1));
    return range.start < range.end ? range : { start: lastEnd, end: lastEnd };
  }

  /** Where the line holding `offset` starts, or `notBefore`. */
  private lineStart(offset: number, notBefore: number): number {
    return notBefore + this.slice(notBefore, offset).lastIndexOf('\n') + 1;
  }

  /** Where the line holding `offset` ends (its line break), looking no further than SEARCH.nearChars. */
  private lineEnd(offset: number): number {
    const rest = this.slice(offset, offset + SEARCH.nearChars);
    const newline = rest.indexOf('\n');
    return offset + (newline < 0 ? rest.length : newline);
  }

  /**
   * Unfound words between two found ones: the lines between theirs (a fence, a line of symbols),
   * or else the rest of the first one's line, or for words that start a sentence the start of
   * the second one's line, or else all between them, or the identifier they were said from.
   */
  private between(start: number, end: number, startsSentence: boolean): Found {
    const gap = this.slice(start, end);
    const firstBreak = gap.indexOf('\n');
    if (firstBreak >= 0) {
      const lastBreak = gap.lastIndexOf('\n');
      const lines = this.trim(start + firstBreak + 1, start + lastBreak);
      if (lines.start < lines.end) return lines;
      const side = startsSentence ? this.trim(start + lastBreak + 1, end) : this.trim(start, start + firstBreak);
      if (side.start < side.end) return side;
    }
    const range = this.trim(start, end);
    if (range.start < range.end) return range;
    const around = this.slice(Math.max(this.textStart, start - SEARCH.nearChars), start + SEARCH.nearChars);
    const offset = start - Math.max(this.textStart, start - SEARCH.nearChars);
    const before = /[\p{L}\p{N}]*$/u.exec(around.slice(0, offset))![0].length;
    const after = /^[\p{L}\p{N}]*/u.exec(around.slice(offset))![0].length;
    return before && after ? { start: start - before, end: start + after } : { start, end: start };
  }

  private trim(start: number, end: number): Found {
    const text = this.slice(start, end);
    let a = 0;
    let b = text.length;
    while (a < b && isSpace(text.charCodeAt(a))) a++;
    while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
    return { start: start + a, end: start + b };
  }

  private startOf(part: number): number {
    return this.starts[part - this.base];
  }

  private endOf(part: number): number {
    return this.ends[part - this.base];
  }

  private slice(start: number, end: number): string {
    return this.text.slice(start - this.textStart, end - this.textStart);
  }

  /** Moves the cursor to `to` and forgets the parts before it. */
  private advance(to: number): void {
    this.cursor = to;
    const count = this.base + this.starts.length;
    while (this.next < count && this.startOf(this.next) < to) {
      this.unindex(this.texts[this.next - this.base], this.next);
      const runKey = this.runKeys[this.next - this.base];
      if (runKey !== undefined) this.unindex(runKey, this.next);
      this.next++;
    }
    const passed = this.next - this.base;
    if (passed > 4096 && passed * 2 > this.starts.length) {
      for (const parts of [this.starts, this.ends, this.texts, this.runKeys]) parts.splice(0, passed);
      this.base = this.next;
    }
  }

  private dropTextBefore(offset: number): void {
    if (offset - this.textStart > SEARCH.readChars) {
      this.text = this.text.slice(offset - this.textStart);
      this.textStart = offset;
    }
  }

  /** Reads the source and splits it into word parts up to `limit` at least. */
  private scanTo(limit: number): void {
    const target = Math.min(limit, this.length);
    while (this.scanned < target) {
      const from = this.loaded;
      const to = Math.min(this.length, from + SEARCH.readChars);
      this.text += this.read(from, to);
      this.loaded = to;
      // Split up to the last character that is not part of a word (nor half of a surrogate pair).
      let cut = to === this.length ? to : -1;
      for (let i = to - 1; cut < 0 && i >= Math.max(from, this.scanned); i--) {
        const c = this.text.charCodeAt(i - this.textStart);
        if (c < 128 ? !isAsciiAlnum(c) : (c < 0xd800 || c > 0xdfff) && !WORD_CHAR.test(this.text[i - this.textStart])) cut = i + 1;
      }
      if (cut > this.scanned) this.split(cut);
    }
  }

  private split(until: number): void {
    SOURCE_WORD.lastIndex = this.scanned - this.textStart;
    const stop = until - this.textStart;
    for (let m = SOURCE_WORD.exec(this.text); m && m.index < stop; m = SOURCE_WORD.exec(this.text)) {
      const run = m[0];
      const at = this.textStart + m.index;
      const first = this.base + this.starts.length;
      let from = 0;
      for (let i = 1; i <= run.length; i++) {
        if (i < run.length && !splitsBefore(run, i)) continue;
        const text = run.slice(from, i).toLowerCase();
        this.starts.push(at + from);
        this.ends.push(at + i);
        this.texts.push(text);
        this.runKeys.push(undefined);
        this.addIndex(text, this.base + this.starts.length - 1);
        from = i;
      }
      if (this.base + this.starts.length - first > 1) {
        const key = run.toLowerCase();
        this.runKeys[first - this.base] = key;
        this.addIndex(key, first);
      }
    }
    this.scanned = until;
  }

  private addIndex(key: string, part: number): void {
    const positions = this.index.get(key);
    if (positions) positions.items.push(part);
    else this.index.set(key, { items: [part], head: 0 });
  }

  private unindex(key: string, part: number): void {
    const positions = this.index.get(key);
    if (!positions || positions.items[positions.head] !== part) return;
    positions.head++;
    if (positions.head === positions.items.length) this.index.delete(key);
    else if (positions.head > 64 && positions.head * 2 > positions.items.length) {
      positions.items.splice(0, positions.head);
      positions.head = 0;
    }
  }
}
