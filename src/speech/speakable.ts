// Turns source code, prose, Markdown and compiler messages into text a TTS engine
// reads well, the way a person reads code aloud.
//
// Plain Node, no `vscode`. Linear time (hand-written lexer, no regular expression that
// can backtrack without bound), never throws, output on one line: every source line
// that carries words ends as a sentence, so the server pauses there.

export type PunctuationLevel = 'none' | 'some' | 'all';
/** `message` is a compiler or linter diagnostic message. */
export type TextKind = 'code' | 'prose' | 'markdown' | 'message';

export interface SpeakableOptions {
  kind: TextKind;
  /** Default 'some'. */
  punctuation?: PunctuationLevel;
  /** VS Code language id, a hint (e.g. 'python' makes `#` a comment). */
  languageId?: string;
}

// =======================================================================================
// Public entry points

const PROSE_LANGUAGES = new Set([
  'plaintext', 'text', 'txt', 'log', 'output', 'git-commit', 'git-rebase', 'scminput', 'restructuredtext', 'asciidoc', 'org', 'textile', 'bibtex', 'todo',
]);

/** Picks a TextKind from a VS Code language id. */
export function kindForLanguage(languageId: string): TextKind {
  const id = typeof languageId === 'string' ? languageId.trim().toLowerCase() : '';
  if (id === 'markdown' || id === 'mdx' || id === 'md' || id === 'quarto' || id === 'rmd') return 'markdown';
  if (!id || PROSE_LANGUAGES.has(id)) return 'prose';
  return 'code';
}

/**
 * Rewrites anything Kokoro would take as control syntax so it is read as text, not obeyed:
 * `[pause:1.5s]` → "pause 1.5 seconds", `[word](/phonemes/)` → "word", and every other
 * square bracket dropped (misaki takes any `[a](b)` as a link, newer servers know
 * `[voice:x]` and `[rate:x]`), and a leading `<speak` that would make the text SSML.
 */
export function neutralizeControlSyntax(text: string): string {
  if (typeof text !== 'string' || !text) return '';
  return rewriteControlSyntax(text)
    .replace(/[[\]]/g, ' ')
    .replace(/<(?=\s*speak)/gi, ' ');
}

/** Text for a TTS engine, on one line. Never throws; '' for empty input. */
export function toSpeakable(text: string, options: SpeakableOptions): string {
  if (typeof text !== 'string' || !text) return '';
  const level = normalizeLevel(options?.punctuation);
  try {
    const clean = rewriteControlSyntax(sanitize(text));
    let sentences: string[];
    switch (options?.kind) {
      case 'code':
        sentences = codeToSentences(clean, level, langInfo(options.languageId));
        break;
      case 'markdown':
        sentences = markdownToSentences(clean, level);
        break;
      case 'message':
        sentences = messageToSentences(clean, level);
        break;
      default:
        sentences = proseToSentences(clean, level);
    }
    return finish(sentences.join(' '));
  } catch {
    return finish(sentence(sanitize(text)));
  }
}

function normalizeLevel(level: unknown): PunctuationLevel {
  return level === 'none' || level === 'all' ? level : 'some';
}

function finish(text: string): string {
  return neutralizeControlSyntax(text)
    .replace(/\s+/g, ' ')
    .replace(/ (?=[,.;:!?](?:\s|$))/g, '')
    .trim();
}

// =======================================================================================
// Clean-up and control syntax

/** `[pause:1s]` → "pause 1 seconds", `[word](/phonemes/)` → "word"; other brackets stay. */
function rewriteControlSyntax(text: string): string {
  return text
    .replace(/\[\s*(pause|voice|rate)\s*:\s*([^\]\n]{0,80})\]/gi, (_m, tag: string, value: string) => ` ${tag.toLowerCase()} ${spokenTagValue(tag.toLowerCase(), value.trim())} `)
    .replace(/\[([^\]\n]{0,200})\]\(\s*\/[^)\n]{0,300}\)/g, ' $1 ');
}

function spokenTagValue(tag: string, value: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(value);
  if (tag === 'pause' && m) return `${m[1]} ${m[2]?.toLowerCase() === 'ms' ? 'milliseconds' : m[1] === '1' ? 'second' : 'seconds'}`;
  return value.replace(/[^\p{L}\p{N}.]+/gu, ' ');
}

/** Unifies line ends; drops NUL and other control or invisible format characters; replaces broken surrogates. */
function sanitize(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, ' ')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\u00AD\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFF9-\uFFFD]/g, ' ');
}

