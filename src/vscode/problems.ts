// VS Code diagnostics → the pure ProblemInfo the wording, navigation and announcer use.

import * as vscode from 'vscode';
import { problemKey } from '../diagnostics/navigation';
import type { ProblemInfo, Severity } from '../diagnostics/wording';

const SEVERITIES: Record<vscode.DiagnosticSeverity, Severity> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

export function toProblem(d: vscode.Diagnostic): ProblemInfo {
  const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
  return {
    severity: SEVERITIES[d.severity] ?? 'error',
    message: d.message,
    line: d.range.start.line,
    character: d.range.start.character,
    endLine: d.range.end.line,
    endCharacter: d.range.end.character,
    source: d.source,
    code,
  };
}

/** The problems of a document, each said once even when two tools report the very same one. */
export function problemsOf(uri: vscode.Uri): ProblemInfo[] {
  const seen = new Set<string>();
  return vscode.languages
    .getDiagnostics(uri)
    .map(toProblem)
    .filter((p) => {
      const key = problemKey(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

export function fileName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.toString();
}
