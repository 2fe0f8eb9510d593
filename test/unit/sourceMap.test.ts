import * as assert from 'node:assert/strict';
import { Chunker } from '../../src/speech/chunker';
import { rawBlocks } from '../../src/speech/reader';
import { SourceMapper, WORDS_THE_SPEECH_ADDS, type SourceMapperOptions, type SpokenSourceMap } from '../../src/speech/sourceMap';
import { compilePronunciations, toSpeakable, type PunctuationLevel, type SpeakableOptions } from '../../src/speech/speakable';

interface Span {
  start: number;
  end: number;
}

/** What the reader does: raw blocks, each made speakable, fed to the chunker. */
function readAloud(source: string, options: SpeakableOptions): string[] {
  const chunker = new Chunker();
  const chunks: string[] = [];
  for (const block of rawBlocks(source, 1_000, 4_000)) {
    const spoken = toSpeakable(block, options);
    if (spoken.trim()) chunks.push(...chunker.push(spoken));
  }
  chunks.push(...chunker.finish());
  return chunks;
}

interface Reading {
  chunks: string[];
  maps: (SpokenSourceMap | undefined)[];
  reads: number;
  charsRead: number;
}

function mapReading(
  source: string,
  options: SpeakableOptions,
  mapperOptions: SourceMapperOptions = { pronunciations: options.pronunciations },
): Reading {
  const chunks = readAloud(source, options);
  const reading: Reading = { chunks, maps: [], reads: 0, charsRead: 0 };
  const mapper = new SourceMapper(
    (start, end) => {
      reading.reads++;
      reading.charsRead += end - start;
      return source.slice(start, end);
    },
    source.length,
    mapperOptions,
  );
  reading.maps = chunks.map((chunk) => mapper.map(chunk));
  return reading;
}

