// What a command run in the terminal printed, said briefly: the escape sequences gone, the
// screen as the terminal last showed it (progress bars rewritten with \r keep their last
// state), noise left out, and long output summarised from its end, where errors and
// results are. Pure: no `vscode` here. The spoken phrases are English, like the voices
// (see src/diagnostics/wording.ts), so they are not translated.

import { shortenMessage } from '../diagnostics/wording';

// ---------------------------------------------------------------------------------------
// The screen: escape sequences, carriage returns, backspaces

const ESC = 0x1b;
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
/** C1 controls, the 8-bit forms of ESC [ (CSI), ESC ] (OSC), ESC P (DCS), ESC \ (ST)… */
const C1_CSI = 0x9b;
const C1_OSC = 0x9d;
const C1_ST = 0x9c;
const C1_STRINGS = new Set([0x90, 0x98, 0x9e, 0x9f]); // DCS, SOS, PM, APC
const C1_NEL = 0x85;
const TAB_WIDTH = 8;

/**
 * The text as a terminal would show it, without any ANSI/VT escape sequence: CSI (colours,
 * private modes, cursor moves), OSC (titles, hyperlinks, VS Code's shell integration
 * `ESC ] 633 ; … BEL`), DCS, SOS, PM and APC strings, two- and three-character escapes, and
 * their 8-bit forms. A line rewritten after `\r` keeps only its last version (progress bars,
 * spinners); backspaces, tabs, erasing the line (`ESC [ K`) and moving the cursor along the
 * line or up and down (redrawn multi-line progress) act as on screen; other control
 * characters are dropped. Trailing spaces are trimmed from each line.
 *
 * Linear time and size: whatever the input, moving the cursor up into earlier lines copies,
 * and moving it past a line's end pads, at most about twice the input's length in all; past
 * that, moves up are ignored and gaps are one space. Never throws.
 */
