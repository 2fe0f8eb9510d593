import * as assert from 'node:assert/strict';
import {
  applyPronunciations,
  compilePronunciations,
  kindForLanguage,
  neutralizeControlSyntax,
  splitIdentifier,
  toSpeakable,
  type PunctuationLevel,
} from '../../src/speech/speakable';

const code = (text: string, punctuation: PunctuationLevel = 'some', languageId = 'typescript') =>
  toSpeakable(text, { kind: 'code', punctuation, languageId });
const CONTROL = [/\[[^\]]*\]\(\/[^)]*\/\)/, /\[pause:[^\]]*\]/i];

describe('speakable text', () => {
  describe('identifiers', () => {
    const cases: Array<[string, string]> = [
      ['getUserById', 'get user by id'],
      ['HTTPServer', 'HTTP server'],
      ['parseJSON2XML', 'parse JSON 2 XML'],
      ['snake_case_name', 'snake case name'],
      ['MAX_RETRY_COUNT', 'max retry count'],
      ['kebab-case-name', 'kebab case name'],
      ['__init__', 'init'],
      ['XMLHttpRequest', 'XML http request'],
      ['u32', 'u32'],
      ['i18nKeys', 'i18n keys'],
      ['$scope', 'scope'],
    ];
    for (const [input, expected] of cases) it(`${input} → "${expected}"`, () => assert.equal(splitIdentifier(input), expected));
  });

  describe('code, punctuation "some"', () => {
    const cases: Array<[string, string, string?]> = [
      ['if (a !== b) { return getUserById(id); }', 'if a not equal to b return get user by id id.'],
      ['const isAdmin = user.role === "admin" && user.active;', 'const is admin equals user dot role equals admin and user dot active.'],
      ['const add = (a, b) => a + b;', 'const add equals a, b arrow a plus b.'],
      ['x ??= y || z', 'x or else equals y or z.'],
      ['for (let i = 0; i <= n; i++) {', 'for let i equals 0, i less than or equal to n, i plus plus.'],
      ['let names: Array<string> = [];', 'let names array of string equals.'],
      ['let m: Map<string, number>;', 'let m map of string, number.'],
      ['}', ''],
      ['});', ''],
      ['// Greeting helpers', 'Greeting helpers.'],
      ['/* block comment */', 'block comment.'],
      [' * JSDoc line', 'JSDoc line.'],
      ['def __init__(self, max_retries=3):  # set up', 'def init self, max retries equals 3, set up.', 'python'],
      ['# a comment in Python', 'a comment in Python.', 'python'],
      ['#include <stdio.h>', 'include less than stdio dot h greater than.', 'c'],
      ['fn main() -> Result<(), String> {', 'fn main arrow result less than, string greater than.', 'rust'],
      ['use std::io::Read;', 'use std io read.', 'rust'],
      ['let n: u32 = 0x1F;', 'let n u32 equals hex 1 f.', 'rust'],
      ['if err != nil { return err }', 'if err not equal to nil return err.', 'go'],
      ['x := compute(v1.2.3)', 'x is compute version 1.2.3.', 'go'],
      ['public static void main(String[] args) {', 'public static void main string args.', 'java'],
      ['echo "$HOME" && ls -la | grep foo', 'echo HOME and ls minus la or grep foo.', 'shellscript'],
      ['"name": "kokoro-read-aloud",', 'name kokoro read aloud.', 'json'],
      ['version: 3.9', 'version 3.9.', 'yaml'],
    ];
    for (const [input, expected, language] of cases)
      it(`${input}`, () => assert.equal(code(input, 'some', language ?? 'typescript'), expected));
  });

  it('reads one sentence per line, so the server pauses at line ends', () => {
    assert.equal(code('const a = 1\nconst b = 2\n\n\nreturn a'), 'const a equals 1. const b equals 2. return a.');
  });

  it('names every symbol at "all" and none at "none"', () => {
    assert.equal(code('f(a[0]);', 'all'), 'f open paren a open bracket 0 close bracket close paren semicolon.');
    assert.equal(code('// note', 'all'), 'comment: note.');
    assert.equal(code('if (a !== b) { return f(x); }', 'none'), 'if a b return f x.');
  });

  it('shortens URLs, paths, hashes, UUIDs and encoded blobs', () => {
    assert.equal(
      toSpeakable('See https://github.com/org/repo/blob/main/src/file.ts for details.', { kind: 'prose' }),
      'See link to github.com, file.ts for details.',
    );
    assert.equal(
      toSpeakable('Error in /usr/local/lib/node_modules/foo/index.js', { kind: 'prose' }),
      'Error in path ending in foo, index.js.',
    );
    assert.equal(toSpeakable('Open C:\\Users\\me\\proj\\src\\a.ts now', { kind: 'prose' }), 'Open path ending in src, a.ts now.');
    assert.equal(toSpeakable('commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 landed', { kind: 'prose' }), 'commit a hash landed.');
    assert.equal(toSpeakable('id 123e4567-e89b-12d3-a456-426614174000 set', { kind: 'prose' }), 'id a UUID set.');
    assert.equal(toSpeakable('token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9abc end', { kind: 'prose' }), 'token a long encoded string end.');
  });

  it('joins prose lines that continue a sentence, and ends the ones that do not', () => {
    assert.equal(
      toSpeakable('This is a sentence that\ncontinues on the next line\nAnd a new one', { kind: 'prose' }),
      'This is a sentence that continues on the next line. And a new one.',
    );
  });

  it('reads Markdown naturally', () => {
    const md =
      '# Install\n\nRun the **server** with [Docker](https://docker.com):\n\n```bash\ndocker run -p 8880:8880 kokoro\n```\n\n- first item\n- second `fooBar` item\n\n![diagram](d.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<b>bold</b> and _em_';
    assert.equal(
      toSpeakable(md, { kind: 'markdown' }),
      'Install. Run the server with Docker. Shell code block. docker run minus p 8880 8880 kokoro. End of code block. first item. second foo bar item. image: diagram. a, b. 1, 2. bold and em.',
    );
  });

  it('reads compiler messages with quoted code as words', () => {
    const cases: Array<[string, string]> = [
      ["Cannot find name 'foo'.", 'Cannot find name foo.'],
      ["Type '{ a: string; b: number; }' is not assignable to type 'Foo'.", 'Type a string, b number, is not assignable to type foo.'],
      ["Property 'userName' does not exist on type 'User'.", 'Property user name does not exist on type user.'],
      ['expected `u32`, found `&str`', 'expected u32, found and str.'],
      ["'unusedVar' is assigned a value but never used.", 'unused var is assigned a value but never used.'],
      ['"foo_bar" is not defined', 'foo bar is not defined.'],
    ];
    for (const [input, expected] of cases) assert.equal(toSpeakable(input, { kind: 'message' }), expected, input);
  });

  it('never lets Kokoro control syntax through', () => {
    assert.equal(
      neutralizeControlSyntax('Wait [pause:1.5s] then [Kokoro](/kˈOkəɹO/) speaks'),
      'Wait  pause 1.5 seconds  then Kokoro speaks',
    );
    const inputs = [
      '[pause:1s]',
      '[x](/y/)',
      'a[pause:0.5s]b',
      'see [link](/path/to/)',
      'arr[i](/re/)',
      '[[pause:2s]]',
      '[a]([pause:1s](/x/))',
    ];
    for (const kind of ['code', 'prose', 'markdown', 'message'] as const) {
      for (const level of ['none', 'some', 'all'] as const) {
        for (const input of inputs) {
          const out = toSpeakable(input, { kind, punctuation: level });
          for (const re of CONTROL) assert.doesNotMatch(out, re, `${kind}/${level}: ${input} → ${out}`);
          assert.ok(!out.includes('['), `${kind}/${level}: ${input} → ${out}`);
        }
      }
    }
  });

  it('survives junk: NUL bytes, broken surrogates, emoji, right-to-left text, empty input', () => {
    assert.equal(toSpeakable('', { kind: 'code' }), '');
    assert.equal(toSpeakable('a\u0000b\u0007c', { kind: 'prose' }), 'a b c.');
    const broken = toSpeakable('bad \ud800 surrogate', { kind: 'prose' });
    assert.ok(!/[\ud800-\udfff](?![\udc00-\udfff])/.test(broken.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), broken);
    assert.equal(toSpeakable('ship it 🚀', { kind: 'prose' }), 'ship it 🚀.');
    assert.equal(toSpeakable('مرحبا بالعالم', { kind: 'prose' }), 'مرحبا بالعالم.');
    assert.equal(toSpeakable('const café = naïve;', { kind: 'code' }), 'const café equals naïve.');
  });

  it('handles a megabyte of minified code in linear time without freezing', () => {
    const minified = 'function a(b){return b&&b.c?b.c(d,e[0]):void 0}var x=[1,2,3].map(function(y){return y*2});'.repeat(12_000);
    const started = Date.now();
    const out = toSpeakable(minified, { kind: 'code' });
    const elapsed = Date.now() - started;
    assert.ok(out.length > minified.length / 2 && !out.includes('\n'));
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`); // a guard against catastrophic backtracking, not a timing budget
  });

  it('picks the text kind from the language id', () => {
    assert.equal(kindForLanguage('markdown'), 'markdown');
    assert.equal(kindForLanguage('plaintext'), 'prose');
    assert.equal(kindForLanguage('typescript'), 'code');
    assert.equal(kindForLanguage('python'), 'code');
  });

  describe('pronunciations (kokoro.pronunciations)', () => {
    const pronunciations = compilePronunciations({ kubectl: 'cube control', nginx: 'engine x', 'Node.js': 'node J S', k8s: 'kubernetes' });

    it('says the terms as whole words, in any letter case, in prose and in split identifiers', () => {
      assert.equal(
        toSpeakable('Run kubectl and NGINX on k8s, not nginxish.', { kind: 'prose', pronunciations }),
        'Run cube control and engine x on kubernetes, not nginxish.',
      );
      assert.equal(
        toSpeakable('const cfg = kubectlApply(nginxConfig);', { kind: 'code', pronunciations }),
        toSpeakable('const cfg = kubectlApply(nginxConfig);', { kind: 'code' })
          .replace('kubectl', 'cube control')
          .replace('nginx', 'engine x'),
      );
      assert.match(toSpeakable('const cfg = kubectlApply(nginxConfig);', { kind: 'code', pronunciations }), /cube control apply/);
      assert.equal(applyPronunciations('Install Node.js first.', pronunciations), 'Install node J S first.');
    });

    it('leaves text alone without any, and never lets a replacement carry Kokoro control syntax', () => {
      assert.equal(compilePronunciations({}), undefined);
      assert.equal(compilePronunciations({ '  ': 'x' }), undefined);
      assert.equal(applyPronunciations('kubectl', undefined), 'kubectl');
      const sneaky = compilePronunciations({ hello: '[hello](/həˈloʊ/) [pause:2]' });
      const spoken = toSpeakable('hello world', { kind: 'prose', pronunciations: sneaky });
      for (const pattern of CONTROL) assert.doesNotMatch(spoken, pattern);
    });

    it('a term with regular-expression characters is matched literally', () => {
      const p = compilePronunciations({ 'c++': 'C plus plus', 'a.b': 'A B' });
      assert.equal(applyPronunciations('I like c++ and axb and a.b', p), 'I like C plus plus and axb and A B');
    });
  });
});
