// Which problem the user means: the ones at the cursor, the next, the previous. Pure: no `vscode`.

import { compareProblems, type ProblemInfo, type Severity, severityRank } from './wording';

/** Whether `s` is `min` or more severe (error > warning > information > hint). */
export function severityAtLeast(s: Severity, min: Severity): boolean {
  return severityRank(s) <= severityRank(min);
}

/** A stable identity of a problem — the same problem reported again has the same key. */
export function problemKey(p: ProblemInfo): string {
  return JSON.stringify([p.severity, p.line, p.character, p.message, p.source ?? '', p.code ?? '']);
}

/** Whether the problem's range contains the position (ends included, so an empty range at the cursor counts). */
function covers(p: ProblemInfo, line: number, character: number): boolean {
  const startsBefore = p.line < line || (p.line === line && p.character <= character);
  const endsAfter = p.endLine > line || (p.endLine === line && p.endCharacter >= character);
  return startsBefore && endsAfter;
}

/** Columns between the cursor and the part of the problem on the cursor's line. */
function distance(p: ProblemInfo, line: number, character: number): number {
  if (covers(p, line, character)) return 0;
  const from = p.line === line ? p.character : 0;
  const to = p.endLine === line ? p.endCharacter : Number.MAX_SAFE_INTEGER;
  return character < from ? from - character : character - to;
}

/**
 * The problems on the cursor's line (a range over several lines counts on each of them),
 * most severe first — so the error of a line is heard before its hints; among equals, the
 * one whose range contains the cursor, then the nearest by column, then by position.
 *
 * (Severity first is a deliberate choice, made after the first version put the problem
 * under the cursor first: what the user hears first on a line should be what breaks the
 * build. The problem under the cursor still comes first among equal severities.)
 */
export function problemsAtCursor(problems: ProblemInfo[], line: number, character: number): ProblemInfo[] {
  return problems
    .filter((p) => p.line <= line && p.endLine >= line)
    .sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        Number(covers(b, line, character)) - Number(covers(a, line, character)) ||
        distance(a, line, character) - distance(b, line, character) ||
        compareProblems(a, b),
    );
}

const isAfter = (p: ProblemInfo, line: number, character: number) => p.line > line || (p.line === line && p.character > character);
const isBefore = (p: ProblemInfo, line: number, character: number) => p.line < line || (p.line === line && p.character < character);

/**
 * Like F8 / Shift+F8 (`editor.action.marker.next`/`prev`): problems ordered by start line,
 * start column, then most severe first; the first one starting strictly after (before) the
 * cursor, wrapping around to the first (last) when `wrap`.
 *
 * Problems that start at the same place cannot be told apart by position alone: pass
 * `current`, the problem this command went to last, and while the cursor is still at its
 * start the next (previous) one in that order is returned, so each of them is reached.
 */
export function nextProblem(
  problems: ProblemInfo[],
  line: number,
  character: number,
  direction: 'next' | 'previous',
  wrap = true,
  current?: ProblemInfo,
): ProblemInfo | undefined {
  if (problems.length === 0) return undefined;
  const sorted = [...problems].sort(compareProblems);
  const forward = direction === 'next';
  if (current && current.line === line && current.character === character) {
    const key = problemKey(current);
    const index = sorted.findIndex((p) => problemKey(p) === key);
    if (index >= 0) {
      const next = index + (forward ? 1 : -1);
      if (next >= 0 && next < sorted.length) return sorted[next];
      return wrap ? sorted[forward ? 0 : sorted.length - 1] : undefined;
    }
  }
  if (forward) return sorted.find((p) => isAfter(p, line, character)) ?? (wrap ? sorted[0] : undefined);
  const earlier = sorted.filter((p) => isBefore(p, line, character));
  return earlier.at(-1) ?? (wrap ? sorted[sorted.length - 1] : undefined);
}