export function stripAnsi(text: string): string {
  try {
    return new Screen(text.length).render(text);
  } catch {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    return String(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
  }
}

class Screen {
  /** Lines finished or left, by row; the row under the cursor lives in `cells` meanwhile. */
  private readonly rows: string[] = [];
  private row = 0;
  /** The cursor's row, one code point (or one surrogate pair) a cell. */
  private cells: string[] = [];
  private col = 0;
  /** After a lone \r: the next character written starts the line's next version. */
  private rewrite = false;
  /** How many characters going back up may still cost (see goToRow): keeps the whole linear. */
  private revisitBudget: number;
  /** How many blanks moving the cursor past a line's end may still write (see padToCursor). */
  private padBudget: number;

  constructor(inputLength: number) {
    this.revisitBudget = 2 * inputLength + 100_000;
    this.padBudget = inputLength + 100_000;
  }

  render(text: string): string {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c >= 0x20 && c !== 0x7f && (c < 0x80 || c > 0x9f)) {
        const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
        this.put(pair ? text.slice(i, i + 2) : text[i]);
        i += pair ? 2 : 1;
        continue;
      }
      switch (c) {
        case 0x0a: // \n
        case 0x0b: // vertical tab and form feed move down like a line feed
        case 0x0c:
        case C1_NEL:
          this.lineFeed();
          i++;
          break;
        case 0x0d: // \r: a CR LF ends the line as it is; a lone CR starts its next version
          this.col = 0;
          if (text.charCodeAt(i + 1) !== 0x0a) this.rewrite = true;
          i++;
          break;
        case 0x08: // backspace
          this.col = Math.max(0, this.col - 1);
          i++;
          break;
        case 0x09: // tab
          this.moveTo(this.col + TAB_WIDTH - (this.col % TAB_WIDTH), true);
          i++;
          break;
        case ESC:
          i = this.escape(text, i);
          break;
        case C1_CSI:
          i = this.csi(text, i + 1);
          break;
        case C1_OSC:
          i = skipString(text, i + 1, true);
          break;
        default:
          i = C1_STRINGS.has(c) ? skipString(text, i + 1, false) : i + 1;
      }
    }
    this.leaveRow();
    return this.rows.join('\n');
  }

  private put(ch: string): void {
    if (this.rewrite) {
      this.cells.length = 0;
      this.rewrite = false;
    }
    if (this.col < this.cells.length) this.cells[this.col] = ch;
    else {
      this.padToCursor();
      this.cells.push(ch);
    }
    this.col++;
  }

  /**
   * Blanks up to the cursor when it is past the line's end. Paid from a budget the size of
   * the input; once it is spent a gap is one space, which reads the same.
   */
  private padToCursor(): void {
    let gap = this.col - this.cells.length;
    if (gap <= 0) return;
    if (gap > this.padBudget) {
      gap = 1;
      this.col = this.cells.length + 1;
    }
    this.padBudget -= gap;
    while (gap-- > 0) this.cells.push(' ');
  }

  /** Moves along the line; `fill` writes blanks past its end (a tab). */
  private moveTo(col: number, fill = false): void {
    if (this.rewrite && col > 0) {
      // Positioned on purpose after a \r: what follows overwrites in place.
      this.rewrite = false;
    }
    this.col = Math.max(0, col);
    if (fill) this.padToCursor();
  }

  private lineFeed(): void {
    this.goToRow(this.row + 1, true);
    this.col = 0;
  }

  private leaveRow(): void {
    this.rows[this.row] = this.cells.join('').trimEnd();
  }

  /**
   * To another row; past the last one only when `grow` (a line feed), as on a screen's
   * bottom line. Going up is paid from the budget by the length of every row it passes over
   * (each may be copied again on the way down); once it is spent, going up is ignored.
   */
  private goToRow(target: number, grow: boolean): void {
    const lastRow = Math.max(this.rows.length - 1, this.row);
    const to = Math.max(0, grow ? target : Math.min(target, lastRow));
    if (to === this.row) return;
    if (to < this.row) {
      let cost = this.cells.length + 1;
      for (let r = to; r < this.row && cost <= this.revisitBudget; r++) cost += this.rows[r].length + 1;
      if (cost > this.revisitBudget) return;
      this.revisitBudget -= cost;
    }
    this.leaveRow();
    this.row = to;
    this.cells = to < this.rows.length ? Array.from(this.rows[to]) : [];
    this.rewrite = false;
  }

  /** ESC at `i`: returns where the text after the sequence starts. */
  private escape(text: string, i: number): number {
    if (i + 1 >= text.length) return i + 1;
    switch (text[i + 1]) {
      case '[':
        return this.csi(text, i + 2);
      case ']':
        return skipString(text, i + 2, true);
      case 'P': // DCS
      case 'X': // SOS
      case '^': // PM
      case '_': // APC
        return skipString(text, i + 2, false);
      case 'E': // next line
      case 'D': // index: down one line
        this.lineFeed();
        return i + 2;
      case 'M': // reverse index: up one line
        this.goToRow(this.row - 1, false);
        return i + 2;
    }
    // ESC, intermediates 0x20–0x2F, a final 0x30–0x7E: charset choices, ESC 7, ESC =, ESC c…
    let j = i + 1;
    while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
    const final = text.charCodeAt(j);
    return final >= 0x30 && final <= 0x7e ? j + 1 : j;
  }

  /** The parameters of a CSI start at `i`; returns where the text after it starts. */
  private csi(text: string, i: number): number {
    let j = i;
    const n = text.length;
    while (j < n && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x3f) j++;
    const params = text.slice(i, j);
    while (j < n && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
    const final = text.charCodeAt(j);
    // Cut short by a control character or the end: the sequence is dropped, the rest is read.
    if (!(final >= 0x40 && final <= 0x7e)) return j;
    if (params.length <= 32 && !/[<=>]/.test(params)) this.act(text[j], params.replace(/^\?/, ''));
    return j + 1;
  }

  private act(command: string, params: string): void {
    const first = params.split(/[;:]/)[0];
    const value = first === '' ? undefined : Number(first);
    const count = Math.max(1, value ?? 1);
    switch (command) {
      case 'K': // erase in line: to the end, from the start, all
        if (!value) this.cells.length = Math.min(this.cells.length, this.col);
        else if (value === 1) for (let k = 0; k <= this.col && k < this.cells.length; k++) this.cells[k] = ' ';
        else if (value === 2) this.cells.length = 0;
        return;
      case 'G': // to a column
      case '`':
        if (count === 1) {
          this.col = 0;
          this.rewrite = true;
        } else this.moveTo(count - 1);
        return;
      case 'C': // forward
        this.moveTo(this.col + count);
        return;
      case 'D': // back
        this.col = Math.max(0, this.col - count);
        return;
      case 'A': // up
      case 'F': // up, to the line's start
        this.goToRow(this.row - count, false);
        if (command === 'F') this.col = 0;
        return;
      case 'B': // down
      case 'E': // down, to the line's start
        this.goToRow(this.row + count, false);
        if (command === 'E') this.col = 0;
        return;
    }
  }
}

