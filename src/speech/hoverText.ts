// What a language server's hover says, made speakable: the signature read as code (without
// "code block" around it), long types in it said in a few words as diagnostics say them,
// then the documentation as Markdown, with JSDoc and reST fields said as words. Pure: no
// `vscode` here. Spoken words are English, like the voices (see src/diagnostics/wording.ts).

import { shortenType } from '../diagnostics/wording';
import { type Pronunciations, type PunctuationLevel, splitIdentifier, toSpeakable } from './speakable';

/**
 * One part of a hover's contents: Markdown (a string, or a MarkdownString's `{ value }`), or
 * a MarkedString `{ language, value }`, which is code.
 */
export type HoverPart = string | { language?: string; value: string };

export interface HoverSpeechOptions {
  punctuation?: PunctuationLevel;
  pronunciations?: Pronunciations;
  /** The document's language id, for code blocks that name none. */
  languageId?: string;
  /** A type in a signature longer than this is said in a few words ("an object type"); default 60. */
  maxTypeChars?: number;
}

export const DEFAULT_MAX_TYPE_CHARS = 60;

type Block = { code: true; language?: string; text: string; signature: boolean } | { code: false; text: string };

const FENCE_OPEN = /^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const FENCE_CLOSE = /^\s{0,3}(`{3,}|~{3,})\s*$/;
/** A thematic break (`---`, `***`, `___`) or a setext underline (`====`): a sentence break. */
const RULE = /^\s{0,3}(?:([-*_])(?:\s*\1){2,}|=+)\s*$/;

/**
 * The hover as speakable text. Each code block that comes before any prose in its part (the
 * signature, as TypeScript, Pylance, rust-analyzer and gopls put it) is read as code without
 * being announced; code blocks inside the documentation (examples) are announced as in
 * Markdown. Parts or blocks said already are not said again; links are said by their text;
 * rules and separators end a sentence. '' for an empty hover.
 */
export function hoverToSpeech(contents: readonly HoverPart[], options: HoverSpeechOptions = {}): string {
  const seen = new Set<string>();
  const spoken: string[] = [];
  for (const part of contents ?? []) {
    for (const block of blocksOf(part)) {
      const key = block.text.replace(/\s+/g, ' ').trim();
      if (!key || seen.has(key)) continue;
      seen.add(key);
      const said = speakBlock(block, options);
      if (said) spoken.push(said);
    }
  }
  return spoken.join(' ');
}

function blocksOf(part: HoverPart): Block[] {
  if (typeof part === 'string') return markdownBlocks(part);
  if (!part || typeof part.value !== 'string') return [];
  if (typeof part.language === 'string') return [{ code: true, language: part.language || undefined, text: part.value, signature: true }];
  return markdownBlocks(part.value);
}

/** Markdown split into its fenced code blocks and the prose between them, at rules too. */
function markdownBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let prose: string[] = [];
  let proseSeen = false;
  let fence: { marker: string; language?: string; lines: string[] } | undefined;
  const flushProse = () => {
    const text = prose.join('\n');
    if (text.trim()) {
      blocks.push({ code: false, text });
      proseSeen = true;
    }
    prose = [];
  };
  const closeFence = () => {
    if (fence) blocks.push({ code: true, language: fence.language, text: fence.lines.join('\n'), signature: !proseSeen });
    fence = undefined;
  };
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (fence) {
      const close = FENCE_CLOSE.exec(line);
      if (close && close[1][0] === fence.marker[0] && close[1].length >= fence.marker.length) closeFence();
      else fence.lines.push(line);
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open) {
      flushProse();
      fence = { marker: open[1], language: open[2] || undefined, lines: [] };
    } else if (RULE.test(line)) flushProse();
    else prose.push(line);
  }
  closeFence();
  flushProse();
  return blocks;
}

function speakBlock(block: Block, options: HoverSpeechOptions): string {
  const common = { punctuation: options.punctuation, pronunciations: options.pronunciations };
  if (!block.code) return toSpeakable(prepareDocumentation(block.text), { kind: 'markdown', ...common });
  const languageId = block.language ?? options.languageId;
  if (!block.signature) {
    return toSpeakable(`\`\`\`${block.language ?? ''}\n${block.text}\n\`\`\``, { kind: 'markdown', ...common, languageId });
  }
  // TypeScript's "(+2 overloads)" after a signature: said after it, in words.
  let overloads = 0;
  const signature = block.text.replace(/\s*\(\+(\d+) overloads?\)/g, (_m, n: string) => {
    overloads += Number(n);
    return '';
  });
  const shortened = shortenSignatureTypes(signature, options.maxTypeChars ?? DEFAULT_MAX_TYPE_CHARS);
  const said = toSpeakable(prepareSignature(shortened, languageId), { kind: 'code', ...common, languageId });
  return overloads > 0 ? `${said} ${overloads} more overload${overloads === 1 ? '' : 's'}.`.trim() : said;
}

