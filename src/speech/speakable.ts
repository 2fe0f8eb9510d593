// Turns source code, prose, Markdown and compiler messages into text a TTS engine
// reads well, the way a person reads code aloud. Linear time, never throws.

export type PunctuationLevel = 'none' | 'some' | 'all';
export type TextKind = 'code' | 'prose' | 'markdown' | 'message';

export interface SpeakableOptions {
  kind: TextKind;
  punctuation?: PunctuationLevel;
  /** VS Code language id, a hint (e.g. 'python' makes `#` a comment). */
  languageId?: string;
  /** The user's own words for some terms (`kokoro.pronunciations`), from compilePronunciations. */
  pronunciations?: Pronunciations;
}

/** Whole words to say otherwise, compiled once for every block of text. */
export interface Pronunciations {
  pattern: RegExp;
  /** Lower-cased term → what to say. */
  say: ReadonlyMap<string, string>;
}

/**
 * Compiles `{"kubectl": "cube control", "nginx": "engine x"}`: terms match as whole words, in any
 * letter case, longest first; undefined when there are none.
 */
export function compilePronunciations(map: Readonly<Record<string, string>>): Pronunciations | undefined {
  const say = new Map<string, string>();
  for (const [term, spoken] of Object.entries(map)) if (term.trim()) say.set(term.trim().toLowerCase(), spoken);
  if (say.size === 0) return undefined;
  const terms = [...say.keys()].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { pattern: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${terms.join('|')})(?![\\p{L}\\p{N}_])`, 'giu'), say };
}

/** Says the user's terms their way, in text already made speakable (identifiers are split by then). */
export function applyPronunciations(text: string, pronunciations: Pronunciations | undefined): string {
  if (!pronunciations) return text;
  return text.replace(pronunciations.pattern, (term) => pronunciations.say.get(term.toLowerCase()) ?? term);
}

const PROSE_LANGUAGES = new Set([
  'plaintext',
  'text',
  'log',
  'txt',
  'restructuredtext',
  'asciidoc',
  'latex',
  'tex',
  'org',
  'output',
  'git-commit',
  'scminput',
]);

export function kindForLanguage(languageId: string): TextKind {
  if (languageId === 'markdown' || languageId === 'mdx') return 'markdown';
  if (PROSE_LANGUAGES.has(languageId)) return 'prose';
  return 'code';
}

/**
 * Rewrites what Kokoro takes as control syntax (`[pause:1s]`, `[word](/phonemes/)`) into
 * plain words, and drops every other square bracket, so no text can steer the engine.
 */
export function neutralizeControlSyntax(text: string): string {
  return rewriteControlSyntax(text).replace(/[[\]]/g, ' ');
}

/** `[pause:1s]` → "pause 1 seconds", `[word](/phonemes/)` → "word"; other brackets stay. */
function rewriteControlSyntax(text: string): string {
  return text
    .replace(
      /\[\s*pause\s*:\s*([\d.]+)\s*(m?s)?\s*\]/gi,
      (_m, n: string, unit?: string) => ` pause ${n} ${unit?.toLowerCase() === 'ms' ? 'milliseconds' : 'seconds'} `,
    )
    .replace(/\[([^\]\n]{0,200})\]\(\s*\/[^)\n]{0,200}\)/g, '$1');
}

/** Drops NUL and other control characters, replaces broken surrogates, unifies line ends. */
function sanitize(text: string): string {
  const wellFormed =
    typeof (text as { toWellFormed?: () => string }).toWellFormed === 'function'
      ? (text as unknown as { toWellFormed(): string }).toWellFormed()
      : text;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return wellFormed.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]/g, ' ');
}

const ACRONYMS = new Set([
  'API',
  'APIs',
  'CPU',
  'CSS',
  'CSV',
  'DNS',
  'DOM',
  'GPU',
  'HTML',
  'HTTP',
  'HTTPS',
  'IO',
  'IP',
  'JSON',
  'JWT',
  'OS',
  'PDF',
  'RAM',
  'SDK',
  'SQL',
  'SSH',
  'SSL',
  'TCP',
  'TLS',
  'TTS',
  'UDP',
  'UI',
  'URI',
  'URL',
  'UTF',
  'UUID',
  'XML',
  'YAML',
]);

/** `getUserById` → "get user by id", `HTTPServer` → "HTTP server", `MAX_RETRIES` → "max retries". */
export function splitIdentifier(word: string): string {
  const core = word.replace(/^[_$]+|[_$]+$/g, '');
  if (!core) return '';
  const screaming = /^[A-Z0-9_]+$/.test(core) && /[A-Z]{2}/.test(core) && core.includes('_');
  const parts = core
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z]{2,})(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z]{2,})/g, '$1 $2')
    .split(/[_\-\s$]+/)
    .filter(Boolean);
  return parts
    .map((p) => {
      if (ACRONYMS.has(p)) return p;
      if (screaming) return p.toLowerCase();
      if (/^[A-Z]{2,5}$/.test(p)) return p;
      return /^[A-Z][a-z]/.test(p) || /^[A-Z]$/.test(p) ? p.toLowerCase() : p;
    })
    .join(' ');
}

function shortenUrl(url: string): string {
  const trimmed = url.replace(/[.,;:!?)'"]+$/, '');
  try {
    const u = new URL(trimmed);
    const host = u.hostname.replace(/^www\./, '');
    const last = u.pathname.split('/').filter(Boolean).pop();
    return last && last.length <= 40 ? `link to ${host}, ${decodeURIComponentSafe(last)}` : `link to ${host}`;
  } catch {
    return 'a link';
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function shortenPath(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p && p !== '.' && p !== '..' && !/^[A-Za-z]:$/.test(p));
  const tail = parts.slice(-2).join(', ');
  return `path ending in ${tail}`;
}

const URL_RE = /\b(?:https?|ftp|file):\/\/[^\s<>"'`)\]]+/g;
const UUID_RE = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
const PATH_RE = /(?:\b[A-Za-z]:\\|~?\/|\.{1,2}\/|\b)(?:[\w@.+-]+[\\/]){2,}[\w@.+-]*\w/g;
const HASH_RE = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/gi;
const BASE64_RE = /(?<![\w+/])(?=[A-Za-z0-9+/_-]*[0-9])(?=[A-Za-z0-9+/_-]*[a-z])(?=[A-Za-z0-9+/_-]*[A-Z])[A-Za-z0-9+/_-]{24,}={0,2}/g;

