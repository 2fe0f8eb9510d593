import * as assert from 'node:assert/strict';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { type LineText, SlicedText, type TextSpan, textSlices } from '../../src/speech/textSlices';

/** A document over `content` that counts how much text was copied out of it. */
function documentOf(content: string) {
  const lines = content.split(/(?<=\n)/);
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length;
  }
  const offsetAt = (line: number, character: number) => (line >= lines.length ? content.length : starts[line] + character);
  const doc = {
    copied: 0,
    lineLength: (line: number) => lines[line].replace(/\r?\n$/, '').length,
    text(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
      const text = content.slice(offsetAt(startLine, startCharacter), offsetAt(endLine, endCharacter));
      doc.copied += text.length;
      return text;
    },
  } satisfies LineText & { copied: number };
  return doc;
}

const whole = (content: string): TextSpan => {
  const lines = content.split('\n');
  return { startLine: 0, startCharacter: 0, endLine: lines.length - 1, endCharacter: lines[lines.length - 1].length };
};

describe('text slices of a huge selection', () => {
  const source = Array.from({ length: 3000 }, (_, i) => `  const value${i} = compute(input${i}, { retries: ${i % 7} });`).join('\n');

  it('gives back exactly the selected text, in slices no larger than asked, cut at line ends', () => {
    const slices = [...textSlices(documentOf(source), [whole(source)], 4000)];
    assert.equal(slices.join(''), source);
    assert.ok(slices.length > 10);
    for (const slice of slices.slice(0, -1)) {
      assert.ok(slice.length <= 4000, `slice of ${slice.length}`);
      assert.ok(slice.endsWith('\n'), 'cut after a line end');
    }
  });

  it('the first slice copies only a slice of the document, not all of it', () => {
    const doc = documentOf(source);
    const first = textSlices(doc, [whole(source)], 4000).next().value;
    assert.ok(first && first.length > 3000);
    assert.ok(doc.copied <= 4000, `copied ${doc.copied} characters for the first slice`);
  });

  it('cuts a minified one-line file at spaces, never inside a word', () => {
    const minified = Array.from({ length: 5000 }, (_, i) => `var a${i}=f(${i});`).join(' ');
    const slices = [...textSlices(documentOf(minified), [whole(minified)], 1000)];
    assert.equal(slices.join(''), minified);
    for (const slice of slices.slice(0, -1)) {
      assert.ok(slice.length <= 1000);
      assert.ok(slice.endsWith(' '), JSON.stringify(slice.slice(-20)));
    }
  });

  it('cuts a line with no space at all at the slice size', () => {
    const hex = 'f'.repeat(2500);
    const slices = [...textSlices(documentOf(hex), [whole(hex)], 1000)];
    assert.deepEqual(
      slices.map((s) => s.length),
      [1000, 1000, 500],
    );
  });

  it('keeps partial first and last lines, Windows line ends, and joins selections with a blank line', () => {
    const content = 'alpha beta\r\ngamma delta\r\nepsilon zeta\r\neta theta';
    const doc = documentOf(content);
    const spans: TextSpan[] = [
      { startLine: 0, startCharacter: 6, endLine: 2, endCharacter: 7 },
      { startLine: 3, startCharacter: 0, endLine: 3, endCharacter: 3 },
    ];
    assert.equal([...textSlices(doc, spans, 8)].join(''), 'beta\r\ngamma delta\r\nepsilon\n\neta');
    assert.equal([...textSlices(doc, spans, 1000)].join(''), 'beta\r\ngamma delta\r\nepsilon\n\neta');
  });

  it('copies the rest in the background, so an edit after the first slice changes nothing read', async () => {
    let version = 1;
    const sliced = new SlicedText(textSlices(documentOf(source), [whole(source)], 4000), () => version !== 1);
    const reader = sliced[Symbol.iterator]();
    assert.ok(reader.next().value);
    for (let i = 0; i < 200 && !sliced.complete; i++) await nextMacrotask();
    assert.ok(sliced.complete, 'the copy finished in the background');
    version = 2;
    let rest = '';
    for (let next = reader.next(); !next.done; next = reader.next()) rest += next.value;
    assert.equal([...sliced].join(''), source, 'and it can be read again (Retry)');
    assert.ok(source.endsWith(rest));
  });

  it('ends the text where the document changed before it was all copied, and says how much was read', () => {
    let version = 1;
    let reported: number | undefined;
    const sliced = new SlicedText(
      textSlices(documentOf(source), [whole(source)], 4000),
      () => version !== 1,
      (chars) => (reported = chars),
    );
    const reader = sliced[Symbol.iterator]();
    const first = reader.next().value as string;
    version = 2;
    assert.equal(reader.next().done, true);
    assert.equal(reported, first.length);
    sliced.dispose();
  });
});
