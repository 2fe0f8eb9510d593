// The rules for announcing problems on their own: when the cursor comes to rest on a
// line with a problem (once, debounced), or the errors that appeared since the last
// save. Newer announcements replace older pending ones; the user's own reads win.

import { problemKey, problemsAtCursor, severityAtLeast } from './navigation';
import type { PunctuationLevel } from '../speech/speakable';
import { describeProblem, ProblemInfo, Severity, summarizeNewErrors } from './wording';

export type AnnounceMode = 'off' | 'cursor' | 'newErrors';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Utterance {
  text: string;
  kind: 'cursor' | 'newErrors';
  key: string;
}

export interface AnnouncerOptions {
  mode: AnnounceMode;
  minSeverity: Severity;
  debounceMs: number;
  punctuation?: PunctuationLevel;
  clock: Clock;
  speak: (u: Utterance) => void;
}

interface CursorState {
  uri: string;
  line: number;
  character: number;
  problems: ProblemInfo[];
}

/**
 * Identity of an error across saves, without its position: editing lines above an
 * error moves it but must not announce it again. A multiset, so two equal errors count twice.
 */
const identity = (p: ProblemInfo) => JSON.stringify([p.severity, p.message, p.source ?? '', p.code ?? '']);

export class Announcer {
  private options: AnnouncerOptions;
  private pending: unknown;
  private cursor: CursorState | undefined;
  /** The problem last announced for the cursor line, per document; cleared when the cursor leaves it. */
  private readonly spokenAtCursor = new Map<string, { line: number; key: string }>();
  /** Errors at the last save (or first sight) of each document. */
  private readonly baseline = new Map<string, string[]>();

  constructor(options: AnnouncerOptions) {
    this.options = options;
  }

  setOptions(partial: Partial<Omit<AnnouncerOptions, 'clock' | 'speak'>>): void {
    this.options = { ...this.options, ...partial };
    if (this.options.mode !== 'cursor') this.cancel();
  }

  cursorMoved(uri: string, line: number, character: number, problems: ProblemInfo[]): void {
    this.rememberBaseline(uri, problems);
    const spoken = this.spokenAtCursor.get(uri);
    if (spoken && spoken.line !== line) this.spokenAtCursor.delete(uri); // left the line: coming back announces again
    this.cursor = { uri, line, character, problems };
    this.schedule();
  }

  problemsChanged(uri: string, problems: ProblemInfo[]): void {
    this.rememberBaseline(uri, problems);
    if (this.cursor?.uri !== uri) return;
    this.cursor = { ...this.cursor, problems };
    this.schedule();
  }

  saved(uri: string, fileName: string, problems: ProblemInfo[]): void {
    const errors = this.relevant(problems);
    const before = this.baseline.get(uri) ?? [];
    this.baseline.set(uri, errors.map(identity));
    if (this.options.mode !== 'newErrors') return;
    const remaining = [...before];
    const fresh = errors.filter((p) => {
      const i = remaining.indexOf(identity(p));
      if (i >= 0) {
        remaining.splice(i, 1);
        return false;
      }
      return true;
    });
    if (fresh.length === 0) return;
    this.cancel();
    this.options.speak({ text: summarizeNewErrors(fresh, fileName, 3, { punctuation: this.options.punctuation }), kind: 'newErrors', key: fresh.map(problemKey).join('|') });
  }

  userReadStarted(): void {
    this.cancel();
  }

  dispose(): void {
    this.cancel();
  }

  private relevant(problems: ProblemInfo[]): ProblemInfo[] {
    return problems.filter((p) => severityAtLeast(p.severity, this.options.minSeverity));
  }

  private rememberBaseline(uri: string, problems: ProblemInfo[]): void {
    if (!this.baseline.has(uri)) this.baseline.set(uri, this.relevant(problems).map(identity));
  }

  private cancel(): void {
    if (this.pending !== undefined) this.options.clock.clearTimeout(this.pending);
    this.pending = undefined;
  }

  /** Every move or change restarts the wait: only where the cursor rests is announced. */
  private schedule(): void {
    this.cancel();
    if (this.options.mode !== 'cursor' || !this.cursor) return;
    this.pending = this.options.clock.setTimeout(() => {
      this.pending = undefined;
      this.announceAtCursor();
    }, this.options.debounceMs);
  }

  private announceAtCursor(): void {
    const c = this.cursor;
    if (!c) return;
    const [problem] = problemsAtCursor(this.relevant(c.problems), c.line, c.character);
    if (!problem) return;
    const key = problemKey(problem);
    const spoken = this.spokenAtCursor.get(c.uri);
    if (spoken && spoken.line === c.line && spoken.key === key) return;
    this.spokenAtCursor.set(c.uri, { line: c.line, key });
    this.options.speak({ text: describeProblem(problem, { punctuation: this.options.punctuation }).short, kind: 'cursor', key });
  }
}