const sentencesOf = (spoken: string) => spoken.split(/(?<=[.!?…]["'”’)\]]*)\s+/).filter((s) => /[\p{L}\p{N}]/u.test(s));

/** Each sentence's expected source, found in order; undefined for a sentence with nothing of the source in it. */
function spansOf(source: string, texts: (string | undefined)[]): (Span | undefined)[] {
  let from = 0;
  return texts.map((text) => {
    if (text === undefined) return undefined;
    const start = source.indexOf(text, from);
    assert.ok(start >= 0, `"${text}" is in the source after ${from}`);
    from = start + text.length;
    return { start, end: from };
  });
}

/** Code is spoken line by line: each line's sentence comes from its first to its last letter or digit. */
function lineSpans(source: string, options: SpeakableOptions): (Span | undefined)[] {
  const spans: Span[] = [];
  let at = 0;
  for (const line of source.split('\n')) {
    const sentences = sentencesOf(toSpeakable(line, options));
    assert.ok(sentences.length <= 1, `one sentence for "${line}"`);
    if (sentences.length) {
      const first = line.search(/[\p{L}\p{N}]/u);
      const last = line.search(/[^\p{L}\p{N}]*$/u);
      spans.push({ start: at + first, end: at + last });
    }
    at += line.length + 1;
  }
  return spans;
}

/** Every chunk maps to its sentences' source: from the first one's start to the last one's end. */
function assertChunksCover(source: string, reading: Reading, sentenceSpans: (Span | undefined)[]): void {
  let next = 0;
  reading.chunks.forEach((chunk, i) => {
    const count = sentencesOf(chunk).length;
    const own = sentenceSpans.slice(next, next + count).filter((s): s is Span => s !== undefined);
    next += count;
    const expected = own.length ? { start: own[0].start, end: own[own.length - 1].end } : undefined;
    const actual = reading.maps[i] && { start: reading.maps[i].start, end: reading.maps[i].end };
    const text = (s?: Span) => s && source.slice(s.start, s.end);
    assert.deepEqual([actual, text(actual)], [expected, text(expected)], `chunk ${i}: "${chunk}"`);
  });
  assert.equal(next, sentenceSpans.length, 'every sentence was read');
}

interface MappedWord {
  spoken: string;
  source: string;
  start: number;
  anchored: boolean;
}

function wordsOf(source: string, reading: Reading): MappedWord[] {
  return reading.chunks.flatMap((chunk, i) =>
    (reading.maps[i]?.words ?? []).map((w) => ({
      spoken: chunk.slice(w.spokenStart, w.spokenEnd),
      source: source.slice(w.sourceStart, w.sourceEnd),
      start: w.sourceStart,
      anchored: w.anchored,
    })),
  );
}

/** The source of the spoken words from the first occurrence of `phrase` on, one per word. */
function sourcesOfPhrase(words: MappedWord[], phrase: string): string[] {
  const said = phrase.split(' ');
  const at = words.findIndex((_, i) => said.every((s, j) => words[i + j]?.spoken.toLowerCase() === s));
  assert.ok(at >= 0, `"${phrase}" was said`);
  return words.slice(at, at + said.length).map((w) => w.source);
}

describe('source map', () => {
  const typescript: SpeakableOptions = { kind: 'code', languageId: 'typescript' };

  it('maps TypeScript sentences to their lines, and words into identifiers, operators and literals', () => {
    const source = [
      '// Fetches the user by id from the cache.',
      'export async function getUserById(id: string): Promise<User | undefined> {',
      '  const cache: Map<string, number[]> = new Map();',
      '  if (id === undefined || !cache.has(id)) return;',
      '  const label = `user ${id} is missing`;',
      '  let retries = 0xFF;',
      '  const message = "first\\nsecond";',
      '  retries++;',
      '  return HTTP_CLIENT.get<User>(label, { retries: MAX_RETRIES });',
      '}',
    ].join('\n');
    const reading = mapReading(source, typescript);
    assertChunksCover(source, reading, lineSpans(source, typescript));
    const words = wordsOf(source, reading);
    assert.deepEqual(sourcesOfPhrase(words, 'get user by id'), ['get', 'User', 'By', 'Id']);
    assert.deepEqual(sourcesOfPhrase(words, 'promise of user or undefined'), ['Promise', '<', 'User', '|', 'undefined']);
    assert.deepEqual(sourcesOfPhrase(words, 'id equals undefined or not cache'), ['id', '===', 'undefined', '|| !', '|| !', 'cache']);
    assert.deepEqual(sourcesOfPhrase(words, 'user id is missing'), ['user', 'id', 'is', 'missing']);
    assert.deepEqual(sourcesOfPhrase(words, 'retries equals hex f f'), ['retries', '= 0x', '= 0x', 'F', 'F']);
    assert.deepEqual(sourcesOfPhrase(words, 'first second'), ['first', 'second'], 'the escape \\n is not said');
    assert.deepEqual(sourcesOfPhrase(words, 'retries plus plus'), ['retries', '++;', '++;']);
    assert.deepEqual(sourcesOfPhrase(words, 'http client'), ['HTTP', 'CLIENT']);
    assert.deepEqual(sourcesOfPhrase(words, 'max retries'), ['MAX', 'RETRIES']);
    assert.deepEqual(sourcesOfPhrase(words, 'fetches the user'), ['Fetches', 'the', 'user']);
  });

  it('maps Python sentences to their lines, with snake_case, SCREAMING_CASE and docstrings', () => {
    const python: SpeakableOptions = { kind: 'code', languageId: 'python' };
    const source = [
      'import os',
      '',
      'MAX_RETRIES = 3',
      '',
      'def get_user_by_id(user_id: int) -> "User":',
      '    """Return the user with this id."""',
      '    # Look it up in the cache first',
      '    if user_id in CACHE and not force_reload:',
      '        return CACHE[user_id]',
      '    return User(**fetch_json(user_id))',
    ].join('\n');
    const reading = mapReading(source, python);
    assertChunksCover(source, reading, lineSpans(source, python));
    const words = wordsOf(source, reading);
    assert.deepEqual(sourcesOfPhrase(words, 'def get user by id user id int'), ['def', 'get', 'user', 'by', 'id', 'user', 'id', 'int']);
    const keywords = words.filter((w) => w.spoken === 'in' || w.spoken === 'not');
    assert.deepEqual(
      keywords.map((w) => [w.source, w.anchored]),
      [
        ['in', true],
        ['in', true],
        ['not', true],
      ],
      'words the speech also says for symbols are matched where the source has them',
    );
    assert.deepEqual(sourcesOfPhrase(words, 'return user to the power of fetch json'), [
      'return',
      'User',
      '(**',
      '(**',
      '(**',
      '(**',
      'fetch',
      'json',
    ]);
  });

  it('maps Markdown past its markup: headings, emphasis, link addresses, lists, fenced code, tables', () => {
    const url = 'https://example.com/docs/guide/install-everything';
    const source = [
      '# Getting Started',
      '',
      `Install the **extension** and read [the guide](${url}) before you begin.`,
      'It works with _any_ editor.',
      '',
      '- Open a file.',
      '- Press the *read* button.',
      '',
      '```ts',
      'const total = items.length;',
      '```',
      '',
      '| Name | Value |',
      '|------|-------|',
      '| foo  | 42    |',
      '',
      'Visit https://github.com/owner/repo/blob/main/README.md today.',
    ].join('\n');
    const reading = mapReading(source, { kind: 'markdown' });
    assertChunksCover(
      source,
      reading,
      spansOf(source, [
        'Getting Started',
        `Install the **extension** and read [the guide](${url}) before you begin`,
        'It works with _any_ editor',
        'Open a file',
        'Press the *read* button',
        undefined, // TypeScript code block.
        'const total = items.length',
        undefined, // End of code block.
        'Name | Value',
        'foo  | 42',
        'Visit https://github.com/owner/repo/blob/main/README.md today',
      ]),
    );
    const words = wordsOf(source, reading);
    assert.deepEqual(sourcesOfPhrase(words, 'guide before'), ['guide', 'before']);
    assert.ok(words.find((w) => w.spoken === 'before')!.start > source.indexOf(url) + url.length, 'the link address is passed over');
    assert.deepEqual(sourcesOfPhrase(words, 'typescript code block const'), ['```ts', '```ts', '```ts', 'const']);
    assert.deepEqual(sourcesOfPhrase(words, 'end of code block'), ['```', '```', '```', '```']);
    assert.deepEqual(sourcesOfPhrase(words, 'visit link to github com readme md today'), [
      'Visit',
      'https://',
      'https://',
      'github',
      'com',
      'README',
      'md',
      'today',
    ]);
  });

  it('maps a prose paragraph joined over lines to all its lines, with Windows line ends and accented words', () => {
    const source = [
      'The reader splits long text into blocks',
      'and prepares each block before it is spoken.',
      'Then it cuts the result into chunks.',
      '',
      'A naïve café paragraph follows here. It has two sentences.',
      '',
    ].join('\r\n');
    const reading = mapReading(source, { kind: 'prose' });
    assertChunksCover(
      source,
      reading,
      spansOf(source, [
        'The reader splits long text into blocks\r\nand prepares each block before it is spoken',
        'Then it cuts the result into chunks',
        'A naïve café paragraph follows here',
        'It has two sentences',
      ]),
    );
    assert.deepEqual(sourcesOfPhrase(wordsOf(source, reading), 'naïve café'), ['naïve', 'café']);
  });

  it('maps a sentence the chunker cuts in two to the two parts of its line', () => {
    const source =
      'When the configuration file is missing, the loader falls back to the defaults that ship with the package and logs a warning.';
    const reading = mapReading(source, { kind: 'prose' });
    assert.equal(reading.chunks.length, 2);
    assert.deepEqual(
      reading.maps.map((m) => m && source.slice(m.start, m.end)),
      ['When the configuration file is missing', 'the loader falls back to the defaults that ship with the package and logs a warning'],
    );
  });

  it('maps compiler messages, with the code they quote', () => {
    const source = [
      "Type 'Promise<string>' is not assignable to type 'number'.",
      "Cannot find name 'getUserById'. Did you mean 'getUserByID'?",
      "Property 'MAX_RETRIES' does not exist on type 'typeof Config'.",
    ].join('\n');
    const reading = mapReading(source, { kind: 'message' });
    assertChunksCover(
      source,
      reading,
      spansOf(source, [
        "Type 'Promise<string>' is not assignable to type 'number",
        "Cannot find name 'getUserById",
        "Did you mean 'getUserByID",
        "Property 'MAX_RETRIES' does not exist on type 'typeof Config",
      ]),
    );
    const words = wordsOf(source, reading);
    assert.deepEqual(sourcesOfPhrase(words, 'promise of string'), ['Promise', '<', 'string']);
    assert.deepEqual(sourcesOfPhrase(words, 'mean get user by id'), ['mean', 'get', 'User', 'By', 'ID']);
  });

  it('maps the words said in place of a term (pronunciations) to the term', () => {
    const pronunciations = compilePronunciations({ kubectl: 'cube control' });
    const source = ['Use kubectl to control the cluster.', '', 'Run `kubectl get pods` before you deploy.'].join('\n');
    const reading = mapReading(source, { kind: 'markdown', pronunciations });
    assertChunksCover(source, reading, spansOf(source, ['Use kubectl to control the cluster', 'Run `kubectl get pods` before you deploy']));
    const words = wordsOf(source, reading);
    assert.deepEqual(sourcesOfPhrase(words, 'use cube control to control the cluster'), [
      'Use',
      'kubectl',
      'kubectl',
      'to',
      'control',
      'the',
      'cluster',
    ]);
    assert.deepEqual(sourcesOfPhrase(words, 'run cube control get'), ['Run', '`kubectl', '`kubectl', 'get']);
    // A chunk's range runs from its first to its last word found in the source; the term is the first word's range.
    const code = 'kubectl apply -f app.yaml\nkubectl rollout status deploy/app\n';
    const codeReading = mapReading(code, { kind: 'code', languageId: 'shellscript', pronunciations });
    assertChunksCover(code, codeReading, spansOf(code, ['apply -f app.yaml', 'rollout status deploy/app']));
    assert.deepEqual(sourcesOfPhrase(wordsOf(code, codeReading), 'cube control rollout'), ['kubectl', 'kubectl', 'rollout']);
  });

  it('keeps words in order when a word said for a term occurs later in the source', () => {
    const pronunciations = compilePronunciations({ k8s: 'kubernetes' });
    const notes = Array.from({ length: 12 }, (_, i) => `Note ${i} repeats what the team agreed on.`);
    const source = [
      'Deploy k8s with helm, then read the kubernetes docs.',
      'Then k8s runs everything.',
      ...notes,
      'Install kubernetes here.',
    ].join('\n');
    // The mapper is not told the pronunciations: "kubernetes" is looked for in the source, near and far.
    const reading = mapReading(source, { kind: 'prose', pronunciations }, {});
    assertChunksCover(
      source,
      reading,
      spansOf(source, [
        'Deploy k8s with helm, then read the kubernetes docs',
        'Then k8s runs everything',
        ...notes.map((n) => n.slice(0, -1)),
        'Install kubernetes here',
      ]),
    );
    assert.deepEqual(
      wordsOf(source, reading)
        .slice(0, 9)
        .map((w) => [w.source, w.anchored]),
      [
        ['Deploy', true],
        ['k8s', false],
        ['with', true],
        ['helm', true],
        ['then', true],
        ['read', true],
        ['the', true],
        ['kubernetes', true],
        ['docs', true],
      ],
    );
  });

  it('maps the same line repeated many times each to its own line, in order', () => {
    const source = Array.from({ length: 90 }, (_, i) => (i % 3 === 2 ? '' : '  total = total + step;')).join('\n');
    const reading = mapReading(source, typescript);
    assertChunksCover(source, reading, lineSpans(source, typescript));
    const lineStarts = [...source.matchAll(/^ {2}total/gm)].map((m) => m.index + 2);
    const words = wordsOf(source, reading).filter((w) => w.anchored);
    assert.deepEqual(
      words.map((w) => [w.spoken, w.start]),
      lineStarts.flatMap((at) => [
        ['total', at],
        ['total', at + 8],
        ['step', at + 16],
      ]),
    );
  });

  it('finds its place again after a whole block that says nothing, without following a word the speech added', () => {
    const source = [
      'const first = load(config);',
      'if (first === undefined) throw new Error("missing");',
      ...Array.from({ length: 800 }, () => '    });'),
      'const answer = compute(first, 42);',
      'export function equals(a, b) { return a === b; }',
      'log(answer);',
    ].join('\n');
    const reading = mapReading(source, typescript);
    assert.ok(
      reading.chunks.length < [...rawBlocks(source, 1_000, 4_000)].length + 2,
      'a block of only brackets is not spoken (the test needs one)',
    );
    assertChunksCover(source, reading, lineSpans(source, typescript));
    const words = wordsOf(source, reading);
    assert.deepEqual(
      words.filter((w) => w.spoken === 'equals').map((w) => [w.source, w.anchored]),
      [
        ['=', false],
        ['===', false],
        ['=', false],
        ['equals', true],
        ['===', false],
      ],
    );
  });

  it('keeps its place when a word the speech adds occurs later in the source', () => {
    const filler = Array.from({ length: 60 }, (_, i) => `const item${i} = items[${i}] ?? fallback;`);
    const source = [
      'const area = side ** 2;',
      'const id = "123e4567-e89b-12d3-a456-426614174000";',
      ...filler,
      '// the power of a good name, to the end',
      'return area;',
    ].join('\n');
    const reading = mapReading(source, typescript);
    assertChunksCover(source, reading, lineSpans(source, typescript));
    const words = wordsOf(source, reading);
    assert.deepEqual(sourcesOfPhrase(words, 'side to the power of 2'), ['side', '**', '**', '**', '**', '2']);
    assert.deepEqual(sourcesOfPhrase(words, 'a uuid'), [
      '= "123e4567-e89b-12d3-a456-426614174000";',
      '= "123e4567-e89b-12d3-a456-426614174000";',
    ]);
    assert.deepEqual(sourcesOfPhrase(words, 'the power of a good name'), ['the', 'power', 'of', 'a', 'good', 'name']);
  });

  it('finds its place again after a link address longer than it looks ahead', () => {
    const url = `https://example.com/${'very/long/'.repeat(40)}docs`;
    const source = `See [the documentation](${url}) for the install steps.\n`;
    const reading = mapReading(source, { kind: 'markdown' });
    assertChunksCover(source, reading, spansOf(source, [`See [the documentation](${url}) for the install steps`]));
    assert.deepEqual(
      wordsOf(source, reading).map((w) => w.source),
      ['See', 'the', 'documentation', 'for', 'the', 'install', 'steps'],
    );
  });

  it('returns nothing for a chunk with nothing of the source in it, and goes on from where it was', () => {
    const source = '```ts\nconst x = 1;\n```\n';
    const reading = mapReading(source, { kind: 'markdown' });
    assert.deepEqual(reading.chunks, ['TypeScript code block.', 'const x equals 1. End of code block.']);
    assert.equal(reading.maps[0], undefined);
    assert.equal(source.slice(reading.maps[1]!.start, reading.maps[1]!.end), 'const x = 1');
    const mapper = new SourceMapper((start, end) => source.slice(start, end), source.length);
    assert.equal(mapper.map('Completely unrelated sentence.'), undefined);
    assert.deepEqual(mapper.map('const x equals 1.'), {
      start: 6,
      end: 17,
      words: [
        { spokenStart: 0, spokenEnd: 5, sourceStart: 6, sourceEnd: 11, anchored: true },
        { spokenStart: 6, spokenEnd: 7, sourceStart: 12, sourceEnd: 13, anchored: true },
        { spokenStart: 8, spokenEnd: 14, sourceStart: 14, sourceEnd: 15, anchored: false },
        { spokenStart: 15, spokenEnd: 16, sourceStart: 16, sourceEnd: 17, anchored: true },
      ],
    });
  });

  it('reads text without spaces or ASCII punctuation in windows too', () => {
    const source = Array.from({ length: 20_000 }, (_, i) => `这是第${i}句话，内容不同。`).join('');
    let charsRead = 0;
    const mapper = new SourceMapper((start, end) => {
      charsRead += end - start;
      return source.slice(start, end);
    }, source.length);
    const map = mapper.map('这是第0句话，内容不同。')!;
    assert.equal(source.slice(map.start, map.end), '这是第0句话，内容不同');
    assert.ok(charsRead < source.length / 4, `${charsRead} of ${source.length} characters read for the first sentence`);
  });

  it('maps megabytes of source reading each character once', function () {
    this.timeout(120_000);
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 6_000_000; i++) {
      const line = i % 7 === 0 ? '' : `  const value${i} = computeTotal(items[${i}], "label ${i}"); // step ${i} of the loop`;
      lines.push(line);
      size += line.length + 1;
    }
    const source = lines.join('\n');
    const reading = mapReading(source, typescript);
    assert.equal(reading.charsRead, source.length, 'each character is read once');
    assert.ok(reading.reads < source.length / 1_000, `${reading.reads} reads`);
    assertChunksCover(source, reading, lineSpans(source, typescript));
  });
});

describe('the words the speech adds', () => {
  // Every word toSpeakable says that is not in the text (an operator's name, "link to", a fence's language) must be
  // in the source map's list, or the highlight jumps to where that word next occurs in the source.
  const OPERATORS =
    'a === b !== c; d **= 2; e <<= 1; f >>= 1; g(...h); i => j; k -> l; m == n != o <= p >= q && r || s ?? t?.u; ' +
    'Foo::bar += 1 -= 2 *= 3 /= 4 %= 5; x++ y-- 2 ** 3 << 4 >> 5 := 6 = 7 + 8 - 9 * 1 / 2 % 3 !z < w > v & u | t ^ s ~r ? q : p; ' +
    '[o] {n} @m #l $k \\j `i` "h" \'g\'';
  const NOISE =
    'See https://example.com/docs/page and https://example.org/' +
    'x'.repeat(50) +
    ' and http://[bad, id ' +
    '123e4567-e89b-12d3-a456-426614174000 in /usr/local/lib/thing.ts, C:\\Users\\me\\file.txt, commit ' +
    'deadbeef1234abcd, token aGVsbG8gd29ybGQhIFRoaXMgaXMgYmFzZTY0IQ9z, 0xDEADBEEF, 0x1234567890ABCDEFF, v1.2.3, ' +
    'string[] and Array<number>, [pause:1s] [pause:200ms] [word](/wɜːd/)';
  const FENCES = ['js', 'ts', 'tsx', 'py', 'rust', 'go', 'java', 'c', 'cpp', 'cs', 'sh', 'console', 'json', 'yaml', 'toml', 'html']
    .concat(['css', 'sql', 'ruby', 'kt', 'swift', 'php', 'diff', ''])
    .map((lang) => '```' + lang + '\nlet x = 1;\n```')
    .join('\n\n');
  const MARKDOWN = `# Title\n\n![diagram of it](img.png) ![](blank.png) a [link](https://example.com/a/b).\n\n| a | b |\n|---|---|\n| c | d |\n\n${FENCES}\n\n\`\`\`ts\nunclosed();`;
  const samples: Array<[string, SpeakableOptions]> = [];
  for (const punctuation of ['none', 'some', 'all'] as PunctuationLevel[]) {
    samples.push([`${OPERATORS}\n// note this\n${NOISE}`, { kind: 'code', languageId: 'typescript', punctuation }]);
    samples.push([`x = 1  # note this\n${NOISE}`, { kind: 'code', languageId: 'python', punctuation }]);
    samples.push([`error TS2322: '${OPERATORS}' is wrong. ${NOISE}`, { kind: 'message', punctuation }]);
    samples.push([MARKDOWN, { kind: 'markdown', punctuation }]);
  }
  samples.push([`Plain prose, with ${NOISE}.`, { kind: 'prose' }]);

  it("are all in the source map's list", () => {
    const missing = new Set<string>();
    for (const [text, options] of samples) {
      const source = text.toLowerCase();
      for (const word of toSpeakable(text, options)
        .toLowerCase()
        .match(/[\p{L}\p{N}]+/gu) ?? []) {
        if (!source.includes(word) && !WORDS_THE_SPEECH_ADDS.has(word)) missing.add(word);
      }
    }
    assert.deepEqual([...missing], []);
  });
});