/**
 * Skips an OSC (`osc`) or a DCS, SOS, PM or APC string starting at `i`: it ends at ST
 * (ESC \ or 0x9C), BEL, CAN or SUB, or where another escape sequence starts. An OSC left
 * open also ends at the line's end, so that a sequence cut off cannot hide the rest.
 */
function skipString(text: string, i: number, osc: boolean): number {
  const n = text.length;
  for (let j = i; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === BEL || c === C1_ST || c === CAN || c === SUB) return j + 1;
    if (c === ESC) return text.charCodeAt(j + 1) === 0x5c ? j + 2 : j;
    if (osc && (c === 0x0a || c === 0x0d)) return j;
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// The command as a person says it

const SETUP_COMMANDS = new Set(['cd', 'pushd', 'popd', 'export', 'set', 'setx', 'source', '.', 'clear', 'cls', 'true', 'unset', 'alias']);
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'time', 'nice', 'nohup', 'command', 'exec', 'npx', 'pnpx', 'bunx', 'caffeinate']);
const INTERPRETERS = new Set([
  'node',
  'python',
  'python3',
  'py',
  'ruby',
  'perl',
  'php',
  'bash',
  'sh',
  'zsh',
  'fish',
  'pwsh',
  'powershell',
  'ts-node',
  'tsx',
]);
/** Tools whose first word after them is a subcommand a person would say: "npm test", "git commit". */
const SUBCOMMAND_TOOLS = new Set([
  'npm',
  'pnpm',
  'yarn',
  'bun',
  'deno',
  'git',
  'gh',
  'cargo',
  'rustup',
  'go',
  'docker',
  'podman',
  'kubectl',
  'helm',
  'dotnet',
  'pip',
  'pip3',
  'pipenv',
  'poetry',
  'uv',
  'conda',
  'mvn',
  'mvnw',
  'gradle',
  'gradlew',
  'make',
  'just',
  'brew',
  'apt',
  'apt-get',
  'dnf',
  'terraform',
  'flutter',
  'dart',
  'swift',
  'composer',
  'bundle',
  'rails',
  'rake',
  'mix',
  'nx',
  'turbo',
  'lerna',
  'ng',
  'vite',
  'tox',
  'nox',
]);
/** Subcommands that take another: "npm run build", "docker compose up", "poetry run pytest". */
const GROUP_SUBCOMMANDS = new Set(['run', 'run-script', 'exec', 'x', 'dlx', 'compose', 'task', 'workspace', 'container', 'image']);
const PLAIN_WORD = /^[A-Za-z][\w:.+-]*$/;

