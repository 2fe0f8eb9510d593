// The rules for announcing problems on their own (kokoro.announceDiagnostics). Pure: no
// `vscode`; time comes from an injectable clock.
//
// 'cursor':    when the cursor comes to rest (no move and no change of problems for
//              `debounceMs`) on a line with a problem at or above `minSeverity`, the first of
//              `problemsAtCursor` is said once. Not again while the cursor stays on the line,
//              nor for the same problem on another line of its range; again after the cursor
//              went to a line without it and came back, or when the line's problem changes.
// 'newErrors': on a save, the errors (≥ `minSeverity`) that were not there at the previous
//              save of that document are said, a few of them.
// Only one announcement ever waits: a newer one replaces it. The user's own reading cancels
// what waits.

import { problemKey, problemsAtCursor, severityAtLeast } from './navigation';
import type { PunctuationLevel } from '../speech/speakable';
import { columnHelps, describeProblem, type ProblemInfo, type Severity, summarizeNewErrors } from './wording';

export type AnnounceMode = 'off' | 'cursor' | 'newErrors';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Utterance {
  text: string;
  kind: 'cursor' | 'newErrors';
  /** `problemKey` of the problem said (several joined by "|" for newErrors). */
  key: string;
}

export interface AnnouncerOptions {
  mode: AnnounceMode;
  minSeverity: Severity;
  /** How long the cursor (and the problems) must stay still before an announcement; default 600. */
  debounceMs: number;
  /** How much punctuation is said in messages. */
  punctuation?: PunctuationLevel;
  /** How many new errors a save announcement reads out before "And N more."; default 3. */
  maxListed?: number;
  clock: Clock;
  speak: (u: Utterance) => void;
}

export const DEFAULT_DEBOUNCE_MS = 600;

interface CursorState {
  uri: string;
  line: number;
  character: number;
  problems: ProblemInfo[];
}

/** What was said at the cursor of a document, while the cursor has not left it. */
interface Heard {
  line: number;
  keys: Set<string>;
  identities: Set<string>;
}

/**
 * An error's identity without its position. Used (1) for newErrors: an edit above an error
 * moves it to another line, which changes its `problemKey`, but must not make it "new" —
 * so saves are compared as multisets of severity + message + source + code (two equal
 * errors count twice; an error that moved and a new one with the very same words cannot be
 * told apart, and the count is what is compared); (2) for the cursor line: typing before an
 * error on the line moves its column, and that is not a new problem to announce.
 */
const identity = (p: ProblemInfo) => JSON.stringify([p.severity, p.message, p.source ?? '', p.code ?? '']);

export class Announcer {
  private options: AnnouncerOptions;
  private pending: unknown;
  private hasPending = false;
  private disposed = false;
  private cursor: CursorState | undefined;
  private readonly heard = new Map<string, Heard>();
  /** Per document: the identities and severities of its problems at the last save (or first sight). */
  private readonly baseline = new Map<string, Array<{ id: string; severity: Severity }>>();

  constructor(options: AnnouncerOptions) {
    this.options = { ...options, debounceMs: validMs(options.debounceMs, DEFAULT_DEBOUNCE_MS) };
  }

  setOptions(partial: Partial<Omit<AnnouncerOptions, 'clock' | 'speak'>>): void {
    const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<AnnouncerOptions>;
    this.options = { ...this.options, ...defined, clock: this.options.clock, speak: this.options.speak };
    this.options.debounceMs = validMs(this.options.debounceMs, DEFAULT_DEBOUNCE_MS);
    if (this.options.mode !== 'cursor') this.cancel();
  }

  /** The cursor moved (or the active editor changed): `problems` are the problems of that document. */
  cursorMoved(uri: string, line: number, character: number, problems: ProblemInfo[]): void {
    if (this.disposed) return;
    this.rememberBaseline(uri, problems);
    this.cursor = { uri, line, character, problems };
    this.leaveLine(uri, line, character, problems);
    this.schedule();
  }

  /** Diagnostics of a document changed (cursor unchanged). */
  problemsChanged(uri: string, problems: ProblemInfo[]): void {
    if (this.disposed) return;
    this.rememberBaseline(uri, problems);
    if (this.cursor?.uri !== uri) return;
    this.cursor = { ...this.cursor, problems };
    // Each change restarts the wait: nothing is said while the user keeps typing.
    this.schedule();
  }

