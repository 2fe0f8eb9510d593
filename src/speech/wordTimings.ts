// Maps the word timings a server sends (for the text as it normalised it: punctuation as words, numbers
// spelled out, case changed, contractions split) onto the words of the text we sent, by sequence.

/** A word as the server timed it, in seconds from the start of its audio. */
export interface TimedWord {
  word: string;
  startSeconds: number;
  endSeconds: number;
}

/** A word of the spoken text (`spoken.slice(start, end)`) and when it is heard. */
export interface WordSpan {
  start: number;
  end: number;
  startSeconds: number;
  endSeconds: number;
}

interface SpokenWord {
  start: number;
  end: number;
  key: string;
}

interface HeardWord {
  key: string;
  startSeconds: number;
  endSeconds: number;
}

/** A word: letters, marks and digits, joined by inner apostrophes or hyphens, or by a point or comma between digits (3.5, 1,000). */
const SPOKEN_WORD = /[\p{L}\p{M}\p{N}]+(?:['’\-‐][\p{L}\p{M}\p{N}]+|[.,]\p{N}+)*/gu;
const NOT_KEY = /[^\p{L}\p{N}]+/gu;
/** How many words one side may have split a word of the other into ("well-known" → "well", "known"). */
const MAX_PARTS = 4;
/** How far ahead to look for the two sequences to agree again after they differ. */
const SPOKEN_LOOKAHEAD = 4;
/** Further on the server's side: it spells numbers and symbols out in several words ("1,250" → "one thousand two hundred fifty"). */
const HEARD_LOOKAHEAD = 12;

/** What two spellings of a word have in common: lower case, letters and digits only. */
function keyOf(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(NOT_KEY, '');
}

function spokenWords(spoken: string): SpokenWord[] {
  const words: SpokenWord[] = [];
  for (const match of spoken.matchAll(SPOKEN_WORD)) {
    const key = keyOf(match[0]);
    if (key) words.push({ start: match.index, end: match.index + match[0].length, key });
  }
  return words;
}

/** The server's words that have letters or digits, with finite, ordered times. */
function heardWords(words: readonly TimedWord[]): HeardWord[] {
  const heard: HeardWord[] = [];
  let floor = 0;
  for (const w of Array.isArray(words) ? words : []) {
    if (typeof w !== 'object' || w === null || typeof w.word !== 'string') continue;
    const { startSeconds, endSeconds } = w;
    if (
      typeof startSeconds !== 'number' ||
      typeof endSeconds !== 'number' ||
      !Number.isFinite(startSeconds) ||
      !Number.isFinite(endSeconds)
    )
      continue;
    const key = keyOf(w.word);
    if (!key) continue; // punctuation the server times as a word
    const start = Math.max(floor, startSeconds);
    heard.push({ key, startSeconds: start, endSeconds: Math.max(start, endSeconds) });
    floor = start;
  }
  return heard;
}

/**
 * The time of every word of `spoken`, from the server's `words`, matched in order: punctuation-only words are
 * skipped, words compare case-insensitively by letters and digits, a word one side split in parts matches its
 * parts, and where the two differ (a number spelled out, a word the server dropped or added) a short look-ahead
 * finds where they agree again. Spoken words in a stretch the server said differently share that stretch's time;
 * words the server dropped get times interpolated between their matched neighbours (after the last server
 * word: its end). Starts and ends never decrease. Empty when either side has no word. Linear time; never throws.
 */
export function alignWords(spoken: string, words: readonly TimedWord[]): WordSpan[] {
  const said = spokenWords(typeof spoken === 'string' ? spoken : '');
  const heard = heardWords(words);
  if (said.length === 0 || heard.length === 0) return [];
  const spans: WordSpan[] = [];
  /** Spoken words before this index have a span. */
  let timed = 0;
  let lastEnd = 0;

  const push = (word: SpokenWord, startSeconds: number, endSeconds: number) => {
    const previous = spans.at(-1);
    const start = Math.max(startSeconds, previous?.startSeconds ?? 0);
    const end = Math.max(endSeconds, start, previous?.endSeconds ?? 0);
    spans.push({ start: word.start, end: word.end, startSeconds: start, endSeconds: end });
  };
  /** Spreads [startSeconds, endSeconds] over spoken words [from, to) by their length. */
  const spread = (from: number, to: number, startSeconds: number, endSeconds: number) => {
    let total = 0;
    for (let k = from; k < to; k++) total += said[k].key.length;
    let done = 0;
    for (let k = from; k < to; k++) {
      const length = said[k].key.length;
      push(
        said[k],
        startSeconds + ((endSeconds - startSeconds) * done) / total,
        startSeconds + ((endSeconds - startSeconds) * (done + length)) / total,
      );
      done += length;
    }
  };
  /** Times spoken words [from, to), after interpolating any untimed words before them up to `startSeconds`. */
  const time = (from: number, to: number, startSeconds: number, endSeconds: number) => {
    if (timed < from) spread(timed, from, lastEnd, Math.max(lastEnd, startSeconds));
    spread(from, to, startSeconds, endSeconds);
    timed = to;
    lastEnd = spans.at(-1)!.endSeconds;
  };
  const same = (i: number, j: number) => i < said.length && j < heard.length && said[i].key === heard[j].key;
  /** How many server words from `j` spell spoken word `i` together (0: none). */
  const heardParts = (i: number, j: number): number => {
    const key = said[i].key;
    let joined = '';
    for (let k = 0; k < MAX_PARTS && j + k < heard.length; k++) {
      joined += heard[j + k].key;
      if (!key.startsWith(joined)) return 0;
      if (joined.length === key.length) return k > 0 ? k + 1 : 0;
    }
    return 0;
  };
  /** How many spoken words from `i` spell server word `j` together (0: none). */
  const saidParts = (i: number, j: number): number => {
    const key = heard[j].key;
    let joined = '';
    for (let k = 0; k < MAX_PARTS && i + k < said.length; k++) {
      joined += said[i + k].key;
      if (!key.startsWith(joined)) return 0;
      if (joined.length === key.length) return k > 0 ? k + 1 : 0;
    }
    return 0;
  };
  /** The nearest place ahead where both agree again, preferring one the next pair confirms. */
  const resync = (i: number, j: number): { di: number; dj: number } | undefined => {
    let unconfirmed: { di: number; dj: number } | undefined;
    for (let distance = 1; distance <= SPOKEN_LOOKAHEAD + HEARD_LOOKAHEAD; distance++) {
      for (let di = Math.max(0, distance - HEARD_LOOKAHEAD); di <= Math.min(distance, SPOKEN_LOOKAHEAD); di++) {
        const dj = distance - di;
        if (!same(i + di, j + dj)) continue;
        const confirmed = i + di + 1 >= said.length || j + dj + 1 >= heard.length || same(i + di + 1, j + dj + 1);
        if (confirmed) return { di, dj };
        unconfirmed ??= { di, dj };
      }
    }
    return unconfirmed;
  };

  let i = 0;
  let j = 0;
  while (i < said.length && j < heard.length) {
    if (same(i, j)) {
      time(i, i + 1, heard[j].startSeconds, heard[j].endSeconds);
      i++;
      j++;
      continue;
    }
    const parts = heardParts(i, j);
    if (parts) {
      time(i, i + 1, heard[j].startSeconds, heard[j + parts - 1].endSeconds);
      i++;
      j += parts;
      continue;
    }
    const joined = saidParts(i, j);
    if (joined) {
      time(i, i + joined, heard[j].startSeconds, heard[j].endSeconds);
      i += joined;
      j++;
      continue;
    }
    const ahead = resync(i, j);
    if (!ahead) {
      // Out of step with no agreement in sight: the two words are most likely the same word said differently.
      time(i, i + 1, heard[j].startSeconds, heard[j].endSeconds);
      i++;
      j++;
      continue;
    }
    // Said differently (a number spelled out): the spoken words take the server's words' time. Spoken words with
    // no server words (dropped) wait for interpolation; server words with no spoken words (added) are skipped.
    if (ahead.di > 0 && ahead.dj > 0) time(i, i + ahead.di, heard[j].startSeconds, heard[j + ahead.dj - 1].endSeconds);
    i += ahead.di;
    j += ahead.dj;
  }
  // Words after the last server word (it dropped them, or its list is not complete yet) are not heard after it.
  if (timed < said.length) spread(timed, said.length, lastEnd, lastEnd);
  return spans;
}