/** URLs, UUIDs, paths, hashes and encoded blobs become short phrases. */
function shortenNoise(text: string): string {
  return text
    .replace(URL_RE, (m) => ` ${shortenUrl(m)} `)
    .replace(UUID_RE, ' a UUID ')
    .replace(PATH_RE, (m) => (m.includes('/') || m.includes('\\') ? ` ${shortenPath(m)} ` : m))
    .replace(HASH_RE, ' a hash ')
    .replace(BASE64_RE, ' a long encoded string ');
}

const WORDS_SOME: Array<[string, string]> = [
  ['===', ' equals '],
  ['!==', ' not equal to '],
  ['**=', ' power equals '],
  ['<<=', ' shift left equals '],
  ['>>=', ' shift right equals '],
  ['...', ' spread '],
  ['=>', ' arrow '],
  ['->', ' arrow '],
  ['==', ' equals '],
  ['!=', ' not equal to '],
  ['<=', ' less than or equal to '],
  ['>=', ' greater than or equal to '],
  ['&&', ' and '],
  ['||', ' or '],
  ['??', ' or else '],
  ['?.', ' dot '],
  ['::', ' '],
  ['+=', ' plus equals '],
  ['-=', ' minus equals '],
  ['*=', ' times equals '],
  ['/=', ' divided by equals '],
  ['%=', ' mod equals '],
  ['++', ' plus plus '],
  ['--', ' minus minus '],
  ['**', ' to the power of '],
  ['<<', ' shift left '],
  ['>>', ' shift right '],
  [':=', ' is '],
  ['=', ' equals '],
  ['+', ' plus '],
  ['-', ' minus '],
  ['*', ' times '],
  ['/', ' divided by '],
  ['%', ' mod '],
  ['!', ' not '],
  ['<', ' less than '],
  ['>', ' greater than '],
  ['&', ' and '],
  ['|', ' or '],
  ['^', ' xor '],
  ['~', ' tilde '],
  ['?', ' '],
  [':', ' '],
  [';', ', '],
  [',', ', '],
  ['.', ' dot '],
  ['(', ' '],
  [')', ' '],
  ['{', ' '],
  ['}', ' '],
  ['[', ' '],
  [']', ' '],
  ['@', ' at '],
  ['#', ' '],
  ['$', ' '],
  ['\\', ' '],
  ['`', ' '],
  ['"', ' '],
  ["'", ' '],
];
const WORDS_ALL: Record<string, string> = {
  '(': ' open paren ',
  ')': ' close paren ',
  '{': ' open brace ',
  '}': ' close brace ',
  '[': ' open bracket ',
  ']': ' close bracket ',
  ';': ' semicolon ',
  ',': ' comma ',
  ':': ' colon ',
  '?': ' question mark ',
  '#': ' hash ',
  $: ' dollar ',
  '\\': ' backslash ',
  '`': ' backtick ',
  '"': ' quote ',
  "'": ' quote ',
  '.': ' dot ',
};
const SOME = new Map(WORDS_SOME);
const OPERATOR_RE =
  /\*\*=|<<=|>>=|\.\.\.|===|!==|=>|->|==|!=|<=|>=|&&|\|\||\?\?|\?\.|::|\+=|-=|\*=|\/=|%=|\+\+|--|\*\*|<<|>>|:=|[=+\-*/%!<>&|^~?:;,.(){}[\]@#$\\`"']/g;

/** A code token stream → words. */
function codeWords(code: string, level: PunctuationLevel): string {
  // Generic type arguments: Array<string> → "Array of string", Map<K, V> → "Map of K, V".
  let text = code.replace(
    /\b([A-Za-z_$][\w$]*)<([\w$ ,.[\]|]{1,80})>/g,
    (_m, name: string, args: string) => `${name} of ${args.replace(/\[\]/g, ' array')}`,
  );
  text = text
    .replace(/\b0x([0-9a-fA-F]+)\b/g, (_m, digits: string) =>
      digits.length <= 8 ? ` hex ${digits.toUpperCase().split('').join(' ')} ` : ' a hex number ',
    )
    .replace(/\bv(\d+(?:\.\d+)+)\b/g, ' version $1 ');
  // Numbers with a decimal point or versions keep their dots; identifiers are split into words.
  const out: string[] = [];
  let last = 0;
  const token =
    /(\d+(?:\.\d+)+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)|([\p{L}_$][\p{L}\p{N}_$]*)|"((?:[^"\\\n]|\\.){0,2000})"|'((?:[^'\\\n]|\\.){0,2000})'|`([^`\n]{0,2000})`/gu;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    out.push(symbols(text.slice(last, m.index), level));
    const literal = m[3] ?? m[4] ?? m[5];
    if (literal !== undefined) {
      const words = stringWords(literal);
      out.push(level === 'all' ? ` quote ${words} quote ` : ` ${words} `);
    } else {
      out.push(m[1] ?? splitIdentifier(m[2]));
    }
    last = m.index + m[0].length;
  }
  out.push(symbols(text.slice(last), level));
  return out.join(' ');
}