const HAS_WORD = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;
const ENDS_SENTENCE = /[.!?…]["'”’)»]*$/;

/** Collapses spaces and makes the piece end as a sentence, so the server pauses there; '' if it has no words. */
function sentence(piece: string): string {
  let s = piece.replace(/\s+/g, ' ').trim();
  if (!s) return '';
  s = s
    .replace(/ (?=[,;:!?]|\.(?:\s|$))/g, '')
    .replace(/([,;:])(?: ?[,;:])+/g, '$1')
    .replace(/[,;:]+(?=[.!?])/g, '')
    .replace(/^[\s,.;:!?)\]}]+/, '')
    .replace(/[\s,;:(\[{]+$/, '');
  if (!HAS_WORD.test(s)) return '';
  return ENDS_SENTENCE.test(s) ? s : `${s}.`;
}

/** Splits at internal sentence breaks ('\n') and adds each non-empty sentence. */
function pushSentences(out: string[], text: string): void {
  for (const piece of text.split('\n')) {
    const s = sentence(piece);
    if (s) out.push(s);
  }
}

// =======================================================================================
// Identifiers

const ACRONYMS = new Set([
  'AI', 'API', 'APIs', 'ASCII', 'AST', 'AWS', 'CI', 'CLI', 'CORS', 'CPU', 'CSRF', 'CSS', 'CSV', 'DB', 'DNS', 'DOM', 'EOF', 'FTP', 'GC', 'GPU', 'GUI',
  'HTML', 'HTTP', 'HTTPS', 'ID', 'IDs', 'IDE', 'IO', 'IP', 'IPC', 'JS', 'JSON', 'JSX', 'JWT', 'LLM', 'MIME', 'ML', 'NPM', 'OK', 'OS', 'PDF', 'PID', 'PR',
  'RAM', 'REST', 'RPC', 'SDK', 'SHA', 'SMTP', 'SQL', 'SSH', 'SSL', 'TCP', 'TLS', 'TS', 'TSX', 'TTL', 'TTS', 'UDP', 'UI', 'URI', 'URL', 'URLs', 'UTC',
  'UTF', 'UUID', 'VM', 'XML', 'XSS', 'YAML',
]);

const enum C {
  None,
  Lower,
  Upper,
  Digit,
  Letter,
}

function charClass(ch: string): C {
  const code = ch.charCodeAt(0);
  if (code < 128) {
    if (code >= 97 && code <= 122) return C.Lower;
    if (code >= 65 && code <= 90) return C.Upper;
    if (code >= 48 && code <= 57) return C.Digit;
    return C.None;
  }
  if (/\p{Lu}|\p{Lt}/u.test(ch)) return C.Upper;
  if (/\p{Ll}/u.test(ch)) return C.Lower;
  if (/\p{N}/u.test(ch)) return C.Digit;
  if (/[\p{L}\p{M}]/u.test(ch)) return C.Letter;
  return C.None;
}

const isLetter = (c: C) => c === C.Lower || c === C.Upper || c === C.Letter;

/**
 * An identifier in words: `getUserById` → "get user by id", `HTTPServer` → "HTTP server",
 * `MAX_RETRY_COUNT` → "max retry count", `parseJSON2XML` → "parse JSON 2 XML",
 * `__init__` → "dunder init", `kebab-case` → "kebab case". Acronyms of 2 to 5 capitals stay.
 */
export function splitIdentifier(word: string): string {
  if (typeof word !== 'string' || !word) return '';
  if (word.length > 4 && word.startsWith('__') && word.endsWith('__') && word[2] !== '_' && word[word.length - 3] !== '_') {
    const inner = splitIdentifier(word.slice(2, -2));
    return inner ? `dunder ${inner}` : '';
  }
  const chars = Array.from(word);
  const classes = chars.map(charClass);
  const screaming = !classes.includes(C.Lower) && /[_-]/.test(word);
  const pieces: string[] = [];
  let cur = '';
  let letterRun = 0;
  const flush = () => {
    if (cur) pieces.push(cur);
    cur = '';
    letterRun = 0;
  };
  for (let k = 0; k < chars.length; k++) {
    const ch = chars[k];
    const cls = classes[k];
    if (cls === C.None || ch === '_') {
      flush();
      continue;
    }
    if (cur) {
      const prev = classes[k - 1];
      let split = false;
      if (cls === C.Upper && prev === C.Lower) split = true;
      else if (cls === C.Upper && prev === C.Upper && classes[k + 1] === C.Lower) {
        // HTTPServer → HTTP Server, but URLs, APIs stay whole.
        const pluralEnd = chars[k + 1] === 's' && classes[k + 2] !== C.Lower;
        split = !pluralEnd;
      } else if (cls === C.Digit && isLetter(prev) && letterRun >= 2) split = true;
      else if (isLetter(cls) && prev === C.Digit) {
        let ahead = 0;
        while (k + ahead < chars.length && isLetter(classes[k + ahead])) ahead++;
        split = ahead >= 2;
      }
      if (split) flush();
    }
    cur += ch;
    letterRun = isLetter(cls) ? letterRun + 1 : 0;
  }
  flush();
  return pieces.map((p) => casePiece(p, screaming)).join(' ');
}

function casePiece(p: string, screaming: boolean): string {
  if (ACRONYMS.has(p)) return p;
  if (!/\p{Ll}/u.test(p) && /\p{Lu}/u.test(p)) {
    const letters = p.replace(/\P{L}/gu, '').length;
    if (letters <= 1) return p;
    return screaming || letters > 5 ? p.toLowerCase() : p;
  }
  if (/^\p{Lu}\p{Ll}/u.test(p)) return p.toLowerCase();
  return p;
}

const WORD_MAP: Record<string, string> = { elif: 'else if', todo: 'to do', fixme: 'fix me', nullptr: 'null pointer' };

function identifierWords(id: string): string {
  const mapped = WORD_MAP[id.toLowerCase()];
  if (mapped) return mapped;
  if (id === '_') return 'underscore';
  return splitIdentifier(id);
}

// =======================================================================================
// URLs, paths, hashes, UUIDs, encoded blobs, versions

/** Text chunks worth a look: a URL (which may hold `=` and `,`), or a run without spaces, quotes or brackets. */
const NOISE_CHUNK = /\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}:\/\/[^\s"'`<>]+|www\.[^\s"'`<>]+|[^\s"'`<>()[\]{}=,;|]+/g;

/** URLs, paths, hashes, UUIDs and encoded blobs become short phrases; the rest is kept. */
function shortenNoise(text: string): string {
  if (!/[/\\:.\d]|www/.test(text)) return text;
  return text.replace(NOISE_CHUNK, (chunk) => speakChunk(chunk));
}

function speakChunk(chunk: string): string {
  if (chunk.length < 6) return chunk;
  const lead = /^[*_~(“‘]+/.exec(chunk)?.[0] ?? '';
  const trail = /[.,;:!?*_~)”’]+$/.exec(chunk.slice(lead.length))?.[0] ?? '';
  const core = chunk.slice(lead.length, chunk.length - trail.length);
  const spoken = speakCore(core);
  return spoken === core ? chunk : `${lead} ${spoken} ${trail}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_INSIDE = /(?<![0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z])/g;
const HEX_INSIDE = /(?<![0-9A-Za-z])[0-9a-fA-F]{12,}(?![0-9A-Za-z])/g;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

function speakCore(core: string): string {
  if (core.length < 6) return core;
  const scheme = /^(?:[a-zA-Z][a-zA-Z0-9+.-]{1,15}:\/\/|www\.)/.exec(core);
  if (scheme) return shortenUrl(core);
  const inner = core.indexOf('://');
  if (inner > 0) {
    const start = /[a-zA-Z][a-zA-Z0-9+.-]*$/.exec(core.slice(0, inner));
    if (start) {
      const at = inner - start[0].length;
      return `${speakCore(core.slice(0, at))} ${shortenUrl(core.slice(at))}`;
    }
  }
  if (UUID.test(core)) return 'a UUID';
  const time = ISO_TIME.exec(core);
  if (time) return `${time[1]} at ${time[2]}${time[3] ? `:${time[3]}` : ''}${time[4] === 'Z' ? ' UTC' : ''}`;
  const version = /^v(\d+(?:\.\d+)+(?:-[\w.]+)?)$/i.exec(core);
  if (version) return `version ${version[1]}`;
  if (core.length >= 24 && looksEncoded(core)) return 'a long encoded string';
  if (isPath(core)) return shortenPath(core);
  let out = core;
  if (out.length >= 36) out = out.replace(UUID_INSIDE, ' a UUID ');
  if (out.length >= 12) out = out.replace(HEX_INSIDE, (hex) => (/\d/.test(hex) && /[a-f]/i.test(hex) ? ' a hash ' : hex));
  return out === core ? core : out.trim();
}

/** Base64, JWTs and other encoded runs: long, and letters, cases and digits in no pattern a word would have. */
function looksEncoded(s: string): boolean {
  if (!/^[A-Za-z0-9+/_.-]+={0,2}$/.test(s)) return false;
  let switches = 0;
  let digits = 0;
  let upper = 0;
  let lower = 0;
  let prev = C.None;
  for (let k = 0; k < s.length; k++) {
    const cls = charClass(s[k]);
    if (cls === C.Digit) digits++;
    else if (cls === C.Upper) upper++;
    else if (cls === C.Lower) lower++;
    if (k > 0 && cls !== prev) switches++;
    prev = cls;
  }
  if (!upper || !lower) return false;
  return switches >= s.length * 0.4 && (digits > 0 || /[+/=]/.test(s));
}

function isPath(s: string): boolean {
  if (!/[/\\]/.test(s)) return false;
  if (/^[A-Za-z]:[\\/]/.test(s) || /^\\\\\w/.test(s)) return true;
  if (!/^[~.\w@$%+/\\-][\w@.+~%$/\\-]*$/.test(s)) return false;
  const segments = s.split(/[\\/]+/).filter(Boolean);
  if (!segments.length || !/\p{L}/u.test(segments[segments.length - 1])) return false;
  if (/^(?:~|\.{1,2})?[\\/]/.test(s)) return segments.length >= 1 && s.length > 2;
  return segments.length >= 3;
}

/** `/usr/local/lib/node_modules/foo/index.js` → "path ending in foo slash index.js"; short paths are read whole. */
function shortenPath(path: string): string {
  const segments = path.split(/[\\/]+/).filter((p) => p && p !== '.' && p !== '..' && p !== '~' && !/^[A-Za-z]:$/.test(p));
  if (!segments.length) return path;
  if (segments.length <= 2) return segments.join(' slash ');
  return `path ending in ${segments.slice(-2).join(' slash ')}`;
}

/** `https://github.com/org/repo/blob/main/src/file.ts` → "link to github.com, file.ts". */
function shortenUrl(url: string): string {
  const trimmed = url.replace(/[.,;:!?)'"\]]+$/, '');
  try {
    const u = new URL(/^www\./i.test(trimmed) ? `http://${trimmed}` : trimmed);
    const host = u.hostname.replace(/^www\./, '');
    if (!host) return 'a link';
    const port = u.port && (host === 'localhost' || /^[\d.]+$/.test(host)) ? ` port ${u.port}` : '';
    const last = decodeSafe(u.pathname.split('/').filter(Boolean).pop() ?? '');
    const useful = last && last.length <= 40 && !looksEncoded(last) && !/^[0-9a-f]{7,}$/i.test(last) && /\p{L}/u.test(last);
    return useful ? `link to ${host}${port}, ${last}` : `link to ${host}${port}`;
  } catch {
    return 'a link';
  }
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// =======================================================================================
// Languages

interface Lang {
  id: string;
  line: string[];
  block: Array<[string, string]>;
  /** `#` starts a comment only at the start of a line and before a space (unknown languages, C's `#include` stays code). */
  hashAtStartOnly: boolean;
  triple: boolean;
  /** How `'` behaves: a string quote, Rust's char-or-lifetime, or not a quote at all. */
  squote: 'string' | 'rust' | 'none';
  /** Backtick strings may span lines (JS templates, Go raw strings). */
  backtickMultiline: boolean;
  rawBacktick: boolean;
  kebab: boolean;
  apostrophes: boolean;
  shell: boolean;
  paths: boolean;
  regex: boolean;
  python: boolean;
  ruby: boolean;
  rust: boolean;
  /** The word for a prefix `&`. */
  ref: string;
  extraOps: string[];
  markup: boolean;
  diff: boolean;
  lua: boolean;
}

const C_LIKE = new Set([
  'c', 'cpp', 'csharp', 'java', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact', 'go', 'rust', 'swift', 'kotlin', 'scala', 'dart', 'php',
  'groovy', 'objective-c', 'objective-cpp', 'css', 'scss', 'less', 'jsonc', 'json5', 'json', 'cuda-cpp', 'hlsl', 'glsl', 'shaderlab', 'solidity', 'zig',
  'proto', 'proto3', 'prisma', 'hcl', 'terraform', 'fsharp', 'd', 'vala', 'haxe', 'verilog', 'systemverilog', 'stylus', 'apex', 'qml', 'wgsl', 'v', 'odin',
]);
const HASH = new Set([
  'python', 'shellscript', 'bash', 'sh', 'zsh', 'fish', 'powershell', 'ruby', 'perl', 'perl6', 'raku', 'r', 'yaml', 'toml', 'dockerfile', 'makefile', 'cmake',
  'coffeescript', 'elixir', 'julia', 'nim', 'properties', 'ini', 'conf', 'nix', 'awk', 'tcl', 'gitignore', 'ignore', 'dotenv', 'pip-requirements',
  'requirements', 'crystal', 'gdscript', 'starlark', 'bazel', 'nginx', 'apacheconf', 'editorconfig', 'ssh_config', 'graphql', 'hcl', 'terraform', 'php',
  'jsonl', 'gitattributes', 'sed', 'just', 'meson', 'puppet', 'mojo',
]);
const DASH_DASH = new Set(['sql', 'lua', 'haskell', 'elm', 'ada', 'vhdl', 'applescript', 'purescript', 'plsql', 'mysql', 'pgsql', 'postgres', 'sqlite']);
const SEMICOLON = new Set(['clojure', 'lisp', 'commonlisp', 'scheme', 'racket', 'asm', 'nasm', 'arm', 'x86', 'ini', 'autohotkey', 'fennel', 'elisp']);
const PERCENT = new Set(['latex', 'tex', 'erlang', 'matlab', 'prolog', 'octave', 'bibtex', 'postscript']);
const KEBAB = new Set([
  'css', 'scss', 'less', 'stylus', 'html', 'xml', 'yaml', 'shellscript', 'bash', 'sh', 'zsh', 'fish', 'powershell', 'makefile', 'dockerfile', 'clojure',
  'lisp', 'commonlisp', 'scheme', 'racket', 'elisp', 'fennel', 'ignore', 'gitignore', 'properties', 'ini', 'toml', 'pip-requirements', 'nginx',
]);
const SHELL = new Set(['shellscript', 'bash', 'sh', 'zsh', 'fish', 'powershell', 'dockerfile', 'makefile', 'bat', 'cmd', 'just', 'console', 'shell-session']);
const PATHY = new Set([...SHELL, 'yaml', 'ignore', 'gitignore', 'dotenv', 'properties', 'ini', 'conf', 'pip-requirements', 'gitattributes', 'editorconfig', 'nginx']);
const MARKUP = new Set(['html', 'xml', 'xhtml', 'svg', 'xsl', 'xslt', 'vue-html', 'razor', 'aspnetcorerazor', 'jsp', 'handlebars', 'django-html', 'jinja-html', 'plist', 'xaml', 'msbuild']);
const LANGUAGE_ALIASES: Record<string, string> = {
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascriptreact', ts: 'typescript', tsx: 'typescriptreact', py: 'python', python3: 'python',
  rs: 'rust', sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', shell: 'shellscript', console: 'shellscript', 'shell-session': 'shellscript',
  yml: 'yaml', 'c++': 'cpp', cc: 'cpp', hpp: 'cpp', h: 'c', cs: 'csharp', 'c#': 'csharp', kt: 'kotlin', kts: 'kotlin', rb: 'ruby', golang: 'go',
  ps1: 'powershell', pwsh: 'powershell', dockerfile: 'dockerfile', docker: 'dockerfile', make: 'makefile', md: 'markdown', htm: 'html', vue: 'html',
  svelte: 'html', patch: 'diff', jsonc: 'jsonc', json5: 'json5', ex: 'elixir', exs: 'elixir', hs: 'haskell', tf: 'terraform', objc: 'objective-c',
  text: 'plaintext', txt: 'plaintext', proto: 'proto', psql: 'sql', postgresql: 'sql', clj: 'clojure', el: 'elisp', erl: 'erlang', m: 'objective-c',
};

const langCache = new Map<string, Lang>();

function langInfo(languageId: string | undefined): Lang {
  const raw = typeof languageId === 'string' ? languageId.trim().toLowerCase() : '';
  const id = LANGUAGE_ALIASES[raw] ?? raw;
  const cached = langCache.get(id);
  if (cached) return cached;
  const known = C_LIKE.has(id) || HASH.has(id) || DASH_DASH.has(id) || SEMICOLON.has(id) || PERCENT.has(id) || MARKUP.has(id);
  const line: string[] = [];
  const block: Array<[string, string]> = [];
  if (C_LIKE.has(id) && id !== 'css' && id !== 'json') line.push('//');
  if (C_LIKE.has(id) || !known) block.push(['/*', '*/']);
  if (id === 'lua') block.push(['--[[', ']]']);
  if (id === 'haskell' || id === 'elm' || id === 'purescript') block.push(['{-', '-}']);
  if (id === 'ocaml' || id === 'fsharp' || id === 'pascal' || id === 'mathematica') block.push(['(*', '*)']);
  if (id === 'powershell') block.push(['<#', '#>']);
  if (MARKUP.has(id)) block.push(['<!--', '-->']);
  if (HASH.has(id)) line.push('#');
  if (DASH_DASH.has(id)) line.push('--');
  if (SEMICOLON.has(id)) line.push(';');
  if (PERCENT.has(id)) line.push('%');
  if (id === 'vb' || id === 'vbscript') line.push("'");
  if (id === 'bat' || id === 'cmd') line.push('::', 'REM ', 'rem ');
  if (id === 'fortran' || id === 'fortran-modern') line.push('!');
  if (!known) line.push('//');
  const rust = id === 'rust';
  const lang: Lang = {
    id,
    line,
    block,
    hashAtStartOnly: !HASH.has(id),
    triple: ['python', 'kotlin', 'scala', 'swift', 'java', 'julia', 'toml', 'groovy', 'elixir', 'mojo', 'starlark', 'bazel'].includes(id),
    squote: rust ? 'rust' : SEMICOLON.has(id) || id === 'vb' || id === 'vbscript' || id === 'ocaml' || id === 'haskell' ? 'none' : 'string',
    backtickMultiline: ['javascript', 'typescript', 'javascriptreact', 'typescriptreact', 'go'].includes(id),
    rawBacktick: id === 'go',
    kebab: KEBAB.has(id),
    apostrophes: !known || ['yaml', 'ini', 'properties', 'dotenv', 'latex', 'tex', 'markdown', 'plaintext', 'toml', 'makefile', 'dockerfile'].includes(id),
    shell: SHELL.has(id),
    paths: PATHY.has(id),
    regex: ['javascript', 'typescript', 'javascriptreact', 'typescriptreact'].includes(id),
    python: id === 'python' || id === 'mojo' || id === 'starlark',
    ruby: id === 'ruby' || id === 'crystal',
    rust,
    ref: rust ? 'ref' : ['c', 'cpp', 'go', 'objective-c', 'objective-cpp', 'cuda-cpp', 'zig', 'odin'].includes(id) ? 'address of' : 'ref',
    extraOps: ['go', 'r', 'haskell', 'scala', 'elixir', 'ocaml', 'fsharp', 'erlang', 'purescript', 'elm'].includes(id) ? ['<-'] : ['ruby', 'perl', 'shellscript', 'crystal'].includes(id) ? ['=~', '!~'] : [],
    markup: MARKUP.has(id),
    diff: id === 'diff',
    lua: id === 'lua',
  };
  langCache.set(id, lang);
  return lang;
}

const LANGUAGE_NAMES: Record<string, string> = {
  javascript: 'JavaScript', javascriptreact: 'JavaScript', typescript: 'TypeScript', typescriptreact: 'TypeScript', python: 'Python', rust: 'Rust', go: 'Go',
  java: 'Java', c: 'C', cpp: 'C++', csharp: 'C sharp', shellscript: 'Shell', powershell: 'PowerShell', json: 'JSON', jsonc: 'JSON', json5: 'JSON',
  yaml: 'YAML', toml: 'TOML', html: 'HTML', xml: 'XML', css: 'CSS', scss: 'SCSS', sql: 'SQL', ruby: 'Ruby', kotlin: 'Kotlin', swift: 'Swift', php: 'PHP',
  diff: 'Diff', dockerfile: 'Dockerfile', makefile: 'Makefile', lua: 'Lua', haskell: 'Haskell', elixir: 'Elixir', scala: 'Scala', dart: 'Dart', r: 'R',
  graphql: 'GraphQL', ini: 'INI', markdown: 'Markdown', plaintext: 'Text', text: 'Text', zig: 'Zig', julia: 'Julia', perl: 'Perl', clojure: 'Clojure',
};

// =======================================================================================
// Lexer

type TokType = 'id' | 'num' | 'str' | 'op' | 'com' | 'url' | 'path' | 'rx' | 'other' | 'life';

interface Tok {
  t: TokType;
  s: string;
  /** Whitespace before the token. */
  sp: boolean;
  /** Strings: the quote; comments: the opening marker. */
  q?: string;
  open?: boolean;
  close?: boolean;
}

interface LexState {
  block?: string;
  str?: { q: string; raw: boolean };
}

const ID_BASE = String.raw`[\p{L}\p{Nl}_$][\p{L}\p{N}\p{M}\p{Pc}$]*`;
const ID_RE = new RegExp(ID_BASE, 'uy');
const ID_KEBAB_RE = new RegExp(String.raw`${ID_BASE}(?:-[\p{L}\p{N}][\p{L}\p{N}\p{M}\p{Pc}$]*)*`, 'uy');
const ID_APOS_RE = new RegExp(String.raw`${ID_BASE}(?:['’]\p{L}+)*`, 'uy');
const NUM_RE = /0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.\d[\d_]*)*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?/y;
const NUM_SUFFIX_RE = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const URL_RE = /[a-zA-Z][a-zA-Z0-9+.-]{1,15}:\/\/[^\s"'`<>)\]]+/y;
const VERSION_RE = /v\d+(?:\.\d+)+(?![\w.])/y;
const SHELL_PATH_RE = /(?:~|\.{1,2}|[\w.@+${}-]*)\/[^\s;|&<>()'"`]*/y;
const STRING_PREFIX_RE = /(?:[rRbBfFuU]{1,2}|u8|[LU@$]|\$@|@\$)(?=["'])/y;
const RUST_CHAR_RE = /'(?:\\(?:u\{[0-9a-fA-F]{1,6}\}|x[0-9a-fA-F]{2}|.)|[^'\\])'/uy;
const LIFETIME_RE = /'[A-Za-z_]\w*(?!')/y;
const OPS = [
  '>>>=', '<<=', '>>=', '>>>', '**=', '//=', '...', '===', '!==', '<=>', '??=', '&&=', '||=', '..=', '..<', '=>', '->', '==', '!=', '<=', '>=', '&&', '||',
  '??', '?.', '::', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '++', '--', '**', '//', '<<', '>>', ':=', '|>', '..',
];
const opRegexCache = new Map<string, RegExp>();

function opRegex(lang: Lang): RegExp {
  const key = lang.extraOps.join(' ');
  let re = opRegexCache.get(key);
  if (!re) {
    const all = [...lang.extraOps, ...OPS].sort((a, b) => b.length - a.length);
    re = new RegExp(`${all.map((o) => o.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')}|[^\\s\\p{L}\\p{N}]`, 'uy');
    opRegexCache.set(key, re);
  }
  return re;
}

function scanString(line: string, from: number, q: string, raw: boolean): { content: string; end: number; closed: boolean } {
  const n = line.length;
  for (let j = from; j < n; j++) {
    const ch = line[j];
    if (ch === '\\' && !raw) {
      j++;
      continue;
    }
    if (ch === q[0] && (q.length === 1 || line.startsWith(q, j))) return { content: line.slice(from, j), end: j + q.length, closed: true };
  }
  return { content: line.slice(from), end: n, closed: false };
}

const REGEX_PREFIX_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);

/** A JavaScript regular expression literal starting at `i`, or -1. Bounded, so linear overall. */
function regexEnd(line: string, i: number, prev: Tok | undefined): number {
  if (line[i + 1] === '/' || line[i + 1] === '*') return -1;
  if (prev) {
    if (prev.t === 'id' && !REGEX_PREFIX_WORDS.has(prev.s)) return -1;
    if (prev.t === 'num' || prev.t === 'str' || prev.t === 'rx') return -1;
    if (prev.t === 'op' && (prev.s === ')' || prev.s === ']' || prev.s === '}' || prev.s === '<' || prev.s === '++' || prev.s === '--')) return -1;
  }
  let inClass = false;
  const limit = Math.min(line.length, i + 500);
  for (let j = i + 1; j < limit; j++) {
    const ch = line[j];
    if (ch === '\\') j++;
    else if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    else if (ch === '/' && !inClass) {
      if (j === i + 1) return -1;
      let end = j + 1;
      while (end < line.length && /[a-z]/.test(line[end])) end++;
      return end;
    }
  }
  return -1;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 160 || (code >= 0x2000 && code <= 0x200a) || code === 0x3000 || code === 0x202f || code === 0x205f || code === 0x1680;
}

function lexLine(line: string, lang: Lang, st: LexState): Tok[] {
  const toks: Tok[] = [];
  const n = line.length;
  let i = 0;
  let sp = false;
  const push = (t: TokType, s: string, extra?: Partial<Tok>) => {
    toks.push({ t, s, sp, ...extra });
    sp = false;
  };
  if (st.block !== undefined) {
    const end = line.indexOf(st.block);
    if (end < 0) {
      push('com', line, { open: false, close: false });
      return toks;
    }
    push('com', line.slice(0, end), { open: false, close: true });
    i = end + st.block.length;
    st.block = undefined;
  } else if (st.str) {
    const r = scanString(line, 0, st.str.q, st.str.raw);
    push('str', r.content, { q: st.str.q, open: false, close: r.closed });
    i = r.end;
    if (!r.closed) return toks;
    st.str = undefined;
  }
  const idRe = lang.kebab ? ID_KEBAB_RE : lang.apostrophes ? ID_APOS_RE : ID_RE;
  const opRe = opRegex(lang);
  scan: while (i < n) {
    const code = line.charCodeAt(i);
    if (isSpace(code)) {
      sp = true;
      i++;
      continue;
    }
    const ch = line[i];
    // Comments.
    for (const [open, close] of lang.block) {
      if (line.startsWith(open, i)) {
        const end = line.indexOf(close, i + open.length);
        if (end < 0) {
          push('com', line.slice(i + open.length), { q: open, open: true, close: false });
          st.block = close;
          return toks;
        }
        push('com', line.slice(i + open.length, end), { q: open, open: true, close: true });
        i = end + close.length;
        continue scan;
      }
    }
    for (const marker of lang.line) {
      if (!line.startsWith(marker, i)) continue;
      if (marker === '#') {
        const before = i > 0 ? line[i - 1] : ' ';
        if (lang.hashAtStartOnly ? toks.length > 0 || !/^#(?:\s|!|$)/.test(line.slice(i, i + 2)) : /[$\w{'"]/.test(before)) continue;
      } else if (marker === "'" || marker === '--' || marker === ';' || marker === '!') {
        if (marker === '--' && lang.lua && line.startsWith('--[[', i)) continue;
      }
      push('com', line.slice(i + marker.length), { q: marker, open: true, close: true });
      return toks;
    }
    // Strings.
    if (ch === '"' || ch === '`' || (ch === "'" && lang.squote !== 'none')) {
      const prevCh = i > 0 ? line[i - 1] : ' ';
      if (ch === "'" && lang.squote === 'rust') {
        RUST_CHAR_RE.lastIndex = i;
        const c = RUST_CHAR_RE.exec(line);
        if (c) {
          push('str', c[0].slice(1, -1), { q: "'", open: true, close: true });
          i += c[0].length;
          continue;
        }
        LIFETIME_RE.lastIndex = i;
        const l = LIFETIME_RE.exec(line);
        if (l) {
          push('life', l[0].slice(1));
          i += l[0].length;
          continue;
        }
      } else if (!(ch === "'" && /[\p{L}\p{N}]/u.test(prevCh) && lang.apostrophes)) {
        const q = lang.triple && (ch === '"' || ch === "'") && line.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
        const raw = (ch === '`' && lang.rawBacktick) || (ch === "'" && lang.shell);
        const r = scanString(line, i + q.length, q, raw);
        push('str', r.content, { q, open: true, close: r.closed });
        if (!r.closed && (q.length === 3 || (ch === '`' && lang.backtickMultiline) || (lang.rust && ch === '"'))) st.str = { q, raw };
        i = r.end;
        continue;
      }
    }
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) {
      URL_RE.lastIndex = i;
      const u = URL_RE.exec(line);
      if (u) {
        push('url', u[0]);
        i += u[0].length;
        continue;
      }
      if (ch === 'v') {
        VERSION_RE.lastIndex = i;
        const v = VERSION_RE.exec(line);
        if (v) {
          push('num', `version ${v[0].slice(1)}`);
          i += v[0].length;
          continue;
        }
      }
      STRING_PREFIX_RE.lastIndex = i;
      const pre = STRING_PREFIX_RE.exec(line);
      if (pre && (lang.python || lang.rust || ['cpp', 'c', 'csharp'].includes(lang.id))) {
        const raw = /r/i.test(pre[0]);
        const q = lang.triple && line.startsWith(line[i + pre[0].length].repeat(3), i + pre[0].length) ? line[i + pre[0].length].repeat(3) : line[i + pre[0].length];
        const r = scanString(line, i + pre[0].length + q.length, q, raw);
        push('str', r.content, { q, open: true, close: r.closed });
        if (!r.closed && q.length === 3) st.str = { q, raw };
        i = r.end;
        continue;
      }
    }
    if (lang.paths && (ch === '/' || ch === '~' || ch === '.' || /[\w$]/.test(ch))) {
      SHELL_PATH_RE.lastIndex = i;
      const p = SHELL_PATH_RE.exec(line);
      if (p && p[0].length > 1 && (ch !== '/' || toks.length === 0 || sp || toks[toks.length - 1].t === 'op')) {
        push('path', p[0]);
        i += p[0].length;
        continue;
      }
    }
    if ((code >= 48 && code <= 57) || (ch === '.' && /\d/.test(line[i + 1] ?? '') && !(toks.length && !sp && endsOperand(toks[toks.length - 1])))) {
      NUM_RE.lastIndex = i;
      const m = NUM_RE.exec(line);
      if (m) {
        let end = i + m[0].length;
        let suffix = '';
        NUM_SUFFIX_RE.lastIndex = end;
        const s = NUM_SUFFIX_RE.exec(line);
        if (s && !/^0[xX]/.test(m[0])) {
          suffix = s[0];
          end += suffix.length;
        }
        push('num', speakNumber(m[0], suffix));
        i = end;
        continue;
      }
    }
    idRe.lastIndex = i;
    const id = idRe.exec(line);
    if (id) {
      push('id', id[0]);
      i += id[0].length;
      continue;
    }
    if (ch === '/' && lang.regex) {
      const end = regexEnd(line, i, toks[toks.length - 1]);
      if (end > 0) {
        push('rx', line.slice(i, end));
        i = end;
        continue;
      }
    }
    opRe.lastIndex = i;
    const op = opRe.exec(line);
    if (op) {
      if (op[0] === '?.' && /\d/.test(line[i + 2] ?? '')) {
        push('op', '?');
        i += 1;
        continue;
      }
      push('op', op[0]);
      i += op[0].length;
      continue;
    }
    const cp = String.fromCodePoint(line.codePointAt(i) ?? 32);
    push('other', cp);
    i += cp.length;
  }
  return toks;
}

// =======================================================================================
// Numbers

const C_SUFFIX = /^(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU]|[fFdDmMnN])$/;
const RUST_SUFFIX = /^(?:[ui](?:8|16|32|64|128|size)|f32|f64)$/;

function speakNumber(num: string, suffix: string): string {
  const radix = /^0([xXbBoO])(.*)$/.exec(num);
  if (radix) {
    const digits = radix[2].replace(/_/g, '').toUpperCase();
    const name = radix[1].toLowerCase() === 'x' ? 'hex' : radix[1].toLowerCase() === 'b' ? 'binary' : 'octal';
    return digits.length > (name === 'binary' ? 16 : 8) ? `a long ${name} number` : `${name} ${digits}`;
  }
  let t = num.replace(/_/g, '');
  if (t.startsWith('.')) t = `0${t}`;
  const exp = /^([\d.]+)[eE]([+-]?)(\d+)$/.exec(t);
  if (exp) t = `${exp[1]} e ${exp[2] === '-' ? 'minus ' : ''}${exp[3]}`;
  if (!suffix || C_SUFFIX.test(suffix)) return t;
  if (RUST_SUFFIX.test(suffix)) return `${t} ${suffix}`;
  return `${t}${suffix}`;
}

// =======================================================================================
// Speaking code

interface Ctx {
  level: PunctuationLevel;
  lang: Lang;
  /** Quoted code inside a compiler message: lighter (no "at" for indexing, `:` a mere space). */
  message: boolean;
}

const NON_OPERAND_WORDS = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'and', 'or', 'not', 'is', 'if',
  'while', 'elif', 'for', 'import', 'from', 'as', 'echo', 'print', 'puts', 'let', 'const', 'var', 'mut', 'when', 'then', 'match', 'assert', 'export',
  'default', 'sizeof', 'with', 'lambda', 'use', 'go', 'defer', 'unsafe', 'move',
]);

