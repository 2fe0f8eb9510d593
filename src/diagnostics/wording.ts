// How a problem is said: like a person reading it out — severity, line, the message
// in words, then the source and code briefly. Pure: no `vscode` here.
//
//   {severity:'error', message:"Cannot find name 'foo'.", line:11, source:'ts', code:2304}
//   → "Error on line 12: cannot find name foo. TypeScript 2304."
//
// The column: said when asked (`includeColumn: true`), never with `includeColumn: false`,
// and otherwise — for the functions that read several problems together — only when it
// tells problems apart: another problem of the same severity starts on the same line at
// another column ("Error on line 4, column 9: … Error on line 4, column 20: …"). Two
// problems of different severity on a line are already told apart by their severity.

import { type PunctuationLevel, splitIdentifier, toSpeakable } from '../speech/speakable';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface ProblemInfo {
  severity: Severity;
  message: string;
  /** 0-based, like vscode.Position. */
  line: number;
  /** 0-based. */
  character: number;
  endLine: number;
  endCharacter: number;
  /** 'ts', 'eslint', 'rustc', 'Pylance', 'pyright', 'gcc', 'clangd', 'go', 'java', 'cSpell', … */
  source?: string;
  code?: string | number;
}

export interface WordingOptions {
  punctuation?: PunctuationLevel;
  /** true: always say the column; false: never; unset: only where it tells problems apart (see above). */
  includeColumn?: boolean;
  /** Longer messages are shortened in `short`; default 160 characters. */
  maxMessageChars?: number;
}

export interface ProblemWords {
  /** Severity, line, the first line of the message (shortened if long), source and code. */
  short: string;
  /** The same with every line of the message, nothing dropped. */
  full: string;
  /** Whether `short` left anything out (a shortened type, a cut sentence, further lines). */
  truncated: boolean;
}

export const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'information', 'hint'];
export const DEFAULT_MAX_MESSAGE_CHARS = 160;

const SEVERITY_NAMES: Record<Severity, string> = { error: 'Error', warning: 'Warning', information: 'Info', hint: 'Hint' };
const SEVERITY_WORDS: Record<Severity, [string, string]> = {
  error: ['error', 'errors'],
  warning: ['warning', 'warnings'],
  information: ['info message', 'info messages'],
  hint: ['hint', 'hints'],
};

// ---------------------------------------------------------------------------------------
// Source and code

const SOURCE_NAMES: Record<string, string> = {
  ts: 'TypeScript',
  typescript: 'TypeScript',
  'deno-ts': 'TypeScript',
  js: 'JavaScript',
  javascript: 'JavaScript',
  eslint: 'ESLint',
  tslint: 'TSLint',
  jshint: 'JSHint',
  biome: 'Biome',
  prettier: 'Prettier',
  'deno-lint': 'Deno lint',
  rustc: 'Rust',
  rust: 'Rust',
  'rust-analyzer': 'Rust',
  clippy: 'Clippy',
  cargo: 'Cargo',
  pylance: 'Pyright',
  pyright: 'Pyright',
  basedpyright: 'Pyright',
  pylint: 'Pylint',
  mypy: 'mypy',
  ruff: 'Ruff',
  flake8: 'Flake8',
  pycodestyle: 'pycodestyle',
  python: 'Python',
  gcc: 'C compiler',
  'g++': 'C compiler',
  cc: 'C compiler',
  clang: 'C compiler',
  'clang++': 'C compiler',
  msvc: 'C compiler',
  cl: 'C compiler',
  clangd: 'Clang D',
  'clang-tidy': 'Clang tidy',
  cpptools: 'C++',
  'c/c++': 'C++',
  go: 'Go',
  gopls: 'Go',
  compiler: 'Go',
  'go vet': 'Go vet',
  vet: 'Go vet',
  staticcheck: 'Staticcheck',
  golangci: 'golangci lint',
  'golangci-lint': 'golangci lint',
  java: 'Java',
  javac: 'Java',
  kotlin: 'Kotlin',
  swift: 'Swift',
  swiftc: 'Swift',
  csharp: 'C sharp',
  'c#': 'C sharp',
  dart: 'Dart',
  php: 'PHP',
  ruby: 'Ruby',
  rubocop: 'RuboCop',
  cspell: 'spell check',
  'code spell checker': 'spell check',
  'spell checker': 'spell check',
  stylelint: 'Stylelint',
  markdownlint: 'Markdown lint',
  shellcheck: 'ShellCheck',
  hadolint: 'Hadolint',
  json: 'JSON',
  yaml: 'YAML',
  toml: 'TOML',
  css: 'CSS',
  scss: 'SCSS',
  less: 'Less',
  html: 'HTML',
  vue: 'Vue',
  svelte: 'Svelte',
};