/** The text inside a string literal: words, with identifiers split and symbols as spaces. */
function stringWords(literal: string): string {
  return shortenNoise(literal)
    .replace(/\\[nrt]/g, ' ')
    .replace(/[\p{L}_$][\p{L}\p{N}_$-]*/gu, (w) => splitIdentifier(w))
    .replace(/[^\s\p{L}\p{N}.,!?']/gu, ' ');
}

function symbols(run: string, level: PunctuationLevel): string {
  if (!run.trim()) return run;
  if (level === 'none') return run.replace(/[;,]/g, ', ').replace(/[^\s,\p{L}\p{N}]/gu, ' ');
  return run.replace(OPERATOR_RE, (op) => (level === 'all' && WORDS_ALL[op]) || SOME.get(op) || ' ');
}

const HASH_COMMENT_LANGUAGES =
  /^(python|shellscript|bash|sh|zsh|fish|powershell|ruby|perl|r|yaml|toml|dockerfile|makefile|cmake|coffeescript|elixir|julia|nim|properties|ini|conf|nix|terraform|hcl|graphql|gitignore|ignore|awk|tcl)$/;

/** A line of code → words, with its comment marker dropped (or said, at 'all'). */
function codeLine(line: string, level: PunctuationLevel, languageId: string | undefined): string {
  let body = line.trim();
  let comment = false;
  const hashComments = languageId !== undefined && HASH_COMMENT_LANGUAGES.test(languageId);
  const marker = /^(\/\/+!?|\/\*+|\*+\/|\*(?!\*)|<!--|-->|--(?=\s)|;;+|#(?=\s|!|$))/.exec(body) ?? (hashComments ? /^#+/.exec(body) : null);
  if (marker) {
    comment = true;
    body = body
      .slice(marker[0].length)
      .replace(/\*+\/\s*$|-->\s*$/, '')
      .trim();
  }
  const trailing = /^(.*?\S)\s*(\/\/|(?<=\s)#)\s(.*)$/.exec(body);
  if (!comment && trailing && !/["'`]/.test(trailing[1])) {
    body = `${trailing[1]}; ${trailing[3]}`;
  }
  if (comment) {
    const prose = proseLine(body);
    return level === 'all' && prose ? `comment: ${prose}` : prose;
  }
  return codeWords(shortenNoise(body), level);
}

function proseLine(line: string): string {
  return shortenNoise(line)
    .replace(/`([^`]{1,200})`/g, (_m, code: string) => codeWords(code, 'some'))
    .replace(/\*\*|__|~~/g, '')
    .replace(/(^|\s)[*_]([^*_\s][^*_]{0,200}?)[*_](?=\s|[.,;:!?]|$)/g, '$1$2');
}

/** Collapses spaces and makes the piece end as a sentence, so the server pauses there. */
function sentence(piece: string): string {
  let s = piece
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .trim();
  s = s.replace(/^[,;:.\s]+/, '').replace(/[,;:\s]+$/, '');
  if (!/[\p{L}\p{N}]/u.test(s)) return '';
  return /[.!?…]["'”’)]*$/.test(s) ? s : `${s}.`;
}

function codeToSpeech(text: string, level: PunctuationLevel, languageId?: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const spoken = sentence(codeLine(line, level, languageId));
    if (spoken) out.push(spoken);
  }
  return out;
}

/** Prose: a line ending mid-sentence that continues in lower case is joined to the next. */
function proseToSpeech(text: string): string[] {
  const out: string[] = [];
  let paragraph = '';
  const flush = () => {
    const s = sentence(paragraph);
    if (s) out.push(s);
    paragraph = '';
  };
  for (const raw of text.split('\n')) {
    const line = proseLine(raw.trim());
    if (!line) {
      flush();
      continue;
    }
    if (paragraph && (/[.!?…:]["'”’)]*$/.test(paragraph.trim()) || !/^[\p{Ll}\p{N}(]/u.test(line))) flush();
    paragraph = paragraph ? `${paragraph} ${line}` : line;
  }
  flush();
  return out;
}

/** Compiler messages: quoted fragments are code; the rest is prose. */
function messageToSpeech(text: string, level: PunctuationLevel): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const spoken = shortenNoise(line.trim())
      .replace(
        /'([^'\n]{1,400})'|`([^`\n]{1,400})`|"([^"\n]{1,400})"|‘([^’\n]{1,400})’/g,
        (_m, a?: string, b?: string, c?: string, d?: string) =>
          codeWords(a ?? b ?? c ?? d ?? '', level === 'all' ? 'all' : 'some').replace(/,(\s*,)+/g, ','),
      )
      .replace(/\b([a-z]+[A-Z][\w]*|[a-z]+_[a-z_\d]+)\b/g, (m) => splitIdentifier(m));
    const s = sentence(spoken);
    if (s) out.push(s);
  }
  return out;
}

const LANGUAGE_NAMES: Record<string, string> = {
  js: 'JavaScript',
  javascript: 'JavaScript',
  ts: 'TypeScript',
  typescript: 'TypeScript',
  tsx: 'TypeScript',
  jsx: 'JavaScript',
  py: 'Python',
  python: 'Python',
  rs: 'Rust',
  rust: 'Rust',
  go: 'Go',
  java: 'Java',
  c: 'C',
  cpp: 'C++',
  'c++': 'C++',
  cs: 'C#',
  csharp: 'C#',
  sh: 'shell',
  bash: 'shell',
  shell: 'shell',
  zsh: 'shell',
  console: 'shell',
  json: 'JSON',
  yaml: 'YAML',
  yml: 'YAML',
  toml: 'TOML',
  html: 'HTML',
  css: 'CSS',
  sql: 'SQL',
  rb: 'Ruby',
  ruby: 'Ruby',
  kt: 'Kotlin',
  kotlin: 'Kotlin',
  swift: 'Swift',
  php: 'PHP',
  diff: 'diff',
};

function markdownToSpeech(text: string, level: PunctuationLevel): string[] {
  const out: string[] = [];
  let fence: { marker: string; language?: string } | undefined;
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(...proseToSpeech(paragraph.join('\n')));
    paragraph = [];
  };
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const fenceMatch = /^\s*(```+|~~~+)\s*([\w+#-]*)/.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1][0] === fence.marker[0] && fenceMatch[1].length >= fence.marker.length && !fenceMatch[2]) {
        fence = undefined;
        out.push('End of code block.');
      } else {
        out.push(...codeToSpeech(line, level, fence.language));
      }
      continue;
    }
    if (fenceMatch) {
      flush();
      const language = fenceMatch[2]?.toLowerCase() || undefined;
      fence = { marker: fenceMatch[1], language };
      const name = language ? (LANGUAGE_NAMES[language] ?? language) : '';
      out.push(name ? `${name[0].toUpperCase()}${name.slice(1)} code block.` : 'Code block.');
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line) || /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line)) continue; // rules, table separators
    let text = line
      .replace(/<[^>\n]{1,200}>/g, (tag) => (/^<https?:/.test(tag) ? tag.slice(1, -1) : ' '))
      .replace(/!\[([^\]\n]*)\]\([^)\n]*\)/g, (_m, alt: string) => (alt ? ` image: ${alt}. ` : ' image. '))
      .replace(/\[([^\]\n]+)\]\([^)\n]*\)/g, '$1')
      .replace(/\[([^\]\n]+)\]\[[^\]\n]*\]/g, '$1');
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    const item = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(text);
    const quote = /^\s*>\s?(.*)$/.exec(text);
    if (heading || item) {
      flush();
      const s = sentence(proseLine((heading ?? item)![1]));
      if (s) out.push(s);
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(text)) {
      flush();
      const cells = text
        .trim()
        .slice(1, -1)
        .split('|')
        .map((c) => proseLine(c.trim()))
        .filter(Boolean);
      const s = sentence(cells.join(', '));
      if (s) out.push(s);
      continue;
    }
    if (quote) text = quote[1];
    paragraph.push(text);
  }
  flush();
  if (fence) out.push('End of code block.');
  return out;
}

export function toSpeakable(text: string, options: SpeakableOptions): string {
  try {
    const clean = rewriteControlSyntax(sanitize(text));
    const level = options.punctuation ?? 'some';
    let sentences: string[];
    switch (options.kind) {
      case 'code':
        sentences = codeToSpeech(clean, level, options.languageId);
        break;
      case 'markdown':
        sentences = markdownToSpeech(clean, level);
        break;
      case 'message':
        sentences = messageToSpeech(clean, level);
        break;
      default:
        sentences = proseToSpeech(clean);
    }
    return neutralizeControlSyntax(applyPronunciations(sentences.join(' '), options.pronunciations))
      .replace(/\s{2,}/g, ' ')
      .trim();
  } catch {
    return neutralizeControlSyntax(sanitize(text)).replace(/\s+/g, ' ').trim();
  }
}
