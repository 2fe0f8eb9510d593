// VS Code diagnostics → the pure ProblemInfo the wording, navigation and announcer use.

import * as vscode from 'vscode';
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

export function problemsOf(uri: vscode.Uri): ProblemInfo[] {
  return vscode.languages.getDiagnostics(uri).map(toProblem);
}

export function fileName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.toString();
}