function spokenSource(source: string): string {
  const known = SOURCE_NAMES[source.trim().toLowerCase()];
  if (known) return known;
  // Unknown sources as given, with separators as spaces ("Lua Diagnostics.", "my_linter" → "my linter").
  return source
    .replace(/[\s_]+/g, ' ')
    .replace(/[.:]+$/, '')
    .trim();
}

/**
 * A code said briefly: numbers as they are (TypeScript 2304), letter-and-digit codes
 * as they are (E0308, F401), rule names as words (no-unused-vars → "no unused vars",
 * -Wunused-variable → "unused variable"; Pyright's reportMissingImports → "missing imports"
 * and @typescript-eslint/no-explicit-any → "no explicit any", the source being said already).
 * Very long numbers (Java's internal ids) say nothing to a person and are dropped.
 */
function spokenCode(code: string | number | undefined, source: string): string {
  if (code === undefined || code === null) return '';
  let text = String(code).trim();
  // Said right after the source: "ESLint no explicit any", not "ESLint typescript eslint no explicit any";
  // "Pyright missing imports", not "Pyright report missing imports".
  if (source === 'ESLint') text = text.replace(/^@?typescript-eslint\//, '');
  if (source === 'Pyright') text = text.replace(/^report(?=[A-Z])/, '');
  if (!text) return '';
  if (/^\d+$/.test(text)) return text.length > 6 ? '' : text;
  return text
    .replace(/^-W/, '')
    .split(/[\s:/_\-.@]+/)
    .filter(Boolean)
    .map((part) => (/^[A-Z]+\d+$/.test(part) || /^\d+$/.test(part) ? part : splitIdentifier(part)))
    .filter(Boolean)
    .join(' ');
}

/** "TypeScript 2304", "ESLint no unused vars", "Spell check", "Code 2304", or nothing. */
function sourceAndCode(p: ProblemInfo, code: string | number | undefined): string {
  const source = p.source ? spokenSource(p.source) : '';
  const codeWords = spokenCode(code, source);
  const said = source ? [source, codeWords].filter(Boolean).join(' ') : codeWords ? `Code ${codeWords}` : '';
  return capitalize(said);
}

// ---------------------------------------------------------------------------------------
// Shortening long messages (type dumps)

const QUOTED = /'([^'\n]*)'|"([^"\n]*)"|`([^`\n]*)`/g;
const OBJECT = '\u27e8object\u27e9';
/** Quoted types longer than this are always said in a few words in `short`… */
const LONG_FRAGMENT = 24;
/** …and, in a message too long, all but those at most this long. */
const SHORT_FRAGMENT = 20;

