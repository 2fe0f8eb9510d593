import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { nextProblem, problemsAtCursor } from '../diagnostics/navigation';
import { describeFileProblems, describeProblems, type ProblemInfo } from '../diagnostics/wording';
import { fileName, problemsOf } from '../vscode/problems';
import type { Session } from '../vscode/session';

function activeEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) void vscode.window.showInformationMessage(vscode.l10n.t('Kokoro: open a file to hear its problems.'));
  return editor;
}

type ProblemReader = Pick<Session, 'speak' | 'punctuation'>;

function speakProblems(session: ProblemReader, problems: ProblemInfo[], full: boolean, startedAt: number): Promise<unknown> {
  const text = describeProblems(problems, { punctuation: session.punctuation }, full);
  return session.speak(text, { title: text, startedAt });
}

export function readProblemAtCursor(session: ProblemReader, full = false) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const editor = activeEditor();
    if (!editor) return;
    const { line, character } = editor.selection.active;
    const here = problemsAtCursor(problemsOf(editor.document.uri), line, character);
    if (here.length === 0) {
      await session.speak(`No problems on line ${line + 1}.`, { startedAt });
      return;
    }
    await speakProblems(session, here, full, startedAt);
  };
}

export function readProblemsInFile(session: ProblemReader) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const editor = activeEditor();
    if (!editor) return;
    const utterances = describeFileProblems(problemsOf(editor.document.uri), fileName(editor.document.uri), {
      punctuation: session.punctuation,
    });
    const text = utterances.join(' ');
    await session.speak(text, { title: text, startedAt });
  };
}

/** The problem "Go to Next/Previous Problem and Read" last went to, so several at one spot are stepped through, as F8 does. */
export interface VisitedProblem {
  uri?: string;
  problem?: ProblemInfo;
}

export function goToProblemAndRead(session: ProblemReader, direction: 'next' | 'previous', visited: VisitedProblem) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const editor = activeEditor();
    if (!editor) return;
    const { line, character } = editor.selection.active;
    const uri = editor.document.uri.toString();
    const problems = problemsOf(editor.document.uri);
    const target = nextProblem(problems, line, character, direction, true, visited.uri === uri ? visited.problem : undefined);
    visited.uri = uri;
    visited.problem = target;
    if (!target) {
      await session.speak(`No problems in ${fileName(editor.document.uri)}.`, { startedAt });
      return;
    }
    const position = new vscode.Position(target.line, target.character);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    await speakProblems(session, [target], false, startedAt);
  };
}