function endsOperand(t: Tok | undefined): boolean {
  if (!t) return false;
  switch (t.t) {
    case 'id':
      return !NON_OPERAND_WORDS.has(t.s);
    case 'num':
    case 'str':
    case 'rx':
    case 'url':
    case 'path':
    case 'life':
      return true;
    case 'op':
      return t.s === ')' || t.s === ']';
    default:
      return false;
  }
}

const GENERIC_OK_OPS = new Set([',', '.', '::', '[', ']', '(', ')', '{', '}', '<', '>', '>>', '>>>', '&', '|', '*', '?', '=>', '->', ':', '+', "'", '...', ';']);

const ALL_NAMES: Record<string, string> = {
  '(': 'open paren', ')': 'close paren', '{': 'open brace', '}': 'close brace', '[': 'open bracket', ']': 'close bracket', ';': 'semicolon', ',': 'comma',
  ':': 'colon', '.': 'dot', '?': 'question mark', '#': 'hash', '$': 'dollar', '\\': 'backslash', '`': 'backtick', '"': 'quote', "'": 'quote', '@': 'at',
  '_': 'underscore', '==': 'double equals', '===': 'triple equals', '!=': 'not equals', '!==': 'strict not equals', '::': 'double colon', ':=': 'colon equals',
  '!': 'bang', '~': 'tilde', '^': 'caret', '%': 'percent', '&': 'ampersand', '|': 'pipe', '*': 'star', '/': 'slash', '+': 'plus', '-': 'minus', '=': 'equals',
  '<': 'less than', '>': 'greater than',
};

