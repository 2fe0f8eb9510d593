// Which problem the user means: the one at the cursor, the next, the previous.

import { ProblemInfo, SEVERITY_ORDER, Severity } from './wording';

const rank = (s: Severity) => SEVERITY_ORDER.indexOf(s);

export function severityAtLeast(s: Severity, min: Severity): boolean {
  return rank(s) <= rank(min);
}

export function problemKey(p: ProblemInfo): string {
  return JSON.stringify([p.severity, p.line, p.character, p.message, p.source ?? '', p.code ?? '']);
}

const covers = (p: ProblemInfo, line: number, character: number) =>
  (p.line < line || (p.line === line && p.character <= character)) && (p.endLine > line || (p.endLine === line && p.endCharacter >= character));

const distance = (p: ProblemInfo, line: number, character: number) => {
  if (covers(p, line, character)) return 0;
  if (p.line === line) return Math.abs(p.character - character);
  return p.line < line ? Math.abs((p.endLine === line ? p.endCharacter : 0) - character) : Math.abs(p.character - character);
};

/** Problems on the cursor's line, most severe first; among equals, the one under the cursor, then the nearest. */
export function problemsAtCursor(problems: ProblemInfo[], line: number, character: number): ProblemInfo[] {
  return problems
    .filter((p) => p.line <= line && p.endLine >= line)
    .sort((a, b) => rank(a.severity) - rank(b.severity) || Number(covers(b, line, character)) - Number(covers(a, line, character)) || distance(a, line, character) - distance(b, line, character));
}

const before = (p: ProblemInfo, line: number, character: number) => p.line < line || (p.line === line && p.character < character);
const after = (p: ProblemInfo, line: number, character: number) => p.line > line || (p.line === line && p.character > character);

/** Like F8 / Shift+F8: the problem strictly after (before) the cursor, wrapping around. */
export function nextProblem(problems: ProblemInfo[], line: number, character: number, direction: 'next' | 'previous', wrap = true): ProblemInfo | undefined {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.character - b.character || rank(a.severity) - rank(b.severity));
  if (direction === 'next') return sorted.find((p) => after(p, line, character)) ?? (wrap ? sorted[0] : undefined);
  const earlier = sorted.filter((p) => before(p, line, character));
  return earlier.length ? earlier.reduce((best, p) => (p.line > best.line || (p.line === best.line && p.character > best.character) ? p : best)) : wrap ? sorted[sorted.length - 1] : undefined;
}
