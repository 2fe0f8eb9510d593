import * as assert from 'node:assert/strict';
import { hoverToSpeech } from '../../src/speech/hoverText';
import { compilePronunciations } from '../../src/speech/speakable';

/** What TypeScript's hover gives for `[1, 2].map(String)`: the signature, then the JSDoc with its tags. */
const ARRAY_MAP = [
  '\n```typescript\n(method) Array<number>.map<string>(callbackfn: (value: number, index: number, array: number[]) => string, thisArg?: any): string[]\n```\n',
  'Calls a defined callback function on each element of an array, and returns an array that contains the results.\n\n' +
    '*@param* `callbackfn` — A function that accepts up to three arguments. The map method calls the callbackfn function one time for each element in the array.  \n\n' +
    '*@param* `thisArg` — An object to which the this keyword can refer in the callbackfn function. If thisArg is omitted, undefined is used as the this value.',
];

/** A variable whose type TypeScript prints whole, over many lines, with "... 12 more ...". */
const HUGE_OBJECT = [
  '```typescript\nconst settings: {\n    server: {\n        url: string;\n        timeoutMs: number;\n        retries: number;\n    };\n' +
    '    voice: {\n        name: string;\n        speed: number;\n    };\n    highlight: "sentence" | "word" | "off";\n' +
    '    ... 12 more ...;\n    pronunciations: Record<string, string>;\n}\n```',
];

/** Pylance: the signature in a python block, `---`, then the docstring as Pyright writes it (&nbsp;, escapes, reST fields). */
const PYLANCE_GET = [
  '```python\n(function) def get(\n    url: str | bytes,\n    params: _Params | None = None,\n    **kwargs: Unpack[_RequestKwargs]\n) -> Response\n```\n---\n' +
    'Sends a GET request.  \n  \n' +
    ':param url: URL for the new `Request` object.  \n' +
    ':param params: (optional) Dictionary, list of tuples or bytes to send  \n&nbsp;&nbsp;&nbsp;&nbsp;in the query string for the `Request`.  \n' +
    ':param \\*\\*kwargs: Optional arguments that `request` takes.  \n' +
    ':return: `Response <Response>` object  \n' +
    ':rtype: requests.Response',
];

const count = (text: string, part: string) => text.split(part).length - 1;