const SOME_WORDS: Record<string, string> = {
  '==': 'is equal to', '===': 'is equal to', '!=': 'is not equal to', '!==': 'is not equal to', '<=': 'less than or equal to', '>=': 'greater than or equal to',
  '&&': 'and', '||': 'or', '??': 'or else', '=>': 'arrow', '->': 'arrow', '<-': 'left arrow', '?.': 'question dot', ':=': 'is', '=': 'equals',
  '+=': 'plus equals', '-=': 'minus equals', '*=': 'times equals', '/=': 'divided by equals', '//=': 'floor divided by equals', '%=': 'mod equals',
  '**=': 'power equals', '&=': 'and equals', '|=': 'or equals', '^=': 'xor equals', '<<=': 'shift left equals', '>>=': 'shift right equals',
  '>>>=': 'unsigned shift right equals', '??=': 'or else equals', '&&=': 'and equals', '||=': 'or equals', '++': 'plus plus', '--': 'minus minus',
  '//': 'floor divided by', '<<': 'shift left', '>>': 'shift right', '>>>': 'unsigned shift right', '<=>': 'compared to', '|>': 'pipe', '=~': 'matches',
  '!~': 'does not match', '..=': 'through', '..<': 'up to', '+': 'plus', '/': 'divided by', '%': 'mod', '^': 'xor', '~': 'tilde', '@': 'at', '<': 'less than',
  '>': 'greater than',
};

