// How a problem is said: like a person reading it out — severity, line, the message
// in words, then the source and code briefly.

import { PunctuationLevel, toSpeakable } from '../speech/speakable';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface ProblemInfo {
  severity: Severity;
  message: string;
  /** 0-based, like vscode.Position. */
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  source?: string;
  code?: string | number;
}

export interface WordingOptions {
  punctuation?: PunctuationLevel;
  /** Say the column too ("Error on line 12, column 5"). */
  includeColumn?: boolean;
  /** Longer messages are shortened in `short`; default 160 characters. */
  maxMessageChars?: number;
}

export const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'information', 'hint'];
const SEVERITY_WORDS: Record<Severity, [string, string]> = {
  error: ['error', 'errors'],
  warning: ['warning', 'warnings'],
  information: ['info message', 'info messages'],
  hint: ['hint', 'hints'],
};

const SOURCE_NAMES: Record<string, string> = {
  ts: 'TypeScript', typescript: 'TypeScript', js: 'JavaScript', eslint: 'ESLint', rustc: 'Rust', 'rust-analyzer': 'Rust', pylance: 'Pyright', pyright: 'Pyright',
  pylint: 'Pylint', mypy: 'mypy', ruff: 'Ruff', flake8: 'Flake8', gcc: 'C compiler', clang: 'Clang', clangd: 'Clang', go: 'Go', gopls: 'Go', compiler: 'Go',
  'go vet': 'Go vet', staticcheck: 'Staticcheck', java: 'Java', javac: 'Java', cspell: 'spell check', 'code spell checker': 'spell check', stylelint: 'Stylelint',
  markdownlint: 'Markdown lint', shellcheck: 'ShellCheck', json: 'JSON', yaml: 'YAML', css: 'CSS', html: 'HTML',
};

const capitalize = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

function sourceAndCode(p: ProblemInfo): string {
  const source = p.source ? SOURCE_NAMES[p.source.toLowerCase()] ?? p.source : '';
  const code = p.code === undefined || p.code === '' ? '' : String(p.code);
  // Rule names like no-unused-vars read as words; numeric codes stay numbers.
  const codeWords = /^[a-z@][\w@/-]*$/i.test(code) && /[-/]/.test(code) ? code.replace(/^@/, '').replace(/[-/]+/g, ' ') : code;
  return [source, codeWords].filter(Boolean).join(' ');
}

/** Collapses long type dumps so the point of a message survives: `{ … }` → "an object type", long unions → "a union of N types". */
export function shortenMessage(message: string, max: number): { text: string; truncated: boolean } {
  let text = message.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return { text, truncated: false };
  const original = text;
  let previous = '';
  while (previous !== text) {
    previous = text;
    text = text.replace(/\{[^{}]*\}/g, '⟨object⟩');
  }
  text = text
    .replace(/'⟨object⟩(\[\])?'/g, (_m, array?: string) => (array ? 'an array of object types' : 'an object type'))
    .replace(/⟨object⟩/g, 'an object type')
    .replace(/'([^']*\|[^']*)'/g, (m, union: string) => (union.length > 40 ? `a union of ${union.split('|').length} types` : m))
    .replace(/<([^<>]{40,})>/g, '<…>');
  if (text.length > max) {
    const firstSentence = /^(.{20,}?[.!?])(\s|$)/.exec(text);
    text = firstSentence && firstSentence[1].length <= max ? firstSentence[1] : `${text.slice(0, max).replace(/\s+\S*$/, '')}…`;
  }
  return { text, truncated: text !== original };
}

function spokenMessage(message: string, punctuation: PunctuationLevel | undefined): string {
  const words = toSpeakable(message, { kind: 'message', punctuation }).replace(/…\.?$/, ', and more.');
  // "Cannot find…" after "Error on line 2:" reads better in lower case, unless it starts with a name or acronym.
  return /^[A-Z][a-z]/.test(words) ? words[0].toLowerCase() + words.slice(1) : words;
}

export function describeProblem(p: ProblemInfo, options: WordingOptions = {}): { short: string; full: string; truncated: boolean } {
  const where = `${capitalize(p.severity === 'information' ? 'info' : p.severity)} on line ${p.line + 1}${options.includeColumn ? `, column ${p.character + 1}` : ''}`;
  const lines = p.message.split('\n').map((l) => l.trim()).filter(Boolean);
  const main = lines[0] ?? '';
  const tail = sourceAndCode(p);
  const shortened = shortenMessage(main, options.maxMessageChars ?? 160);
  const end = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);
  const short = `${where}: ${end(spokenMessage(shortened.text, options.punctuation))}${tail ? ` ${tail}.` : ''}`;
  const fullMessage = lines.map((l) => end(spokenMessage(l, options.punctuation))).join(' ');
  const full = `${where}: ${fullMessage}${tail ? ` ${tail}.` : ''}`;
  return { short: short.replace(/\s+/g, ' '), full: full.replace(/\s+/g, ' '), truncated: shortened.truncated || lines.length > 1 };
}

/** What "Read Problem at Cursor" says: each problem of the line, in the order given. */
export function describeProblems(problems: ProblemInfo[], options: WordingOptions = {}, full = false): string {
  return problems.map((p) => (full ? describeProblem(p, options).full : describeProblem(p, options).short)).join(' ');
}

function countPhrase(count: number, severity: Severity): string {
  return `${count} ${SEVERITY_WORDS[severity][count === 1 ? 0 : 1]}`;
}

function joinPhrases(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

export function summarizeProblems(problems: ProblemInfo[], fileName: string): string {
  const parts = SEVERITY_ORDER.map((s) => [s, problems.filter((p) => p.severity === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => countPhrase(n, s));
  return parts.length === 0 ? `${fileName} has no problems.` : `${fileName} has ${joinPhrases(parts)}.`;
}

const byPosition = (a: ProblemInfo, b: ProblemInfo) => a.line - b.line || a.character - b.character || SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity);

/** The summary, then each problem in line order: one utterance each. */
export function describeFileProblems(problems: ProblemInfo[], fileName: string, options: WordingOptions = {}): string[] {
  return [summarizeProblems(problems, fileName), ...[...problems].sort(byPosition).map((p) => describeProblem(p, options).short)];
}

/** After a save: "2 new errors in app.ts. Error on line 3: …" — at most `maxListed` read out. */
export function summarizeNewErrors(newProblems: ProblemInfo[], fileName: string, maxListed = 3, options: WordingOptions = {}): string {
  if (newProblems.length === 0) return '';
  const sorted = [...newProblems].sort(byPosition);
  const severities = new Set(sorted.map((p) => p.severity));
  const noun = severities.size === 1 ? SEVERITY_WORDS[sorted[0].severity][sorted.length === 1 ? 0 : 1] : sorted.length === 1 ? 'problem' : 'problems';
  const head = `${sorted.length} new ${noun} in ${fileName}.`;
  const listed = sorted.slice(0, maxListed).map((p) => describeProblem(p, options).short);
  const more = sorted.length > maxListed ? ` And ${sorted.length - maxListed} more.` : '';
  return `${head} ${listed.join(' ')}${more}`;
}