/** Words of a shell command line, quotes removed; operators (&&, ||, ;, |) as their own words. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let started = false;
  const flush = () => {
    if (started) words.push(word);
    word = '';
    started = false;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) flush();
    else if ('&|;'.includes(ch)) {
      const op = ch === ';' ? ';' : line[i + 1] === ch ? ch + ch : ch;
      if (op === '&' && (line[i - 1] === '>' || line[i + 1] === '>')) {
        word += ch; // 2>&1, &>file
        started = true;
        continue;
      }
      flush();
      words.push(op);
      i += op.length - 1;
    } else {
      word += ch;
      started = true;
    }
  }
  flush();
  return words;
}

const programName = (word: string) =>
  (word.split(/[\\/]/).pop() ?? word).replace(/\.(exe|cmd|bat|com|ps1)$/i, '').replace(/^(python\d?)\.\d+$/, '$1');

/** One simple command in words: "npm run build", "pytest", "node build.mjs", "tsc". */
function spokenSimpleCommand(words: string[]): string {
  let k = 0;
  while (k < words.length) {
    const w = words[k];
    if (/^[A-Za-z_]\w*=/.test(w) || WRAPPERS.has(programName(w).toLowerCase())) k++;
    else if (k > 0 && w.startsWith('-') && WRAPPERS.has(programName(words[k - 1]).toLowerCase())) k++;
    else break;
  }
  const args: string[] = [];
  for (let r = k; r < words.length; r++) {
    const w = words[r];
    if (/^(?:\d*(?:>>?|<)|&>>?)$/.test(w))
      r++; // `> out.txt`: the file goes too
    else if (!/^(?:\d*[<>]|&>)/.test(w)) args.push(w);
  }
  if (args.length === 0) return '';
  const program = programName(args[0]);
  const lower = program.toLowerCase();
  if (INTERPRETERS.has(lower)) {
    const module = /^(?:python\d?|py)$/.test(lower) ? args.indexOf('-m') : -1;
    if (module > 0 && args[module + 1]) return spokenSimpleCommand(args.slice(module + 1));
    const script = args.slice(1).find((a) => !a.startsWith('-'));
    return script && /\.\w+$/.test(script) ? `${program} ${programName(script)}` : program;
  }
  if (!SUBCOMMAND_TOOLS.has(lower)) return program;
  const said = [program];
  const first = args[1];
  if (first && PLAIN_WORD.test(first)) {
    said.push(first);
    const second = args[2];
    if (GROUP_SUBCOMMANDS.has(first) && second && PLAIN_WORD.test(second)) said.push(second);
  }
  return said.join(' ');
}

/**
 * A command line as a person would name it: "npm test", "npm run build", "git commit",
 * "pytest" (from `python -m pytest`), "tsc" (from `npx tsc -p .`), "node build.mjs";
 * setup steps (`cd`, `export`) and what a pipe feeds are left out; chained commands are
 * named together ("npm run build and npm test"). "The command" when nothing is left.
 */
