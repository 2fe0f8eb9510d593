// Splits speakable text into requests: a short first one so the first audio comes
// fast (Kokoro phonemises a whole request before it answers), then growing ones.
// Lazy: each chunk is cut when it is asked for, with the size limit of that moment
// (the reader's limits follow the server's measured pace).

export interface ChunkOptions {
  /** The first request: the first sentence, cut at a clause or word if longer than this. */
  firstChunkMaxChars: number;
  /** Later requests pack whole sentences up to this size. */
  maxChunkChars: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { firstChunkMaxChars: 120, maxChunkChars: 480 };

const SENTENCE_END = /[.!?…]+["'”’)\]]*\s+/g;
const CLAUSE_END = /[;:,—]\s+/g;

/** The most characters chunk number `index` may hold. */
export type ChunkLimit = (index: number) => number;

function fixedLimits(options: ChunkOptions): ChunkLimit {
  return (index) => (index === 0 ? options.firstChunkMaxChars : Math.min(options.maxChunkChars, options.firstChunkMaxChars * 2 ** index));
}

/** End index (exclusive) of the last match of `re` ending at or before `limit`, or -1. */
function lastBoundary(text: string, re: RegExp, limit: number, minimum: number): number {
  re.lastIndex = 0;
  let best = -1;
  for (let m = re.exec(text); m && m.index < limit; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (end - 1 > limit) break;
    if (end >= minimum) best = end;
  }
  return best;
}

function firstBoundary(text: string, limit: number): number {
  SENTENCE_END.lastIndex = 0;
  const m = SENTENCE_END.exec(text);
  return m && m.index < limit ? m.index + m[0].length : -1;
}

/**
 * Where to cut `buffer` for chunk number `index`, or -1 to wait for more text (only when not final).
 * `oneSentence`: every chunk is one sentence (or part of a long one), as the first always is.
 */
function cutPoint(buffer: string, index: number, limit: number, final: boolean, oneSentence: boolean): number {
  const first = index === 0 || oneSentence;
  if (!first && final && buffer.length <= limit) return buffer.length;
  const sentence = first ? firstBoundary(buffer, limit) : lastBoundary(buffer, SENTENCE_END, limit, 1);
  if (sentence > 0 && (first || buffer.length > limit || final)) return sentence;
  if (buffer.length <= limit) return final ? buffer.length : -1;
  const clause = lastBoundary(buffer, CLAUSE_END, limit, Math.floor(limit / 3));
  if (clause > 0) return clause;
  const space = buffer.lastIndexOf(' ', limit);
  return space > limit / 3 ? space + 1 : limit;
}

/** Incremental chunker: feed prepared text piece by piece, take chunks as they become certain. */
export class Chunker {
  private buffer = '';
  private index = 0;
  private readonly limit: ChunkLimit;

  /**
   * `oneSentence`: a chunk never holds more than one sentence, so each can be highlighted, skipped
   * to and replayed on its own; otherwise later chunks pack sentences up to the limit.
   */
  constructor(
    limit: ChunkLimit | ChunkOptions = DEFAULT_CHUNK_OPTIONS,
    private readonly oneSentence = false,
  ) {
    this.limit = typeof limit === 'function' ? limit : fixedLimits(limit);
  }

  *push(text: string): Generator<string> {
    this.buffer = this.buffer ? `${this.buffer} ${text}` : text;
    yield* this.take(false);
  }

  *finish(): Generator<string> {
    yield* this.take(true);
  }

  private *take(final: boolean): Generator<string> {
    for (;;) {
      this.buffer = this.buffer.replace(/^\s+/, '');
      if (!this.buffer) break;
      const cut = cutPoint(this.buffer, this.index, Math.max(1, Math.floor(this.limit(this.index))), final, this.oneSentence);
      if (cut < 0) break;
      const chunk = this.buffer.slice(0, cut).trim();
      this.buffer = this.buffer.slice(cut);
      if (/[\p{L}\p{N}]/u.test(chunk)) {
        this.index++;
        yield chunk;
      }
    }
  }
}

export function chunkText(text: string, limit: ChunkLimit | ChunkOptions = DEFAULT_CHUNK_OPTIONS, oneSentence = false): string[] {
  const chunker = new Chunker(limit, oneSentence);
  return [...chunker.push(text), ...chunker.finish()];
}