// ---------------------------------------------------------------------------------------
// Long types in a signature

const OPENERS = '([{<';
const CLOSERS = ')]}>';

/** Past a quoted string starting at `i` (its closing quote, or the line's end). */
function skipQuoted(code: string, i: number): number {
  const quote = code[i];
  for (let j = i + 1; j < code.length; j++) {
    if (code[j] === '\\') j++;
    else if (code[j] === quote || code[j] === '\n') return j;
  }
  return code.length;
}

/**
 * Where the type starting at `start` ends: at a `,` `;` `=` or line break outside brackets,
 * or at the bracket that closes around it. Arrows (`=>`, `->`) belong to the type.
 */
function typeEnd(code: string, start: number): number {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const ch = code[i];
    if (ch === '"' || ch === "'" || ch === '`') i = skipQuoted(code, i);
    else if (OPENERS.includes(ch)) depth++;
    else if (CLOSERS.includes(ch) && !(ch === '>' && (code[i - 1] === '=' || code[i - 1] === '-'))) {
      if (depth === 0) return i;
      depth--;
    } else if (depth === 0) {
      if (ch === ',' || ch === ';') return i;
      if (ch === '=' && code[i + 1] !== '>' && code[i + 1] !== '=') return i;
      if (ch === '\n' && code.slice(start, i).trim()) return i;
    }
  }
  return code.length;
}

/** The `=` of a type alias (`type Props = { … }`), or -1. */
function aliasEquals(code: string): number {
  const head = /^\s*(?:\([\w ]+\)\s*)?(?:export\s+)?(?:declare\s+)?type\s+[\w$]+/.exec(code);
  if (!head) return -1;
  let depth = 0;
  for (let i = head[0].length; i < code.length; i++) {
    const ch = code[i];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (ch === '=' && depth === 0) return i;
  }
  return -1;
}

/**
 * The signature with each type annotation (after `:`, `->`, or a type alias's `=`) longer
 * than `max` said in a few words: "const config: an object type", "a union of 14 types";
 * a return type (after `):` or `) ->`) is introduced by "returns".
 */
function shortenSignatureTypes(code: string, max: number): string {
  const alias = aliasEquals(code);
  let out = '';
  let copied = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipQuoted(code, i);
      continue;
    }
    let start = -1;
    if (ch === ':' && code[i + 1] !== ':' && code[i - 1] !== ':' && code[i + 1] !== '=') start = i + 1;
    else if (ch === '-' && code[i + 1] === '>') start = i + 2;
    else if (i === alias) start = i + 1;
    if (start < 0) continue;
    const end = typeEnd(code, start);
    const type = code.slice(start, end).replace(/\s+/g, ' ').trim();
    const returns = i !== alias && /\)\s*$/.test(code.slice(Math.max(copied, i - 200), i));
    if (type.length > max || returns) {
      const short = type.length > max ? shortenType(type) : undefined;
      const said = short ? (short.phrase ?? short.type) : type;
      out += returns ? `${code.slice(copied, i).trimEnd()} returns ${said}` : `${code.slice(copied, start)} ${said}`;
      copied = end;
    }
    i = Math.max(i, end - 1);
  }
  return out + code.slice(copied);
}

/**
 * What the code reader cannot know about signatures: `**kwargs` and `*args` are names, not
 * powers; `T[]` is an array; `Result<TcpStream, std::io::Error>` reads "Result of TcpStream,
 * std::io::Error" however its arguments are written; TypeScript's "... 12 more ..." is "12 more";
 * in Rust, `&str` is a reference.
 */