/** One line of code (already lexed) in words; '\n' marks a sentence break inside the line. */
function speakTokens(toks: Tok[], ctx: Ctx): string {
  const { level, lang } = ctx;
  const n = toks.length;
  const all = level === 'all';
  const none = level === 'none';
  // Bracket pairs.
  const match = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = toks[i];
    if (t.t !== 'op') continue;
    if (t.s === '(' || t.s === '[' || t.s === '{') stack.push(i);
    else if (t.s === ')' || t.s === ']' || t.s === '}') {
      const want = t.s === ')' ? '(' : t.s === ']' ? '[' : '{';
      if (stack.length && toks[stack[stack.length - 1]].s === want) {
        const o = stack.pop()!;
        match[o] = i;
        match[i] = o;
      }
    }
  }
  const generic = new Uint8Array(n); // 1 open, 2 close
  const elseAt = new Uint8Array(n);
  const closures = new Uint8Array(n);
  const silent = new Uint8Array(n);
  const out: string[] = [];
  let depth = 0; // open parens and square brackets
  let prev: Tok | undefined;
  let tagOpen = false;

  const sigAfter = (i: number): Tok | undefined => {
    for (let j = i + 1; j < n; j++) if (toks[j].t !== 'com') return toks[j];
    return undefined;
  };

  const detectGeneric = (i: number): boolean => {
    const before = toks[i - 1];
    const t = toks[i];
    if (!before) return false;
    const attached = !t.sp && (before.t === 'id' || (before.t === 'op' && before.s === '::'));
    const template = before.t === 'id' && (before.s === 'template' || before.s === 'impl');
    if (!attached && !template) return false;
    if (before.t === 'id' && NON_OPERAND_WORDS.has(before.s) && !template) return false;
    let d = 1;
    const limit = Math.min(n, i + 80);
    for (let j = i + 1; j < limit; j++) {
      const u = toks[j];
      if (u.t === 'op') {
        if (u.s === '<') d++;
        else if (u.s === '>') d--;
        else if (u.s === '>>') d -= 2;
        else if (u.s === '>>>') d -= 3;
        else if (!GENERIC_OK_OPS.has(u.s)) return false;
        if (u.s === ';' && !lang.id.startsWith('typescript')) return false;
        if (d < 0) return false;
        if (d === 0) {
          for (let k = i; k <= j; k++) {
            const w = toks[k];
            if (w.t === 'op' && w.s === '<') generic[k] = 1;
            else if (w.t === 'op' && (w.s === '>' || w.s === '>>' || w.s === '>>>')) generic[k] = 2;
          }
          return true;
        }
      } else if (u.t === 'com' || u.t === 'rx' || u.t === 'url' || u.t === 'path') return false;
    }
    return false;
  };

  const detectTernary = (i: number): boolean => {
    let d = 0;
    let q = 0;
    const limit = Math.min(n, i + 200);
    for (let j = i + 1; j < limit; j++) {
      const u = toks[j];
      if (u.t !== 'op') continue;
      if (u.s === '(' || u.s === '[' || u.s === '{') d++;
      else if (u.s === ')' || u.s === ']' || u.s === '}') {
        if (--d < 0) return false;
      } else if (d === 0 && u.s === '?') q++;
      else if (d === 0 && u.s === ';') return false;
      else if (d === 0 && u.s === ':') {
        if (q === 0) {
          elseAt[j] = 1;
          return true;
        }
        q--;
      }
    }
    return false;
  };

  const hasSliceColon = (open: number, close: number): boolean => {
    let d = 0;
    for (let j = open + 1; j < close; j++) {
      const u = toks[j];
      if (u.t !== 'op') continue;
      if (u.s === '(' || u.s === '[' || u.s === '{') d++;
      else if (u.s === ')' || u.s === ']' || u.s === '}') d--;
      else if (d === 0 && u.s === ':') return true;
    }
    return false;
  };

  const say = (s: string) => {
    if (s) out.push(s);
  };

  for (let i = 0; i < n; i++) {
    const t = toks[i];
    const next = toks[i + 1];
    switch (t.t) {
      case 'com': {
        const text = commentText(t.s, ctx);
        const marker = all && t.open ? (t.q === '/**' || t.q === '/*' ? 'comment' : 'comment') : '';
        const ending = all && t.close && t.q !== undefined && t.q !== '//' && t.q !== '#' && !['--', ';', '%', "'", '!', '::'].includes(t.q) ? 'end comment' : '';
        const ending2 = all && t.close && !t.open ? 'end comment' : ending;
        out.push('\n', [marker, text, ending2].filter(Boolean).join(' '), '\n');
        continue;
      }
      case 'id': {
        if (lang.markup) {
          say(identifierWords(t.s));
          break;
        }
        if (next && next.t === 'op' && next.s === '!' && !next.sp && (lang.rust || toks[i + 2]?.s === '(')) silent[i + 1] = 1;
        say(identifierWords(t.s));
        break;
      }
      case 'life':
        say(`lifetime ${identifierWords(t.s)}`);
        break;
      case 'num':
        say(t.s);
        break;
      case 'str': {
        const words = stringWords(t.s, ctx);
        if (all) {
          const q = t.q === '`' ? 'backtick' : t.q && t.q.length === 3 ? 'triple quote' : 'quote';
          say([t.open ? q : '', words, t.close ? q : ''].filter(Boolean).join(' '));
        } else if (words.trim()) say(words);
        else if (!none && t.open && t.close && t.s === '') say('empty string');
        break;
      }
      case 'rx':
        say(all ? `regex ${nameSymbols(t.s)}` : 'a regex');
        break;
      case 'url':
        say(shortenUrl(t.s));
        break;
      case 'path':
        say(shortenPath(t.s.replace(/[${}]/g, '')));
        break;
      case 'other':
        say(HAS_WORD.test(t.s) ? t.s : all ? symbolName(t.s) : '');
        break;
      case 'op':
        say(speakOp(i));
        break;
    }
    if (t.t !== 'com') prev = t;
  }
  return out.join(' ');

  function speakOp(i: number): string {
    const t = toks[i];
    const s = t.s;
    const next = sigAfter(i);
    const operandBefore = endsOperand(prev) || (prev?.t === 'op' && generic[toks.indexOf(prev)] === 2);
    const prefix = !operandBefore || (t.sp && next !== undefined && !next.sp && prev?.t === 'op');
    if (silent[i]) return all ? 'bang' : '';
    switch (s) {
      case '(':
        depth++;
        return all ? 'open paren' : '';
      case ')':
        depth = Math.max(0, depth - 1);
        return all ? 'close paren' : '';
      case '[': {
        depth++;
        if (all) return 'open bracket';
        if (none) return '';
        const close = match[i];
        const index = !t.sp && operandBefore;
        if (close === i + 1) return index ? 'array' : lang.python ? 'empty list' : 'empty array';
        if (prev?.t === 'op' && (prev.s === '#' || prev.s === '!')) return '';
        if (index && !ctx.message) return close > i && hasSliceColon(i, close) ? 'from' : 'at';
        return '';
      }
      case ']':
        depth = Math.max(0, depth - 1);
        return all ? 'close bracket' : '';
      case '{': {
        if (all) return 'open brace';
        if (none) return '';
        const close = match[i];
        if (close === i + 1 && !operandBefore && !(prev?.t === 'op' && prev.s === ')')) return lang.python ? 'empty dict' : 'empty object';
        const moreAfter = next !== undefined && !(close >= 0 && sigAfter(close) === undefined && close === i + 1);
        const block = operandBefore || prev?.t === 'id' || (prev?.t === 'op' && (prev.s === '=>' || prev.s === '->'));
        return block && moreAfter && next !== undefined && toks[match[i]] !== next ? ',' : '';
      }
      case '}': {
        if (all) return next ? 'close brace' : 'close brace';
        if (!next) return '';
        if (next.t === 'op' && [')', ';', ',', ']', '}', '.', '?.'].includes(next.s)) return '';
        return none ? ',' : '\n';
      }
      case ';':
        if (all) return depth === 0 && next ? 'semicolon\n' : 'semicolon';
        if (!next) return '';
        return depth === 0 ? '\n' : ',';
      case ',':
        return all ? 'comma' : ',';
      case '.':
        return none ? '' : 'dot';
      case ':': {
        if (elseAt[i]) return none ? ',' : 'else';
        if (all) return 'colon';
        if (!next) return '';
        if (depth > 0 && !none && !ctx.message && insideIndex(i)) return 'to';
        if (ctx.message || none) return ' ';
        return next.sp ? ',' : '';
      }
      case '::':
        return all ? 'double colon' : '';
      case '?': {
        if (!next || (next.t === 'op' && [';', '.', ')', ',', '?', ']', '}', '?.'].includes(next.s) && !next.sp)) return all ? 'question mark' : '';
        if (next.t === 'op' && (next.s === ':' || next.s === '=') && !next.sp) return none ? '' : 'optional';
        if (detectTernary(i)) return none ? ',' : 'then';
        return all ? 'question mark' : '';
      }
      case '?.':
        return none ? '' : 'question dot';
      case '!':
        if (!operandBefore || (t.sp && next && !next.sp)) return none ? '' : 'not';
        return all ? 'bang' : '';
      case '-':
        if (none) return '';
        if (lang.shell && t.sp && next && !next.sp && (next.t === 'id' || next.t === 'num')) return 'dash';
        if (i === 0 && next?.sp && (lang.id === 'yaml' || lang.id === 'plaintext')) return all ? 'dash' : '';
        return 'minus';
      case '--':
        if (none) return '';
        if (lang.shell && t.sp !== false && next && !next.sp && next.t === 'id') return 'dash dash';
        return 'minus minus';
      case '*':
        if (none) return '';
        if (prefix || (t.sp && next && !next.sp && prev?.t === 'id')) return 'star';
        return all ? 'star' : 'times';
      case '**':
        if (none) return '';
        return prefix ? 'star star' : 'to the power of';
      case '&':
        if (none) return '';
        if (lang.shell) return next ? 'and' : 'in the background';
        if (prefix && next) return lang.ref;
        return all ? 'ampersand' : 'and';
      case '|':
        if (none) return '';
        if (lang.shell) return 'pipe';
        if ((lang.rust || lang.ruby) && (closures[i] || !operandBefore)) {
          if (closures[i]) return '';
          for (let j = i + 1; j < Math.min(n, i + 40); j++) {
            if (toks[j].t === 'op' && toks[j].s === '|') {
              closures[j] = 1;
              return lang.ruby ? 'with' : 'closure';
            }
          }
        }
        return all ? 'pipe' : 'or';
      case '||':
        if (none) return '';
        if (lang.rust && !operandBefore) return 'closure';
        return 'or';
      case '<':
        if (none) return generic[i] || detectGeneric(i) ? '' : '';
        if (generic[i] === 1 || detectGeneric(i)) {
          const nextTok = toks[i + 1];
          if (nextTok?.t === 'op' && (nextTok.s === '>' || nextTok.s === '>>')) return all ? 'open angle' : '';
          return all ? 'open angle' : 'of';
        }
        if (lang.shell) return all ? 'less than' : 'from';
        if (isTagStart(i)) {
          tagOpen = true;
          if (toks[i + 1]?.s === '/') {
            silent[i + 1] = 1;
            return all ? 'less than slash' : 'end';
          }
          return all ? 'less than' : '';
        }
        return 'less than';
      case '>':
      case '>>':
      case '>>>': {
        if (generic[i] === 2) return all ? Array(s.length).fill('close angle').join(' ') : '';
        if (tagOpen && s === '>') {
          tagOpen = false;
          return all ? 'greater than' : ',';
        }
        if (none) return '';
        if (lang.shell) return s === '>' ? 'to' : 'append to';
        return SOME_WORDS[s];
      }
      case '/':
        if (tagOpen && toks[i + 1]?.s === '>') return all ? 'slash' : '';
        if (silent[i]) return '';
        return none ? '' : all ? 'slash' : 'divided by';
      case '=':
        if (tagOpen && !all) return '';
        return none ? '' : 'equals';
      case '...':
        if (none) return '';
        return next && !next.sp && (next.t === 'id' || (next.t === 'op' && ['[', '{', '('].includes(next.s))) ? 'spread' : 'ellipsis';
      case '..':
        if (none) return '';
        return lang.lua ? 'concat' : 'to';
      case '#':
      case '$':
      case '\\':
      case '`':
      case '"':
      case "'":
        return all ? ALL_NAMES[s] : '';
      case '@':
        return none ? '' : 'at';
      case '+':
        return none ? '' : 'plus';
      default:
        if (none) return '';
        if (all && ALL_NAMES[s] && !SOME_WORDS[s]) return ALL_NAMES[s];
        if (all && (s === '==' || s === '===' || s === '!=' || s === '!==' || s === ':=')) return ALL_NAMES[s];
        return SOME_WORDS[s] ?? (all ? symbolName(s) : '');
    }
  }

  function insideIndex(i: number): boolean {
    for (let j = i - 1; j >= 0 && j > i - 60; j--) {
      const u = toks[j];
      if (u.t !== 'op') continue;
      if (u.s === ']' || u.s === ')' || u.s === '}') return false;
      if (u.s === '(' || u.s === '{') return false;
      if (u.s === '[') return match[j] > i && !toks[j].sp && endsOperand(toks[j - 1]);
    }
    return false;
  }

  function isTagStart(i: number): boolean {
    if (!['javascriptreact', 'typescriptreact', 'html'].includes(lang.id) && !lang.markup) return false;
    const after = toks[i + 1];
    if (!after || after.sp) return false;
    if (!(after.t === 'id' || (after.t === 'op' && (after.s === '/' || after.s === '>')))) return false;
    return !endsOperand(prev);
  }
}