describe('hover text', () => {
  it('a TypeScript method: the signature read as code with no "code block" around it, its return type said as such, then the JSDoc', () => {
    const said = hoverToSpeech(ARRAY_MAP);
    assert.ok(
      said.startsWith(
        'method array of number dot map of string callbackfn value number, index number, array number array arrow string, this arg any returns string array. Calls a defined callback function',
      ),
      said,
    );
    assert.ok(!/code block/i.test(said), said);
  });

  it('JSDoc tags said as words: "Parameter callbackfn: …", no @ or asterisks', () => {
    const said = hoverToSpeech(ARRAY_MAP);
    assert.ok(said.includes('Parameter callbackfn: A function that accepts up to three arguments.'), said);
    assert.ok(said.includes('Parameter this arg: An object to which'), said);
    assert.ok(!/[@*—]/.test(said), said);
  });

  it('a variable with a huge object type: the type said in a few words, as diagnostics say it', () => {
    assert.equal(hoverToSpeech(HUGE_OBJECT), 'const settings an object type.');
  });

  it('a short type is read whole; a long union is counted; a long parameter type in an alias is collapsed in place', () => {
    assert.equal(hoverToSpeech(['```typescript\nlet port: number | undefined\n```']), 'let port number or undefined.');
    const letters = 'abcdefghijkl'.split('').map((l) => `"${l}"`);
    assert.equal(hoverToSpeech([`\`\`\`typescript\nlet mode: ${letters.join(' | ')}\n\`\`\``]), 'let mode a union of 12 types.');
    assert.equal(
      hoverToSpeech([
        '```typescript\ntype Handler = (event: { type: "click" | "keydown" | "focus"; target: HTMLElement; time: number }) => Promise<void>\n```',
      ]),
      'type handler equals event object arrow promise of void.',
    );
  });

  it('how long a type may be before it is shortened is an option', () => {
    const hover = ['```typescript\nconst point: { x: number; y: number }\n```'];
    assert.equal(hoverToSpeech(hover), 'const point x number, y number.');
    assert.equal(hoverToSpeech(hover, { maxTypeChars: 10 }), 'const point an object type.');
  });

  it('JSDoc with @param, @returns, @example and @deprecated; links said by their text', () => {
    const said = hoverToSpeech([
      '```typescript\nfunction parseDate(text: string, zone?: string): Date (+2 overloads)\n```',
      'Parses a date written as [ISO 8601](https://en.wikipedia.org/wiki/ISO_8601), see {@link formatDate} and <https://example.com/dates>.\n\n' +
        '*@param* `text` — The date, such as `2024-05-01`.\n\n*@param* `zone`\n\n*@returns* — The date in UTC.\n\n' +
        '*@example*  \n```\nparseDate("2024-05-01")\n```\n\n*@deprecated* — Use `parseIso` instead.',
    ]);
    assert.equal(
      said,
      'function parse date text string, zone string returns date. 2 more overloads. ' +
        'Parses a date written as ISO 8601, see format date and link to example.com, dates. ' +
        'Parameter text: The date, such as 2024 minus 05 minus 01. Parameter zone. Returns: The date in UTC. ' +
        'Example. Code block. parse date 2024 05 01. End of code block. Deprecated: Use parse iso instead.',
    );
  });

  it('a Python hover from Pylance: each signature line a sentence, `---` a break, the docstring fields in words', () => {
    const said = hoverToSpeech(PYLANCE_GET);
    assert.equal(
      said,
      'function def get. url str or bytes. params params or none equals none. kwargs unpack request kwargs. returns response. ' +
        'Sends a GET request. Parameter url: URL for the new request object. ' +
        'Parameter params: (optional) Dictionary, list of tuples or bytes to send in the query string for the request. ' +
        'Parameter kwargs: Optional arguments that request takes. Returns: response object. Return type: requests.Response.',
    );
  });

  it('rules and separators end a sentence', () => {
    assert.equal(hoverToSpeech(['first part\n\n---\n\nsecond part\n***\nthird part']), 'first part. second part. third part.');
  });

  it('parts and blocks said already are not said again (two providers, or a MarkedString and the same in Markdown)', () => {
    const said = hoverToSpeech([
      { language: 'typescript', value: 'function greet(name: string): void' },
      '```typescript\nfunction greet(name: string): void\n```\nSays hello.',
      { value: 'Says hello.' },
      'Says hello.',
    ]);
    assert.equal(said, 'function greet name string returns void. Says hello.');
    assert.equal(count(said, 'Says hello'), 1);
  });

  it('a rust-analyzer hover: the module path and the signature, a reference said as one', () => {
    assert.equal(
      hoverToSpeech([
        '```rust\nmy_crate::net\n```\n\n```rust\npub fn connect(addr: &str) -> Result<TcpStream, std::io::Error>\n```\n\n---\n\nOpens a connection.',
      ]),
      'my crate net. pub fn connect addr reference to str returns result of tcp stream, std io error. Opens a connection.',
    );
  });

  it('an empty hover says nothing', () => {
    assert.equal(hoverToSpeech([]), '');
    assert.equal(hoverToSpeech(['', { language: 'typescript', value: '  ' }, '---', { value: '\n\n' }]), '');
  });

  it('punctuation and pronunciations apply as everywhere else', () => {
    const pronunciations = compilePronunciations({ greet: 'welcome' });
    assert.equal(
      hoverToSpeech(['```typescript\nfunction greet(name: string): void\n```'], { punctuation: 'all', pronunciations }),
      'function welcome open paren name colon string close paren returns void.',
    );
  });
});
