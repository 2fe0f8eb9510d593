// Splits speakable text into requests: a short first one so the first audio comes
// fast (Kokoro phonemises a whole request before it answers), then growing ones.

export interface ChunkOptions {
  /** The first request: the first sentence, cut at a clause or word if longer than this. */
  firstChunkMaxChars: number;
  /** Later requests pack whole sentences up to this size. */
  maxChunkChars: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { firstChunkMaxChars: 120, maxChunkChars: 480 };

const SENTENCE_END = /[.!?…]+["'”’)\]]*\s+/g;
const CLAUSE_END = /[;:,—]\s+/g;

function limitFor(index: number, options: ChunkOptions): number {
  if (index === 0) return options.firstChunkMaxChars;
  return Math.min(options.maxChunkChars, options.firstChunkMaxChars * 2 ** index);
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

/** Where to cut `buffer` for chunk number `index`, or -1 to wait for more text (only when not final). */
function cutPoint(buffer: string, index: number, options: ChunkOptions, final: boolean): number {
  const limit = limitFor(index, options);
  if (index > 0 && final && buffer.length <= limit) return buffer.length;
  const sentence = index === 0 ? firstBoundary(buffer, limit) : lastBoundary(buffer, SENTENCE_END, limit, 1);
  if (sentence > 0 && (index === 0 || buffer.length > limit || final)) return sentence;
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

  constructor(private readonly options: ChunkOptions = DEFAULT_CHUNK_OPTIONS) {}

  push(text: string): string[] {
    this.buffer = this.buffer ? `${this.buffer} ${text}` : text;
    return this.take(false);
  }

  finish(): string[] {
    return this.take(true);
  }

  private take(final: boolean): string[] {
    const out: string[] = [];
    for (;;) {
      this.buffer = this.buffer.replace(/^\s+/, '');
      if (!this.buffer) break;
      const cut = cutPoint(this.buffer, this.index, this.options, final);
      if (cut < 0) break;
      const chunk = this.buffer.slice(0, cut).trim();
      this.buffer = this.buffer.slice(cut);
      if (/[\p{L}\p{N}]/u.test(chunk)) {
        out.push(chunk);
        this.index++;
      }
    }
    return out;
  }
}

export function chunkText(text: string, options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): string[] {
  const chunker = new Chunker(options);
  return [...chunker.push(text), ...chunker.finish()];
}