function symbolName(ch: string): string {
  return ALL_NAMES[ch] ?? SOME_WORDS[ch] ?? '';
}

/** A regular expression or other symbol run at 'all': symbols named, letters kept. */
function nameSymbols(s: string): string {
  return Array.from(s.slice(0, 300))
    .map((ch) => (/[\p{L}\p{N}]/u.test(ch) ? ch : ` ${symbolName(ch)} `))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The words inside a string literal: text kept as text, identifiers split, placeholders read, escapes dropped. */
function stringWords(content: string, ctx: Ctx): string {
  if (!content) return '';
  let s = content
    .replace(/\$\{([^{}]{0,200})\}|#\{([^{}]{0,200})\}/g, (_m, a?: string, b?: string) => ` ${fragmentWords(a ?? b ?? '', ctx)} `)
    .replace(/\{([A-Za-z_][\w.]{0,60})?(?:[:!][^{}]{0,20})?\}/g, (_m, name?: string) => (name ? ` ${splitIdentifier(name)} ` : ' '))
    .replace(/%[-+#0]*(?:\d+|\*)?(?:\.\d+)?[hlLqjzt]{0,2}[sdifuxXoeEgGcp](?![a-zA-Z])/g, ' ')
    .replace(/\\(?:[nrtvfb0]|x[0-9a-fA-F]{2}|u\{?[0-9a-fA-F]{1,6}\}?)/g, ' ')
    .replace(/\\(.)/g, '$1');
  s = shortenNoise(s);
  s = s.replace(/[\p{L}\p{N}_$-]+/gu, (w) => (looksLikeIdentifier(w) ? splitIdentifier(w) : w));
  return s.replace(/[^\s\p{L}\p{N}\p{M}\p{Extended_Pictographic}\u200c\u200d.,!?'’:;%—–-]/gu, ' ').replace(/(^|\s)[-–—:;,.]+(?=\s|$)/g, ' ');
}

/** camelCase, snake_case or kebab-case, worth splitting; plain words stay as they are. */
function looksLikeIdentifier(w: string): boolean {
  if (w.length < 3) return false;
  if (/_/.test(w) && /[\p{L}\p{N}]_[\p{L}\p{N}]|^_+[\p{L}]|[\p{L}\p{N}]_+$/u.test(w)) return true;
  if (/^\p{Ll}+\p{Lu}/u.test(w)) return true;
  if (/\p{Ll}\p{Lu}/u.test(w) && /^\p{Lu}\p{Ll}+\p{Lu}\p{Ll}/u.test(w)) return true;
  if (/^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+){2,}$/u.test(w)) return true;
  return false;
}

/** A code fragment (inline code, quoted code in a message, an interpolation) in words, no sentence end. */
function fragmentWords(code: string, ctx: Ctx): string {
  const st: LexState = {};
  return speakTokens(lexLine(code, ctx.lang, st), ctx).replace(/\n/g, ',');
}

const CODE_LIKE_COMMENT = /^\s*(?:(?:const|let|var|import|return|if|for|while|def|fn|func|function|class|print|console\.log)\b.*[=(:{;]|.*[;{}]\s*$|[\w.$]+\s*\(.*\)\s*;?\s*$|[\w.$[\]]+\s*[-+*/]?=\s*[^=].*$)/;

function commentText(raw: string, ctx: Ctx): string {
  let s = raw.replace(/^\s*[*/!#]+(?!\S*\/)/, ' ').replace(/\*+\/\s*$/, '');
  s = s.replace(/[-=*#~_+<>|]{3,}/g, ' ');
  if (!HAS_WORD.test(s)) return '';
  if (CODE_LIKE_COMMENT.test(s) && !/[.!?]\s*$/.test(s) && /[=(){};]/.test(s)) return fragmentWords(s.trim(), { ...ctx, level: ctx.level === 'all' ? 'all' : 'some' });
  s = s.replace(/(^|\s)@(\w+)/g, '$1$2').replace(/\{([^{}\n]{1,80})\}/g, (_m, type: string) => ` ${fragmentWords(type, ctx)} `);
  return proseInline(s, ctx.level);
}

// =======================================================================================
// Code: line by line

function codeToSentences(text: string, level: PunctuationLevel, lang: Lang): string[] {
  if (lang.markup) return markupToSentences(text, level, lang);
  const out: string[] = [];
  const st: LexState = {};
  const ctx: Ctx = { level, lang, message: false };
  for (const line of text.split('\n')) {
    if (st.block === undefined && !st.str) {
      const special = specialLine(line, ctx);
      if (special !== undefined) {
        pushSentences(out, special);
        continue;
      }
    }
    const wasInString = st.str !== undefined;
    const toks = lexLine(line, lang, st);
    if (wasInString && toks.length && toks[0].t === 'str' && !toks[0].open && level !== 'all') {
      // A line inside a multi-line string (a docstring, a template) is text: read it as prose.
      pushSentences(out, `${proseInline(toks[0].s, level)}\n${speakTokens(toks.slice(1), ctx)}`);
      continue;
    }
    pushSentences(out, speakTokens(toks, ctx));
  }
  return out;
}

/** Lines with a fixed shape: shebangs, `#include`, diff lines. */
function specialLine(line: string, ctx: Ctx): string | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('#!')) {
    const m = /^#!\s*(\S+)(.*)$/.exec(trimmed);
    if (m) {
      const program = m[1].split(/[\\/]/).pop() ?? m[1];
      return `shebang ${program}${m[2]}`.replace(/[^\s\w.-]/g, ' ');
    }
  }
  const include = /^#\s*(include|import)\s*[<"]([^>"]{1,200})[>"]/.exec(trimmed);
  if (include && ctx.lang.line[0] !== '#') {
    const path = include[2].replace(/\./g, ' dot ').replace(/\//g, ' slash ');
    return ctx.level === 'all' ? `hash ${include[1]} ${include[0].includes('<') ? 'less than' : 'quote'} ${path} ${include[0].includes('<') ? 'greater than' : 'quote'}` : `${include[1]} ${path}`;
  }
  if (ctx.lang.diff) {
    if (/^(?:diff |index |--- |\+\+\+ )/.test(line)) return line.startsWith('diff ') ? 'File diff' : '';
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(line);
    if (hunk) return `Changes at line ${hunk[2]}.\n${hunk[3]}`;
    const plain = langInfo('plaintext-code');
    const body = fragmentWords(line.slice(1), { ...ctx, lang: plain });
    if (line.startsWith('+')) return `added: ${body}`;
    if (line.startsWith('-')) return `removed: ${body}`;
    return body;
  }
  return undefined;
}

/** HTML and XML: tags read as their names and attributes, text between them as prose. */
function markupToSentences(text: string, level: PunctuationLevel, lang: Lang): string[] {
  const out: string[] = [];
  let inComment = false;
  const ctx: Ctx = { level, lang, message: false };
  for (const line of text.split('\n')) {
    const parts: string[] = [];
    let rest = line;
    if (inComment) {
      const end = rest.indexOf('-->');
      if (end < 0) {
        parts.push(commentText(rest, ctx));
        pushSentences(out, parts.join(' '));
        continue;
      }
      parts.push(commentText(rest.slice(0, end), ctx), level === 'all' ? 'end comment' : '', '\n');
      rest = rest.slice(end + 3);
      inComment = false;
    }
    const tag = /<!--|<(\/?)([A-Za-z][\w:.-]*)([^<>]{0,2000}?)(\/?)>|<!\[CDATA\[|\]\]>|<![^>]{0,500}>|<\?[^>]{0,500}\?>/g;
    let last = 0;
    for (let m = tag.exec(rest); m; m = tag.exec(rest)) {
      parts.push(proseInline(decodeEntities(rest.slice(last, m.index)), level));
      last = m.index + m[0].length;
      if (m[0] === '<!--') {
        const end = rest.indexOf('-->', last);
        parts.push('\n', level === 'all' ? 'comment' : '', commentText(end < 0 ? rest.slice(last) : rest.slice(last, end), ctx), '\n');
        if (end < 0) {
          inComment = true;
          last = rest.length;
          break;
        }
        last = end + 3;
        tag.lastIndex = last;
        continue;
      }
      if (!m[2]) continue;
      if (level === 'all') {
        parts.push(fragmentWords(m[0], ctx));
        continue;
      }
      if (level === 'none') continue;
      const name = identifierWords(m[2].replace(/^\w+:/, ''));
      if (m[1]) {
        parts.push(`end ${name},`);
        continue;
      }
      const attrs: string[] = [];
      const attr = /([\w:.@#-]+)(?:\s*=\s*(?:"([^"]{0,500})"|'([^']{0,500})'|([^\s"'>]+)))?/g;
      for (let a = attr.exec(m[3]); a; a = attr.exec(m[3])) {
        const value = a[2] ?? a[3] ?? a[4];
        attrs.push(`${identifierWords(a[1].replace(/^[:@#]/, ''))}${value ? ` ${stringWords(value, ctx)}` : ''}`);
      }
      parts.push(`${name}${attrs.length ? `, ${attrs.join(', ')}` : ''},`);
    }
    parts.push(proseInline(decodeEntities(rest.slice(last)), level));
    pushSentences(out, parts.join(' '));
  }
  return out;
}

// =======================================================================================
// Prose

const EMPHASIS = /(\*\*|__|~~)(?=\S)([^\n]{1,300}?\S)\1|(^|[^\w*])([*_])(?=[^\s*_])([^*_\n]{0,300}?[^\s*_])\4(?![\w*])/g;
const IDENTIFIER_IN_TEXT = /(?<![\p{L}\p{N}_.])(?:\p{Ll}{2,}\p{Lu}[\p{L}\p{N}]*|\p{L}[\p{L}\p{N}]*(?:_[\p{L}\p{N}]+)+)(?![\p{L}\p{N}_])/gu;

/** A line of running text: inline code read as code, emphasis markers dropped, noise shortened, identifiers split. */
function proseInline(line: string, level: PunctuationLevel): string {
  if (!line) return '';
  const codeCtx: Ctx = { level: level === 'none' ? 'some' : level, lang: langInfo(undefined), message: false };
  const pieces: string[] = [];
  const code = /(`+)([^`\n]{1,500}?)\1/g;
  let last = 0;
  for (let m = code.exec(line); m; m = code.exec(line)) {
    pieces.push(textWords(line.slice(last, m.index)));
    pieces.push(` ${fragmentWords(m[2].trim(), codeCtx)} `);
    last = m.index + m[0].length;
  }
  pieces.push(textWords(line.slice(last)));
  return pieces.join('');
}

function textWords(text: string): string {
  if (!text) return '';
  return shortenNoise(text)
    .replace(EMPHASIS, (_m, _d: string, strong?: string, before?: string, _e?: string, em?: string) => (strong !== undefined ? strong : `${before ?? ''}${em ?? ''}`))
    .replace(IDENTIFIER_IN_TEXT, (w) => splitIdentifier(w))
    .replace(/\b(?:TODO|FIXME)\b/g, (w) => WORD_MAP[w.toLowerCase()]);
}

const BULLET = /^(?:[-*•‣◦▪+]|\(?\d{1,3}[.)]|[a-z][.)])\s+/;

/** Prose: a line ending mid-sentence that goes on in lower case is joined to the next; other line ends end a sentence. */
function proseToSentences(text: string, level: PunctuationLevel): string[] {
  const out: string[] = [];
  let para = '';
  let paraIndent = -1;
  const flush = () => {
    pushSentences(out, para);
    para = '';
  };
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (!trimmed) {
      flush();
      continue;
    }
    const bullet = BULLET.exec(trimmed);
    const indent = raw.length - raw.trimStart().length + (bullet ? bullet[0].length : 0);
    const body = bullet ? trimmed.slice(bullet[0].length) : trimmed;
    const line = proseInline(body, level);
    if (para) {
      const ended = /[.!?…:;]["'”’)»]*$/.test(para.trimEnd());
      const goesOn = /^[\p{Ll}\p{N}(“"‘'—–-]/u.test(body);
      if (ended || bullet || !goesOn || indent !== paraIndent) flush();
    }
    if (!para) paraIndent = indent;
    para = para ? `${para} ${line}` : line;
  }
  flush();
  return out;
}

// =======================================================================================
// Compiler messages

const QUOTED = /(?<![\p{L}\p{N}])'([^'\n]{1,400}?)'(?![\p{L}\p{N}])|`([^`\n]{1,400}?)`|"([^"\n]{1,400}?)"|‘([^’\n]{1,400}?)’|“([^”\n]{1,400}?)”/gu;

/** Compiler messages: quoted fragments are code; the rest is prose, with identifiers split. */
function messageToSentences(text: string, level: PunctuationLevel): string[] {
  const out: string[] = [];
  const ctx: Ctx = { level: level === 'all' ? 'all' : 'some', lang: langInfo(undefined), message: true };
  for (const line of text.split('\n')) {
    const parts: string[] = [];
    let last = 0;
    QUOTED.lastIndex = 0;
    for (let m = QUOTED.exec(line); m; m = QUOTED.exec(line)) {
      parts.push(textWords(line.slice(last, m.index)));
      const code = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '';
      parts.push(` ${fragmentWords(code, ctx).replace(/,(\s*,)+/g, ',')} `);
      last = m.index + m[0].length;
    }
    parts.push(textWords(line.slice(last)));
    pushSentences(out, parts.join('').replace(/\n/g, ' '));
  }
  return out;
}

// =======================================================================================
// Markdown

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+#.-]*)/;

function markdownToSentences(text: string, level: PunctuationLevel): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  let fence: { marker: string; lang: Lang; st: LexState; ctx: Ctx } | undefined;
  let paragraph: string[] = [];
  let inHtmlComment = false;
  const flush = () => {
    if (paragraph.length) out.push(...proseToSentences(paragraph.join('\n'), level));
    paragraph = [];
  };
  let start = 0;
  // Front matter: skipped.
  if (/^---\s*$/.test(lines[0] ?? '')) {
    const end = lines.findIndex((l, k) => k > 0 && /^(---|\.\.\.)\s*$/.test(l));
    if (end > 0 && end < 200) start = end + 1;
  }
  for (let k = start; k < lines.length; k++) {
    const raw = lines[k];
    const line = raw.replace(/\s+$/, '');
    const fenceMatch = FENCE.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[2][0] === fence.marker[0] && fenceMatch[2].length >= fence.marker.length && !fenceMatch[3]) {
        fence = undefined;
        out.push('End of code block.');
      } else {
        out.push(...codeLinesInFence(line, fence));
      }
      continue;
    }
    if (inHtmlComment) {
      if (line.includes('-->')) inHtmlComment = false;
      continue;
    }
    if (fenceMatch) {
      flush();
      const tag = fenceMatch[3].toLowerCase();
      const lang = langInfo(tag || undefined);
      fence = { marker: fenceMatch[2], lang, st: {}, ctx: { level, lang, message: false } };
      const name = tag ? LANGUAGE_NAMES[lang.id] ?? LANGUAGE_NAMES[tag] ?? splitIdentifier(tag) : '';
      out.push(name ? `${name[0].toUpperCase()}${name.slice(1)} code block.` : 'Code block.');
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    if (/^\s*<!--/.test(line) && !line.includes('-->')) {
      flush();
      inHtmlComment = true;
      continue;
    }
    // Setext heading underline, horizontal rule, table separator, link reference definition.
    if (/^\s{0,3}(?:=+|-+)\s*$/.test(line) && paragraph.length === 1) {
      const heading = paragraph[0];
      paragraph = [];
      pushSentences(out, proseInline(inlineMarkdown(heading), level));
      continue;
    }
    if (/^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/.test(line)) {
      flush();
      continue;
    }
    if (/^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line) && line.includes('-')) continue;
    if (/^\s{0,3}\[[^\]\n]{1,200}\]:\s*\S+/.test(line)) continue;
    const text = inlineMarkdown(line);
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text) ?? /^\s{0,3}#{1,6}$/.exec(text);
    if (heading) {
      flush();
      pushSentences(out, proseInline(heading[1] ?? '', level));
      continue;
    }
    const item = /^(\s*)(?:[-*+]|(\d{1,9})[.)])\s+(?:\[([ xX])\]\s+)?(.*)$/.exec(text);
    if (item) {
      flush();
      const check = item[3] === undefined ? '' : item[3] === ' ' ? 'unchecked: ' : 'checked: ';
      const number = item[2] ? `${item[2]}, ` : '';
      paragraph.push(`${number}${check}${item[4]}`);
      continue;
    }
    const quote = /^\s*(?:>\s?)+(.*)$/.exec(text);
    if (/^\s*\|.*\|\s*$/.test(text) || (/\|/.test(text) && /^\s*\|?\s*:?-{2,}/.test(lines[k + 1] ?? '') && lines[k + 1].includes('|'))) {
      flush();
      const cells = splitTableRow(text).map((c) => proseInline(c, level)).filter((c) => HAS_WORD.test(c));
      pushSentences(out, cells.join(', '));
      continue;
    }
    if (quote) {
      if (!quote[1].trim()) {
        flush();
        continue;
      }
      paragraph.push(quote[1]);
      continue;
    }
    paragraph.push(text);
  }
  flush();
  if (fence) out.push('End of code block.');
  return out;
}

function codeLinesInFence(line: string, fence: { lang: Lang; st: LexState; ctx: Ctx }): string[] {
  const out: string[] = [];
  if (fence.lang.markup) return markupToSentences(line, fence.ctx.level, fence.lang);
  if (fence.st.block === undefined && !fence.st.str) {
    const special = specialLine(line, fence.ctx);
    if (special !== undefined) {
      pushSentences(out, special);
      return out;
    }
  }
  // A shell session's prompt is not read.
  const body = fence.lang.shell ? line.replace(/^\s*[$%>]\s+/, '') : line;
  pushSentences(out, speakTokens(lexLine(body, fence.lang, fence.st), fence.ctx));
  return out;
}

function splitTableRow(row: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let inCode = false;
  const trimmed = row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  for (let k = 0; k < trimmed.length; k++) {
    const ch = trimmed[k];
    if (ch === '\\' && trimmed[k + 1] === '|') {
      cur += '|';
      k++;
    } else if (ch === '`') {
      inCode = !inCode;
      cur += ch;
    } else if (ch === '|' && !inCode) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', copy: '©', reg: '®', trade: '™' };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 31 && cp < 0x110000 && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : ' ';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Links, images, HTML and entities of one Markdown line; inline code is left for proseInline. */
function inlineMarkdown(line: string): string {
  return decodeEntities(
    line
      .replace(/<br\s*\/?>/gi, '. ')
      .replace(/<!--[^\n]{0,1000}?-->/g, ' ')
      .replace(/<(https?:\/\/[^>\s]{1,2000})>/g, ' $1 ')
      .replace(/<\/?[A-Za-z][^<>\n]{0,500}>/g, ' ')
      .replace(/!\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)/g, (_m, alt: string) => (alt.trim() ? ` image: ${alt}. ` : ' image. '))
      .replace(/!\[([^\]\n]{0,300})\]\[[^\]\n]{0,200}\]/g, (_m, alt: string) => (alt.trim() ? ` image: ${alt}. ` : ' image. '))
      .replace(/\[([^\]\n]{1,300})\]\([^)\n]{0,2000}\)/g, ' $1 ')
      .replace(/\[([^\]\n]{1,300})\]\[[^\]\n]{0,200}\]/g, ' $1 ')
      .replace(/\[\^[^\]\n]{1,50}\]/g, ' ')
      .replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1'),
  );
}