export function spokenCommandName(command: string): string {
  const line =
    String(command ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? '';
  const words = shellWords(line);
  const names: string[] = [];
  let simple: string[] = [];
  let piped = false;
  const finishSimple = () => {
    const first = simple.find((w) => !/^[A-Za-z_]\w*=/.test(w));
    if (!piped && first && !SETUP_COMMANDS.has(programName(first).toLowerCase())) {
      const name = spokenSimpleCommand(simple);
      if (name) names.push(name);
    }
    simple = [];
  };
  // Subshell and group brackets are not part of the names: `(exit 2)`, `{ make; }`.
  for (const w of words.map((word) => word.replace(/^[({]+|[)}]+$/g, '')).filter(Boolean)) {
    if (w === '|') {
      finishSimple();
      piped = true;
    } else if (w === '&&' || w === '||' || w === ';' || w === '&') {
      finishSimple();
      piped = false;
    } else simple.push(w);
  }
  finishSimple();
  if (names.length === 0) return 'The command';
  if (names.length <= 3) return joinWords(names);
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}

function joinWords(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

// ---------------------------------------------------------------------------------------
// How it ended, and after how long

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * A duration as said aloud: "1 second", "42 seconds", "2 minutes", "2 minutes and 5 seconds"
 * (under ten minutes), "14 minutes", "1 hour and 5 minutes"; '' under a second.
 */
export function spokenDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 1000) return '';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return plural(seconds, 'second');
  if (seconds < 600) {
    const rest = seconds % 60;
    return rest ? `${plural(Math.floor(seconds / 60), 'minute')} and ${plural(rest, 'second')}` : plural(seconds / 60, 'minute');
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const rest = minutes % 60;
  const hours = plural(Math.floor(minutes / 60), 'hour');
  return rest ? `${hours} and ${plural(rest, 'minute')}` : hours;
}

function howItEnded(exitCode: number | undefined): string {
  if (exitCode === undefined || exitCode === null || !Number.isFinite(exitCode)) return 'finished, exit code unknown';
  return exitCode === 0 ? 'finished successfully' : `finished, exit code ${exitCode}`;
}

export interface CommandFinished {
  command: string;
  exitCode: number | undefined;
  durationMs?: number;
}

/**
 * A short phrase when a command ends: "npm test finished, exit code 1", "npm test finished
 * successfully after 2 minutes", "npm test finished after 12 seconds" (exit code unknown).
 * No final full stop; plain text for toSpeakable kind 'message'.
 */
export function announceCommandFinished({ command, exitCode, durationMs }: CommandFinished): string {
  const name = spokenCommandName(command);
  const duration = durationMs === undefined ? '' : spokenDuration(durationMs);
  const known = exitCode !== undefined && exitCode !== null && Number.isFinite(exitCode);
  if (!duration) return `${name} ${known ? howItEnded(exitCode) : 'finished'}`;
  const after = `after ${duration}`;
  if (!known) return `${name} finished ${after}`;
  return exitCode === 0 ? `${name} finished successfully ${after}` : `${name} finished ${after}, exit code ${exitCode}`;
}

// ---------------------------------------------------------------------------------------
// The output: noise out, long output summarised

export interface CommandOutput {
  command: string;
  exitCode: number | undefined;
  /** What the command printed, raw from the terminal (escape sequences are removed here). */
  output: string;
  /** The summary is at most this long; default DEFAULT_SUMMARY_CHARS (about a minute of speech). */
  maxChars?: number;
}

export const DEFAULT_SUMMARY_CHARS = 1000;
/** A single line longer than this is shortened (long types collapsed, then cut at a word). */
const MAX_LINE_CHARS = 220;
/** Lines are cut to this before anything else looks at them, so no line costs more than this. */
const MAX_SCANNED_LINE = 4 * MAX_LINE_CHARS;

const ERROR_WORDS =
  /\b(?:errors?|fail(?:s|ed|ing|ure|ures)?|fatal|panic(?:ked)?|exception|traceback|cannot|can't|couldn't|unable|not found|no such|denied|refused|invalid|undefined reference|segmentation fault|abort(?:ed)?|assert(?:ion)?(?:error)?)\b|ERR!|[✖✗✘×❌]/i;
/** TypeError, IOException; tsc's TS2304, rustc's E0308, C#'s CS0103, MSVC's C2065 and LNK2019. */
const ERROR_NAMES = /\b(?:[A-Z]\w*(?:Error|Exception)|TS\d{4,5}|E\d{3,4}|CS\d{4}|C\d{4}|LNK\d{4})\b/;
const looksLikeError = (line: string) => ERROR_WORDS.test(line) || ERROR_NAMES.test(line);
/** A bar: block characters, `[=====>   ]`, `####` with a count beside it. */
const PROGRESS_BAR = /[█▉▊▋▌▍▎▏▓▒░■□▰▱⣿⣶⣤⣀━─]{3,}|\[[=#>.\s-]{4,}\]|[=#]{3,}>|[=#]{10,}/;
const PROGRESS_COUNTER = /\d+(?:\.\d+)?\s*%|\b\d+\s*\/\s*\d+\b|\b\d+(?:\.\d+)?\s*[kKMGT]i?B\b|\bETA\b|\beta\b|\b\d+:\d\d\b|\bit\/s\b/;
/** A spinner's frame: a braille or circle glyph, then what it is waiting for. */
const SPINNER_FRAME = /^[\u2800-\u28ff◐◓◑◒◴◷◶◵◰◳◲◱⠁]\s/u;
const BOX_DRAWING = /\s*[\u2500-\u257f]+\s*/g;
const ONLY_SYMBOLS = /^[\p{P}\p{S}\p{Z}\s]*$/u;
/** A line of a stack trace: JavaScript's "at f (file.js:3:7)", Java's "at a.B.c(B.java:12)". */
const STACK_FRAME = /^at\s+\S.*(?::\d+\)?|\((?:native|Native Method|Unknown Source|<anonymous>)\))$/;
/** A frame in the runtime or a dependency rather than in the user's code. */
const FOREIGN_FRAME =
  /\(?(?:node:|internal\/)|[\\/]node_modules[\\/]|\((?:native|Native Method|Unknown Source|<anonymous>)\)$|\bat (?:java|javax|jdk|sun|kotlin)\./;
/** npm's banner "> pkg@1.0.0 test" (and the script line after it), and its failure trailer: the exit code says it. */
const NPM_BANNER = /^> \S+@\S+(?: \S+){1,2}$/;
const NPM_TRAILER =
  /^npm (?:ERR!|error)(?:\s*$|\s+(?:code|errno|path|workspace|location|command|syscall|signal|Exit status|Lifecycle script|Failed at the|This is probably not a problem with npm|A complete log of this run|There is likely additional logging|\/|[A-Za-z]:\\|\S+@\S+ \S+: `))/;
const YARN_TRAILER = /^info Visit https:\/\/yarnpkg\.com\//;

interface OutputLine {
  text: string;
  error: boolean;
}

/**
 * `src/app.ts:12:5` and `src/app.ts(12,5)` → "app.ts line 12": the file's name and line,
 * as a person would point to it.
 */
function spokenLocations(line: string): string {
  return line.replace(
    /(?<![\w:/\\.])(?:[A-Za-z]:)?(?:[\w@.+~-]*[\\/])*([\w@+-][\w@.+-]*\.[A-Za-z]\w{0,9})(?::(\d+)(?::\d+)?|\((\d+),\d+\))(?![\d\w])/g,
    (_m, file: string, line1?: string, line2?: string) => `${file} line ${line1 ?? line2}`,
  );
}

/** Noise: progress bars, spinner frames, lines of only symbols or box drawing, npm's banner and trailer. */
function isNoise(line: string, error: boolean): boolean {
  if (ONLY_SYMBOLS.test(line)) return true;
  if (NPM_TRAILER.test(line) || YARN_TRAILER.test(line)) return true;
  if (error) return false;
  return (PROGRESS_BAR.test(line) && PROGRESS_COUNTER.test(line)) || SPINNER_FRAME.test(line);
}

/** The lines worth saying, in order: trimmed, noise dropped, repeats counted, stack traces cut to one frame. */
function meaningfulLines(screen: string): OutputLine[] {
  const out: OutputLine[] = [];
  let previous: string | undefined;
  let repeats = 0;
  let frameKept = false;
  let afterBanner = false;
  const flushRepeats = () => {
    if (repeats > 1) out[out.length - 1].text += ` (repeated ${repeats} times)`;
    repeats = 0;
  };
  for (const raw of screen.split('\n')) {
    const line = (raw.length > MAX_SCANNED_LINE ? raw.slice(0, MAX_SCANNED_LINE) : raw).trim();
    if (!line) continue;
    if (NPM_BANNER.test(line)) {
      afterBanner = true;
      continue;
    }
    if (afterBanner && line.startsWith('> ')) continue;
    afterBanner = false;
    // A stack trace keeps its first frame in the user's code.
    if (STACK_FRAME.test(line)) {
      if (frameKept || FOREIGN_FRAME.test(line)) continue;
      frameKept = true;
    } else frameKept = false;
    const error = looksLikeError(line);
    if (isNoise(line, error)) continue;
    // Box drawing around text ("│ Update available │") is noise when said.
    const text = line.replace(BOX_DRAWING, ' ').trim();
    if (text === previous) {
      repeats++;
      continue;
    }
    flushRepeats();
    previous = text;
    repeats = 1;
    out.push({ text, error });
  }
  flushRepeats();
  return collapseSimilar(out).map((l) => ({ text: spokenLocations(l.text), error: l.error }));
}

/**
 * Three or more lines in a row that differ only in their numbers ("copied asset 1.png",
 * "copied asset 2.png"…) are said once, by the last of them: "copied asset 200.png (the last
 * of 200 similar lines)". Error lines are kept apart: their numbers say where.
 */
function collapseSimilar(lines: OutputLine[]): OutputLine[] {
  const out: OutputLine[] = [];
  const shape = (l: OutputLine) => (l.error || !/\d/.test(l.text) ? undefined : l.text.replace(/\d+/g, '0'));
  for (let start = 0; start < lines.length;) {
    const s = shape(lines[start]);
    let end = start + 1;
    while (s !== undefined && end < lines.length && shape(lines[end]) === s) end++;
    if (end - start >= 3) out.push({ text: `${lines[end - 1].text} (the last of ${end - start} similar lines)`, error: false });
    else out.push(...lines.slice(start, end));
    start = end;
  }
  return out;
}

/**
 * A line said within `max` characters. Error lines get diagnostics' shortening (long type
 * dumps in quotes said in a few words, even when the line fits); other lines are only cut
 * at a word, since what they quote need not be a type.
 */
function fitLine(line: OutputLine, max: number): string {
  if (line.error) return shortenMessage(line.text, max).text;
  if (line.text.length <= max) return line.text;
  const cut = line.text.slice(0, max).replace(/\s+\S*$/, '');
  return `${cut.length > max / 2 ? cut : line.text.slice(0, max - 1)}…`;
}

/**
 * The text to speak when a command has finished: its name and how it ended ("npm test
 * finished, exit code 1."), then what it printed. Output that fits is said whole; longer
 * output is summarised: "The last 12 of 4210 lines:" (where errors and results are), then
 * error-looking lines from before them ("Earlier errors:"), then, if room is left, "It began
 * with:". Progress bars, spinner frames, lines of only symbols or box drawing and npm's
 * banner and failure trailer are left out; repeated lines are said once with "(repeated 40
 * times)", runs of lines that differ only in numbers by their last one; a stack trace keeps
 * its first frame in the user's code; `src/app.ts:12:5` is said "app.ts line 12".
 *
 * One line a statement, so the result is for toSpeakable kind 'message' (each line its own
 * sentence; quoted names read as code), never longer than `maxChars` (or than its first
 * sentence, if `maxChars` is smaller still).
 */
export function summarizeCommandOutput({ command, exitCode, output, maxChars = DEFAULT_SUMMARY_CHARS }: CommandOutput): string {
  const header = `${spokenCommandName(command)} ${howItEnded(exitCode)}.`;
  const lines = meaningfulLines(stripAnsi(typeof output === 'string' ? output : ''));
  const max = Math.max(header.length, Math.floor(Number.isFinite(maxChars) ? maxChars : DEFAULT_SUMMARY_CHARS));
  if (lines.length === 0) return fit([header, 'No output.'], max);
  const room = max - header.length - 1;
  const lineMax = Math.max(40, Math.min(MAX_LINE_CHARS, Math.floor(room / 4)));
  const said = lines.map((l) => fitLine(l, lineMax));
  const whole = said.reduce((n, l) => n + l.length + 1, 0);
  if (whole <= room) return [header, ...said].join('\n');

  // The end first: its lines, in order, within most of the room (at least one line).
  const tailLabel = (count: number) => `The last ${count === 1 ? 'line' : `${count}`} of ${lines.length} lines:`;
  let used = Math.max(tailLabel(1).length, tailLabel(lines.length).length) + 1;
  let tailStart = lines.length;
  while (tailStart > 0) {
    const cost = said[tailStart - 1].length + 1;
    if (tailStart < lines.length && used + cost > room * 0.6) break;
    used += cost;
    tailStart--;
  }
  const sections = [header, tailLabel(lines.length - tailStart), ...said.slice(tailStart)];

  // Error-looking lines from before, in order (the first is often the cause), within most of what is left.
  const earlier: number[] = [];
  const errorsRoom = used + ((room - used) * 2) / 3;
  let errorsUsed = used + 'Earlier errors:'.length + 1;
  for (let k = 0; k < tailStart; k++) {
    if (!lines[k].error) continue;
    const cost = said[k].length + 1;
    if (errorsUsed + cost > errorsRoom) break;
    errorsUsed += cost;
    earlier.push(k);
  }
  if (earlier.length > 0) {
    sections.push('Earlier errors:', ...earlier.map((k) => said[k]));
    used = errorsUsed;
  }

  // Then the beginning, if room is left.
  const head: string[] = [];
  let headUsed = used + 'It began with:'.length + 1;
  for (let k = 0; k < (earlier[0] ?? tailStart); k++) {
    const cost = said[k].length + 1;
    if (headUsed + cost > room) break;
    headUsed += cost;
    head.push(said[k]);
  }
  if (head.length > 0) sections.push('It began with:', ...head);
  return fit(sections, max);
}

/** Joins `lines`, leaving out whole lines past `max` (the first line is cut if it alone is too long). */
function fit(lines: string[], max: number): string {
  let text = '';
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (next.length > max) return text || line.slice(0, max);
    text = next;
  }
  return text;
}