function prepareSignature(signature: string, languageId: string | undefined): string {
  let text = signature
    .replace(/\.\.\.\s*(\d+)\s+more\s*\.\.\./g, '$1 more')
    .replace(/(^|[(,]\s*)\*{1,2}(?=[A-Za-z_])/gm, '$1')
    .replace(/([\w$>\])])\[\]/g, '$1 array')
    .replace(/=>/g, '\u21d2')
    .replace(/->/g, '\u2192');
  for (let previous = ''; previous !== text;) {
    previous = text;
    text = text.replace(/\b([A-Za-z_$][\w$.:]*)<([^<>'"`\n]{0,200})>/g, (_m, name: string, args: string) =>
      args.trim() ? `${name} of ${args}` : name,
    );
  }
  text = text.replace(/\u21d2/g, '=>').replace(/\u2192/g, '->');
  if (languageId === 'rust' || languageId === 'rs')
    text = text.replace(/&\s*mut\s+/g, 'mutable reference to ').replace(/&(?=['\w([])/g, 'reference to ');
  return text;
}

// ---------------------------------------------------------------------------------------
// The documentation

const TAG_WORDS: Record<string, string> = {
  param: 'Parameter',
  parameter: 'Parameter',
  arg: 'Parameter',
  argument: 'Parameter',
  key: 'Parameter',
  keyword: 'Parameter',
  template: 'Type parameter',
  typeparam: 'Type parameter',
  returns: 'Returns',
  return: 'Returns',
  rtype: 'Return type',
  yields: 'Yields',
  yield: 'Yields',
  throws: 'Throws',
  throw: 'Throws',
  raises: 'Raises',
  raise: 'Raises',
  exception: 'Throws',
  except: 'Raises',
  type: 'Type',
  var: 'Variable',
  ivar: 'Variable',
  cvar: 'Variable',
  property: 'Property',
  prop: 'Property',
  example: 'Example',
  deprecated: 'Deprecated',
  see: 'See',
  since: 'Since',
  default: 'Default',
  defaultvalue: 'Default',
  remarks: 'Remarks',
  todo: 'To do',
};

const tagWords = (name: string) => {
  const known = TAG_WORDS[name.toLowerCase()];
  if (known) return known;
  const words = splitIdentifier(name);
  return words ? words[0].toUpperCase() + words.slice(1) : name;
};

/** "Parameter `x`: what it is." — a tag or field in words; the name stays code, the text prose. */
function field(tag: string, name: string | undefined, text: string): string {
  const label = tagWords(tag);
  const subject = name ? `${label} \`${name}\`` : label;
  return text.trim() ? `${subject}: ${text.trim()}` : `${subject}.`;
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };

/**
 * Markdown from a hover made ready for toSpeakable: HTML entities and backslash escapes
 * undone (Pylance writes `&nbsp;` and `\_`); `Promise&lt;T&gt;` as "Promise of T"; JSDoc tags
 * as TypeScript shows them (`*@param* \`x\` — text`) and reST or Epytext fields
 * (`:param x: text`, `:rtype: str`, `@return: text`) said as words; `{@link Foo}` by its text.
 */
function prepareDocumentation(markdown: string): string {
  return markdown
    .replace(/&lt;([\w$., ]{1,80})&gt;/g, ' of $1')
    .replace(/&(nbsp|amp|quot|apos|lt|gt);|&#(\d{1,6});|&#x([0-9a-f]{1,6});/gi, (_m, name?: string, dec?: string, hex?: string) => {
      if (name) {
        const lower = name.toLowerCase();
        return lower === 'lt' ? ' less than ' : lower === 'gt' ? ' greater than ' : ENTITIES[lower];
      }
      const code = dec ? Number(dec) : parseInt(hex ?? '', 16);
      if (code === 0xa0) return ' ';
      return code > 0 && code <= 0x10ffff && code !== 0x3c && code !== 0x3e ? String.fromCodePoint(code) : ' ';
    })
    .replace(/\\([\\`*_{}[\]()#+\-.!|~<>"'])/g, '$1')
    .replace(
      /\{@link(?:code|plain)?\s+([^}|\s]+)(?:\s*[|\s]\s*([^}]+))?\}/g,
      (_m, target: string, label?: string) => label?.trim() || `\`${target}\``,
    )
    .split('\n')
    .map(sayField)
    .join('\n');
}

const JSDOC_TAG = /^(\s*)\*@([\w-]+)\*(?:\s+`([^`]+)`)?(?:\s*(?:\u2014|--?)\s*|\s+|$)(.*)$/;
const REST_FIELD =
  /^(\s*)[:@](param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?|except|exception|throws?|yields?|var|ivar|cvar)((?:\s+[^\s:]+)*)\s*:(?:\s+|$)(.*)$/;

function sayField(line: string): string {
  const tag = JSDOC_TAG.exec(line);
  if (tag) return `${tag[1]}${field(tag[2], tag[3]?.replace(/^\.\.\./, ''), tag[4])}`;
  const rest = REST_FIELD.exec(line);
  if (!rest) return line;
  const args = rest[3].trim().split(/\s+/).filter(Boolean);
  const kind = rest[2].toLowerCase();
  // ":param str name:" names the type first; ":raises ValueError:" names what is raised.
  const name = args.at(-1)?.replace(/^\*+/, '');
  if (kind === 'type' && name) return `${rest[1]}Type of \`${name}\`: ${rest[4].trim()}`;
  return `${rest[1]}${field(kind, name, rest[4])}`;
}