/** Top-level parts of a type split at `sep` (not inside brackets, braces, parentheses or angle brackets). */
function splitTopLevel(type: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const ch = type[i];
    if ('([{<'.includes(ch)) depth++;
    else if (')]}>'.includes(ch) && !(ch === '>' && type[i - 1] === '=')) depth = Math.max(0, depth - 1);
    else if (depth === 0 && ch === sep) {
      parts.push(type.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(type.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** How many types a union has, TypeScript's own "... 12 more ..." counted in. */
function unionSize(members: string[]): number {
  return members.reduce((n, m) => {
    const more = /^\.\.\.\s*(\d+)\s+more\s*\.\.\.$/.exec(m);
    return n + (more ? Number(more[1]) : 1);
  }, 0);
}

/**
 * A long type said in a few words (`phrase`): object literals → "an object type", long
 * unions → "a union of N types", a generic with long arguments → "a Promise type".
 * Otherwise `type` is the type with object literals and long generic arguments inside it
 * collapsed in place. Also used for the types in a hover's signature (speech/hoverText.ts).
 */
export function shortenType(type: string): { phrase?: string; type: string } {
  let t = type.trim();
  for (let previous = ''; previous !== t;) {
    previous = t;
    t = t.replace(/\{[^{}]*\}/g, OBJECT);
  }
  if (t === OBJECT) return { phrase: 'an object type', type: t };
  if (t === `${OBJECT}[]` || t === `Array<${OBJECT}>`) return { phrase: 'an array of object types', type: t };
  const members = splitTopLevel(t, '|');
  if (members.length >= 3 && (t.length > 40 || members.length >= 6)) return { phrase: `a union of ${unionSize(members)} types`, type: t };
  const generic = /^([A-Za-z_$][\w$.]*)</.exec(t);
  if (generic && t.length > 40 && closingAngle(t, generic[0].length - 1) === t.length - 1)
    return { phrase: `${article(generic[1])} ${generic[1]} type`, type: t };
  // Long generic arguments inside a longer type: dropped, innermost first.
  for (let previous = ''; previous !== t && t.length > 40;) {
    previous = t;
    t = t.replace(/([A-Za-z_$][\w$.]*)<([^<>]{30,})>/, '$1');
  }
  return { type: t.split(OBJECT).join('object') };
}

/** Where the `<` at `open` is closed (arrows `=>` are not brackets), or -1. */
function closingAngle(type: string, open: number): number {
  let depth = 0;
  for (let i = open; i < type.length; i++) {
    if (type[i] === '<') depth++;
    else if (type[i] === '>' && type[i - 1] !== '=' && --depth === 0) return i;
  }
  return -1;
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/** The sentences of a message, not split inside quotes. */
function sentencesOf(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if ((ch === "'" || ch === '"' || ch === '`') && !/\w/.test(text[i - 1] ?? '')) {
      quote = ch;
    } else if (/[.!?]/.test(ch) && text[i + 1] === ' ' && /[A-Z]/.test(text[i + 2] ?? '')) {
      out.push(text.slice(start, i + 1).trim());
      start = i + 1;
    }
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Cuts at a word boundary at most `max` long, never inside a quoted fragment. */
function cutAtWord(text: string, max: number): string {
  let cut = text.slice(0, max + 1);
  const quotes = [...cut.matchAll(/(?<!\w)['"`]/g)];
  const lastQuote = quotes.at(-1);
  // An odd number of quotes: the cut falls inside a fragment; cut before it.
  if (lastQuote && quotes.length % 2 === 1 && lastQuote.index !== undefined && lastQuote.index > 20) cut = cut.slice(0, lastQuote.index);
  return `${cut.replace(/\s+\S*$/, '').replace(/[\s,;:]+$/, '')}…`;
}

/**
 * Collapses long type dumps so the point of a message survives, keeping its sentence:
 * "Type '{ a: string; b: { … }; }' is not assignable to type 'Props'." →
 * "Type, an object type, is not assignable to type 'Props'." Long unions become "a union
 * of N types". If still too long, whole sentences are kept while they fit, then the text
 * is cut at a word and ends in "…". `truncated` tells whether anything was left out.
 */
export function shortenMessage(message: string, max: number = DEFAULT_MAX_MESSAGE_CHARS): { text: string; truncated: boolean } {
  const original = message.replace(/\s+/g, ' ').trim();
  // Big types (past LONG_FRAGMENT) are collapsed even in a message that fits: read out, they are noise.
  let text = collapseFragments(original, LONG_FRAGMENT);
  if (text.length > max) text = collapseFragments(text, SHORT_FRAGMENT);
  if (text.length > max) {
    const sentences = sentencesOf(text);
    let kept = '';
    for (const s of sentences) {
      const next = kept ? `${kept} ${s}` : s;
      if (next.length > max) break;
      kept = next;
    }
    text = kept || cutAtWord(sentences[0] ?? text, max);
  }
  return { text, truncated: text !== original };
}

/** Quoted types longer than `longerThan` said in a few words where that is possible. */
function collapseFragments(text: string, longerThan: number): string {
  const collapsed = text.replace(QUOTED, (whole: string, a?: string, b?: string, c?: string) => {
    const inner = a ?? b ?? c ?? '';
    if (inner.length <= longerThan) return whole;
    const shortened = shortenType(inner);
    if (shortened.phrase) return `, ${shortened.phrase},`;
    const q = whole[0];
    return `${q}${shortened.type}${q}`;
  });
  if (collapsed === text) return text;
  // ", an object type," at a sentence's end or before another comma reads as one pause.
  return collapsed
    .replace(/,\s*([.!?;:])/g, '$1')
    .replace(/,\s*,/g, ',')
    .replace(/\s+,/g, ',')
    .replace(/\(\s*,\s*/g, '(')
    .replace(/,\s*\)/g, ')')
    .replace(/^,\s*/, '');
}

// ---------------------------------------------------------------------------------------
// The message in words

const SYMBOL_NAMES: Record<string, string> = {
  ';': 'semicolon',
  ':': 'colon',
  ',': 'comma',
  '.': 'dot',
  '{': 'open brace',
  '}': 'close brace',
  '(': 'open paren',
  ')': 'close paren',
  '[': 'open bracket',
  ']': 'close bracket',
  '<': 'less than',
  '>': 'greater than',
  '=': 'equals sign',
  '==': 'double equals',
  '===': 'triple equals',
  '!=': 'not equals',
  '!==': 'strict not equals',
  '=>': 'arrow',
  '->': 'arrow',
  '+': 'plus',
  '-': 'minus',
  '*': 'star',
  '/': 'slash',
  '%': 'percent',
  '&': 'ampersand',
  '&&': 'double ampersand',
  '|': 'pipe',
  '||': 'double pipe',
  '!': 'exclamation mark',
  '?': 'question mark',
  '??': 'double question mark',
  '?.': 'question mark dot',
  '#': 'hash',
  '@': 'at sign',
  $: 'dollar',
  '^': 'caret',
  '~': 'tilde',
  '\\': 'backslash',
  '`': 'backtick',
  "'": 'quote',
  '"': 'double quote',
  '...': 'three dots',
  '..': 'two dots',
  '::': 'double colon',
  '<=': 'less than or equal',
  '>=': 'greater than or equal',
  '+=': 'plus equals',
  '-=': 'minus equals',
  '++': 'plus plus',
  '--': 'minus minus',
  '<<': 'shift left',
  '>>': 'shift right',
  '**': 'double star',
  ':=': 'colon equals',
};

const RUST_SOURCES = /^(rustc|rust|rust-analyzer|clippy|cargo)$/i;

/**
 * What the general speakable rules cannot know about diagnostics: a quoted lone symbol is
 * the point of the message ("expected ';' before '}'" → "expected semicolon before close
 * brace"); `T[]` is an array; nested generics read "Promise of Map of string, User"; in
 * Rust `&str` is a reference; './lib/util' is a module, not a division.
 */
function prepareMessage(message: string, source: string | undefined): string {
  let text = message.replace(
    /(['"`\u2018])([^\w\s'"`\u2018\u2019]{1,3})(['"`\u2019])/g,
    (whole, open: string, symbol: string, close: string) => {
      if (open === '\u2018' ? close !== '\u2019' : close !== open) return whole;
      return ` ${SYMBOL_NAMES[symbol] ?? [...symbol].map((ch) => SYMBOL_NAMES[ch] ?? ch).join(' ')} `;
    },
  );
  // Module specifiers: './util/strings' → "util slash strings", '@scope/pkg' → "at scope slash pkg".
  text = text.replace(
    /'"?((?:\.{1,2}\/)+[\w@.+-][\w@.+/-]*|@[\w.-]+\/[\w@.+/-]+)"?'|"((?:\.{1,2}\/)+[\w@.+-][\w@.+/-]*|@[\w.-]+\/[\w@.+/-]+)"/g,
    (_m, a?: string, b?: string) =>
      ` ${(a ?? b ?? '')
        .replace(/^(?:\.{1,2}\/)+/, '')
        .replace(/^@/, 'at ')
        .split('/')
        .filter(Boolean)
        .join(' slash ')} `,
  );
  text = text.replace(/\.\.\.\s*(\d+)\s+more\s*\.\.\./g, '$1 more');
  text = text.replace(/([\w$>\])])\[\]/g, '$1 array');
  for (let previous = ''; previous !== text;) {
    previous = text;
    text = text.replace(/\b([A-Za-z_$][\w$.:]*)<([^<>'"`\n]{0,200})>/g, (_m, name: string, args: string) =>
      args.trim() ? `${name} of ${args}` : name,
    );
  }
  if (source && RUST_SOURCES.test(source)) {
    text = text.replace(
      /`([^`\n]*)`/g,
      (_m, code: string) => `\`${code.replace(/&\s*mut\s+/g, 'mutable reference to ').replace(/&(?=['\w([])/g, 'reference to ')}\``,
    );
  }
  return text;
}

/** A gcc/clang warning flag at the end of a message: "unused variable 'x' [-Wunused-variable]". */
function splitFlag(message: string): { message: string; flag?: string } {
  // A leading "error:" / "error[E0308]:" (raw compiler output) repeats the severity; its code is kept.
  let flag: string | undefined;
  let text = message.replace(/^\s*(?:error|warning|note|info|hint)(?:\[([\w-]+)\])?\s*:\s*/i, (_m, code?: string) => {
    flag = code;
    return '';
  });
  const m = /\s*\[(-W[\w=+-]+)\]\s*$/.exec(text);
  if (m) {
    flag ??= m[1];
    text = text.slice(0, m.index);
  }
  return { message: text, flag };
}

const KEEP_CAPITALIZED = new Set([
  'I',
  'React',
  'TypeScript',
  'JavaScript',
  'Python',
  'Rust',
  'Go',
  'Java',
  'Kotlin',
  'Swift',
  'Node',
  'Deno',
  'Vue',
  'Svelte',
  'Angular',
  'Pylance',
  'Pyright',
  'ESLint',
  'Prettier',
]);

/** "Cannot find…" after "Error on line 2:" reads better in lower case — not a name or an acronym. */
function lowerFirst(words: string): string {
  const m = /^([A-Z][a-z]+)(\s+\S+)?/.exec(words);
  if (!m || KEEP_CAPITALIZED.has(m[1])) return words;
  // "React Hook useEffect…", "Visual Studio…": two capitalised words are likely a name.
  if (m[2] && /^\s+[A-Z][a-z]/.test(m[2])) return words;
  return words[0].toLowerCase() + words.slice(1);
}

const capitalize = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);
const endSentence = (s: string) => (!s ? s : /[.!?]$/.test(s) ? s : `${s.replace(/[,;:]+$/, '')}.`);

function speakLine(line: string, p: ProblemInfo, punctuation: PunctuationLevel | undefined): string {
  const words = toSpeakable(prepareMessage(line, p.source), { kind: 'message', punctuation })
    .replace(/\s*…\.?$/, ', and more.')
    .replace(/\s+/g, ' ')
    .trim();
  return endSentence(words);
}

function where(p: ProblemInfo, includeColumn: boolean): string {
  return `${SEVERITY_NAMES[p.severity] ?? 'Problem'} on line ${p.line + 1}${includeColumn ? `, column ${p.character + 1}` : ''}`;
}

/**
 * A problem in words: "Error on line 12: cannot find name foo. TypeScript 2304."
 * `short` has the first line of the message, shortened past `maxMessageChars`; `full`
 * every line, each a sentence (rustc's notes, tsc's elaboration chain).
 */
export function describeProblem(p: ProblemInfo, options: WordingOptions = {}): ProblemWords {
  const flagged = splitFlag(p.message);
  const code = p.code ?? flagged.flag;
  const lines = flagged.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const head = where(p, options.includeColumn === true);
  const tail = sourceAndCode(p, code);
  const finish = (message: string) =>
    `${head}: ${message || 'no message.'}${tail ? ` ${endSentence(tail)}` : ''}`.replace(/\s+/g, ' ').trim();

  const shortened = shortenMessage(lines[0] ?? '', options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS);
  const short = finish(lowerFirst(speakLine(shortened.text, p, options.punctuation)));
  const spokenLines = lines.map((l) => speakLine(l, p, options.punctuation)).filter(Boolean);
  const full = finish(spokenLines.map((l, i) => (i === 0 ? lowerFirst(l) : capitalize(l))).join(' '));
  return { short, full, truncated: shortened.truncated || lines.length > 1 };
}

/** Whether the column tells `p` apart from another problem in `among` (see the top of this file). */
export function columnHelps(p: ProblemInfo, among: readonly ProblemInfo[]): boolean {
  return among.some((q) => q !== p && q.severity === p.severity && q.line === p.line && q.character !== p.character);
}

function describeAmong(p: ProblemInfo, among: readonly ProblemInfo[], options: WordingOptions): ProblemWords {
  return describeProblem(p, { ...options, includeColumn: options.includeColumn ?? columnHelps(p, among) });
}

/** What "Read Problem at Cursor" says: each problem of the line, in the order given. */
export function describeProblems(problems: ProblemInfo[], options: WordingOptions = {}, full = false): string {
  return problems.map((p) => describeAmong(p, problems, options)[full ? 'full' : 'short']).join(' ');
}

// ---------------------------------------------------------------------------------------
// Summaries

/** 0 for the most severe; an unknown severity ranks last. */
export const severityRank = (s: Severity) => {
  const i = SEVERITY_ORDER.indexOf(s);
  return i < 0 ? SEVERITY_ORDER.length : i;
};

/** By start position, then most severe first. */
export function compareProblems(a: ProblemInfo, b: ProblemInfo): number {
  return a.line - b.line || a.character - b.character || severityRank(a.severity) - severityRank(b.severity);
}

function countPhrase(count: number, severity: Severity): string {
  return `${count} ${SEVERITY_WORDS[severity][count === 1 ? 0 : 1]}`;
}

function joinPhrases(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** "app.ts has 3 errors and 1 warning." / "app.ts has no problems." */
export function summarizeProblems(problems: ProblemInfo[], fileName: string): string {
  const parts = SEVERITY_ORDER.map((s) => [s, problems.filter((p) => p.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => countPhrase(n, s));
  return parts.length === 0 ? `${fileName} has no problems.` : `${fileName} has ${joinPhrases(parts)}.`;
}

/** The summary, then each problem in line order: one utterance each. */
export function describeFileProblems(problems: ProblemInfo[], fileName: string, options: WordingOptions = {}): string[] {
  return [
    summarizeProblems(problems, fileName),
    ...[...problems].sort(compareProblems).map((p) => describeAmong(p, problems, options).short),
  ];
}

/**
 * After a save: "2 new errors in app.ts. Error on line 3: … Error on line 9: …"; more than
 * `maxListed` → the count, the first `maxListed`, then "And 4 more." Empty for none.
 */
export function summarizeNewErrors(newProblems: ProblemInfo[], fileName: string, maxListed = 3, options: WordingOptions = {}): string {
  if (newProblems.length === 0) return '';
  const sorted = [...newProblems].sort(compareProblems);
  const severities = new Set(sorted.map((p) => p.severity));
  const one = sorted.length === 1;
  const noun = severities.size === 1 ? SEVERITY_WORDS[sorted[0].severity][one ? 0 : 1] : one ? 'problem' : 'problems';
  const listed = sorted.slice(0, Math.max(0, maxListed)).map((p) => describeAmong(p, sorted, options).short);
  const rest = sorted.length - listed.length;
  return [`${sorted.length} new ${noun} in ${fileName}.`, ...listed, rest > 0 ? `And ${rest} more.` : ''].filter(Boolean).join(' ');
}