  /** The document was saved; `problems` are its problems now. */
  saved(uri: string, fileName: string, problems: ProblemInfo[]): void {
    if (this.disposed) return;
    const now = problems.map((p) => ({ id: identity(p), severity: p.severity }));
    if (this.options.mode !== 'newErrors') {
      this.baseline.set(uri, now);
      return;
    }
    // Kept unfiltered, so a later change of minSeverity compares like with like.
    const before = (this.baseline.get(uri) ?? []).filter((e) => this.relevantSeverity(e.severity)).map((e) => e.id);
    const fresh = this.relevant(problems).filter((p) => {
      const i = before.indexOf(identity(p));
      if (i < 0) return true;
      before.splice(i, 1);
      return false;
    });
    this.baseline.set(uri, now);
    if (fresh.length === 0) return;
    this.cancel();
    const text = summarizeNewErrors(fresh, fileName, this.options.maxListed ?? 3, { punctuation: this.options.punctuation });
    this.options.speak({ text, kind: 'newErrors', key: fresh.map(problemKey).join('|') });
  }

  /** The user started a reading of their own: it takes priority over anything waiting. */
  userReadStarted(): void {
    this.cancel();
  }

  /** The document was closed: forget what was said and seen there. */
  forget(uri: string): void {
    this.heard.delete(uri);
    this.baseline.delete(uri);
    if (this.cursor?.uri === uri) {
      this.cancel();
      this.cursor = undefined;
    }
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
    this.cursor = undefined;
    this.heard.clear();
    this.baseline.clear();
  }

  private relevantSeverity(s: Severity): boolean {
    return severityAtLeast(s, this.options.minSeverity);
  }

  private relevant(problems: ProblemInfo[]): ProblemInfo[] {
    return problems.filter((p) => this.relevantSeverity(p.severity));
  }

  /** First sight of a document: what a first save is compared to. */
  private rememberBaseline(uri: string, problems: ProblemInfo[]): void {
    if (!this.baseline.has(uri))
      this.baseline.set(
        uri,
        problems.map((p) => ({ id: identity(p), severity: p.severity })),
      );
  }

  /**
   * The cursor went to another line: what was said is forgotten unless it is on that line
   * too (one problem over several lines is not said again on each of them).
   */
  private leaveLine(uri: string, line: number, character: number, problems: ProblemInfo[]): void {
    const heard = this.heard.get(uri);
    if (!heard || heard.line === line) return;
    const here = new Set(problemsAtCursor(problems, line, character).map(problemKey));
    const keys = [...heard.keys].filter((k) => here.has(k));
    if (keys.length === 0) {
      this.heard.delete(uri);
      return;
    }
    const kept = problems.filter((p) => keys.includes(problemKey(p)));
    this.heard.set(uri, { line, keys: new Set(keys), identities: new Set(kept.map(identity)) });
  }

  private cancel(): void {
    if (this.hasPending) this.options.clock.clearTimeout(this.pending);
    this.pending = undefined;
    this.hasPending = false;
  }

  /** Every move or change restarts the wait: only where the cursor rests is announced. */
  private schedule(): void {
    this.cancel();
    if (this.options.mode !== 'cursor' || !this.cursor) return;
    this.hasPending = true;
    this.pending = this.options.clock.setTimeout(() => {
      this.pending = undefined;
      this.hasPending = false;
      this.announceAtCursor();
    }, this.options.debounceMs);
  }

  private announceAtCursor(): void {
    const c = this.cursor;
    if (this.disposed || !c || this.options.mode !== 'cursor') return;
    const here = problemsAtCursor(this.relevant(c.problems), c.line, c.character);
    const problem = here[0];
    if (!problem) return;
    const key = problemKey(problem);
    const heard = this.heard.get(c.uri);
    if (heard && heard.line === c.line && (heard.keys.has(key) || heard.identities.has(identity(problem)))) return;
    const entry = heard && heard.line === c.line ? heard : { line: c.line, keys: new Set<string>(), identities: new Set<string>() };
    entry.keys.add(key);
    entry.identities.add(identity(problem));
    this.heard.set(c.uri, entry);
    // The column only where it tells this problem from another of its severity on the line:
    // the same words "Read Problem at Cursor" would start with.
    const { short } = describeProblem(problem, { punctuation: this.options.punctuation, includeColumn: columnHelps(problem, here) });
    this.options.speak({ text: short, kind: 'cursor', key });
  }
}

function validMs(ms: number | undefined, fallback: number): number {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : fallback;
}
