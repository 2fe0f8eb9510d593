import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { type TimedWord, type WordSpan, alignWords } from '../../src/speech/wordTimings';

/** The server's words back to back, as Kokoro-FastAPI times them: 0.3 s a word, 0.1 s a punctuation mark. */
function timed(words: string[], from = 0): TimedWord[] {
  let at = from;
  return words.map((word) => {
    const length = /[\p{L}\p{N}]/u.test(word) ? 0.3 : 0.1;
    const w = { word, startSeconds: at, endSeconds: at + length };
    at += length;
    return w;
  });
}

const find = (words: TimedWord[], word: string, nth = 0) => words.filter((w) => w.word === word)[nth];
/** The spans as [spoken word, start, end] (times to the millisecond) for readable comparisons. */
const table = (spoken: string, spans: WordSpan[]) =>
  spans.map((s) => [spoken.slice(s.start, s.end), Math.round(s.startSeconds * 1000) / 1000, Math.round(s.endSeconds * 1000) / 1000]);
const at = (w: TimedWord) => Math.round(w.startSeconds * 1000) / 1000;
const until = (w: TimedWord) => Math.round(w.endSeconds * 1000) / 1000;

function assertMonotonic(spans: WordSpan[]) {
  for (let k = 0; k < spans.length; k++) {
    const s = spans[k];
    assert.ok(s.endSeconds >= s.startSeconds, `span ${k} ends before it starts`);
    if (k === 0) continue;
    assert.ok(s.start >= spans[k - 1].end, `span ${k} overlaps the text of the one before`);
    assert.ok(s.startSeconds >= spans[k - 1].startSeconds, `span ${k} starts before the one before`);
    assert.ok(s.endSeconds >= spans[k - 1].endSeconds, `span ${k} ends before the one before`);
  }
}

describe('alignWords', () => {
  it("gives each word of our text the server's time, skipping the punctuation it times as words", () => {
    const spoken = 'Hello, world! It’s late.';
    const words = timed(['Hello', ',', 'world', '!', "It's", 'late', '.']);
    const spans = alignWords(spoken, words);
    assert.deepEqual(table(spoken, spans), [
      ['Hello', 0, 0.3],
      ['world', 0.4, 0.7],
      ['It’s', 0.8, 1.1],
      ['late', 1.1, 1.4],
    ]);
    assertMonotonic(spans);
  });

  it('matches words whatever their case', () => {
    const spoken = 'NASA said HELLO to the Moon';
    const spans = alignWords(spoken, timed(['nasa', 'said', 'hello', 'to', 'the', 'moon']));
    assert.deepEqual(table(spoken, spans), [
      ['NASA', 0, 0.3],
      ['said', 0.3, 0.6],
      ['HELLO', 0.6, 0.9],
      ['to', 0.9, 1.2],
      ['the', 1.2, 1.5],
      ['Moon', 1.5, 1.8],
    ]);
  });

  it('a number spelled out takes the time of its words: "3" is "three", "42" is "forty-two", "1,250" is five words', () => {
    const spoken = 'I have 3 cats and 42 dogs; it costs 1,250 dollars.';
    const words = timed([
      'I',
      'have',
      'three',
      'cats',
      'and',
      'forty',
      '-',
      'two',
      'dogs',
      ';',
      'it',
      'costs',
      'one',
      'thousand',
      'two',
      'hundred',
      'fifty',
      'dollars',
      '.',
    ]);
    const spans = table(spoken, alignWords(spoken, words));
    assert.deepEqual(spans[2], ['3', at(find(words, 'three')), until(find(words, 'three'))]);
    assert.deepEqual(spans[3], ['cats', at(find(words, 'cats')), until(find(words, 'cats'))]);
    assert.deepEqual(spans[5], ['42', at(find(words, 'forty')), until(find(words, 'two'))]);
    assert.deepEqual(spans[6], ['dogs', at(find(words, 'dogs')), until(find(words, 'dogs'))]);
    assert.deepEqual(spans[9], ['1,250', at(find(words, 'one')), until(find(words, 'fifty'))]);
    assert.deepEqual(spans[10], ['dollars', at(find(words, 'dollars')), until(find(words, 'dollars'))]);
    assert.equal(spans.length, 11);
  });

  it('a contraction or hyphenated word the server split in parts spans them; one it joined is one word', () => {
    const spoken = 'Don’t stop, we’re close to a well-known e-mail.';
    const words = timed(['Do', "n't", 'stop', ',', 'we', "'re", 'close', 'to', 'a', 'well', '-', 'known', 'email', '.']);
    const spans = table(spoken, alignWords(spoken, words));
    assert.deepEqual(spans, [
      ['Don’t', at(find(words, 'Do')), until(find(words, "n't"))],
      ['stop', at(find(words, 'stop')), until(find(words, 'stop'))],
      ['we’re', at(find(words, 'we')), until(find(words, "'re"))],
      ['close', at(find(words, 'close')), until(find(words, 'close'))],
      ['to', at(find(words, 'to')), until(find(words, 'to'))],
      ['a', at(find(words, 'a')), until(find(words, 'a'))],
      ['well-known', at(find(words, 'well')), until(find(words, 'known'))],
      ['e-mail', at(find(words, 'email')), until(find(words, 'email'))],
    ]);
  });

  it('two words the server said as one share its time', () => {
    const spoken = 'Log in to the data base now';
    const words = timed(['Log', 'in', 'to', 'the', 'database', 'now']);
    const spans = table(spoken, alignWords(spoken, words));
    const database = find(words, 'database');
    assert.deepEqual(spans[4][0], 'data');
    assert.deepEqual(spans[5][0], 'base');
    assert.equal(spans[4][1], at(database));
    assert.equal(spans[5][2], until(database));
    assert.ok((spans[4][2] as number) > at(database) && (spans[4][2] as number) < until(database), 'split inside its time');
    assert.deepEqual(spans[6], ['now', at(find(words, 'now')), until(find(words, 'now'))]);
  });

  it('a word the server dropped gets a time between its neighbours', () => {
    const spoken = 'The quick brown fox jumps';
    const words: TimedWord[] = [
      { word: 'The', startSeconds: 0, endSeconds: 0.2 },
      { word: 'quick', startSeconds: 0.2, endSeconds: 0.6 },
      { word: 'fox', startSeconds: 1.0, endSeconds: 1.3 },
      { word: 'jumps', startSeconds: 1.3, endSeconds: 1.8 },
    ];
    const spans = table(spoken, alignWords(spoken, words));
    assert.deepEqual(spans, [
      ['The', 0, 0.2],
      ['quick', 0.2, 0.6],
      ['brown', 0.6, 1],
      ['fox', 1, 1.3],
      ['jumps', 1.3, 1.8],
    ]);
  });

  it('words the server added are skipped: a symbol said as a word, a word of its own', () => {
    const spoken = 'Save 50% now, a cat.';
    const words = timed(['Save', 'fifty', 'percent', 'now', ',', 'a', 'big', 'cat', '.']);
    const spans = table(spoken, alignWords(spoken, words));
    assert.deepEqual(spans, [
      ['Save', at(find(words, 'Save')), until(find(words, 'Save'))],
      ['50', at(find(words, 'fifty')), until(find(words, 'percent'))],
      ['now', at(find(words, 'now')), until(find(words, 'now'))],
      ['a', at(find(words, 'a')), until(find(words, 'a'))],
      ['cat', at(find(words, 'cat')), until(find(words, 'cat'))],
    ]);
  });

  it('an abbreviation the server expanded, and a word it said differently, take its words in step', () => {
    const spoken = 'Dr. Smith met Mr Brown at noon';
    const words = timed(['Doctor', 'Smith', 'met', 'Mister', 'Brown', 'at', 'noon']);
    const spans = table(spoken, alignWords(spoken, words));
    assert.deepEqual(
      spans.map(([w, s]) => [w, s]),
      [
        ['Dr', at(find(words, 'Doctor'))],
        ['Smith', at(find(words, 'Smith'))],
        ['met', at(find(words, 'met'))],
        ['Mr', at(find(words, 'Mister'))],
        ['Brown', at(find(words, 'Brown'))],
        ['at', at(find(words, 'at'))],
        ['noon', at(find(words, 'noon'))],
      ],
    );
    const tail = table('the end zzz', alignWords('the end zzz', timed(['the', 'end', 'qqq'])));
    assert.deepEqual(tail[2], ['zzz', 0.6, 0.9], 'a last word said differently still takes the last time');
  });

  it('words after the last timed word (a list still arriving) are not heard before its end', () => {
    const spoken = 'One two three four';
    const spans = table(spoken, alignWords(spoken, timed(['One', 'two'])));
    assert.deepEqual(spans, [
      ['One', 0, 0.3],
      ['two', 0.3, 0.6],
      ['three', 0.6, 0.6],
      ['four', 0.6, 0.6],
    ]);
  });

  it('stays monotonic when the server times go backwards, and never throws on junk', () => {
    const spoken = 'alpha beta gamma delta';
    const backwards: TimedWord[] = [
      { word: 'alpha', startSeconds: 1, endSeconds: 1.5 },
      { word: 'beta', startSeconds: 0.5, endSeconds: 0.4 },
      { word: 'gamma', startSeconds: 2, endSeconds: 1 },
      { word: 'delta', startSeconds: 3, endSeconds: 3.2 },
    ];
    const spans = alignWords(spoken, backwards);
    assert.equal(spans.length, 4);
    assertMonotonic(spans);
    const junk = [
      null,
      { word: 5 },
      { word: 'alpha', startSeconds: Number.NaN, endSeconds: 1 },
      { word: 'beta', startSeconds: 0, endSeconds: Number.POSITIVE_INFINITY },
      { word: 'gamma', startSeconds: '1', endSeconds: 2 },
      { word: 'delta', startSeconds: 4, endSeconds: 5 },
    ] as unknown as TimedWord[];
    assert.deepEqual(table(spoken, alignWords(spoken, junk)).at(-1), ['delta', 4, 5]);
    assert.deepEqual(alignWords(spoken, undefined as unknown as TimedWord[]), []);
    assert.deepEqual(alignWords(undefined as unknown as string, timed(['a'])), []);
    assert.deepEqual(alignWords('', timed(['a'])), []);
    assert.deepEqual(alignWords('... !!!', timed(['a'])), []);
    assert.deepEqual(alignWords('some words', timed([',', '.'])), [], 'punctuation alone times nothing');
  });

  it('runs in linear time, even when the two word lists never agree', () => {
    const vocabulary = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'then', 'it', 'slept'];
    const n = 50_000;
    const spokenWords = Array.from({ length: n }, (_, k) => (k % 97 === 0 ? String(k % 100) : vocabulary[k % vocabulary.length]));
    const spoken = spokenWords.join(' ');
    const serverWords = spokenWords.flatMap((w, k) =>
      /\d/.test(w) ? ['some', 'number'] : k % 89 === 0 ? [] : [w, ...(k % 5 ? [] : [','])],
    );
    let started = performance.now();
    const spans = alignWords(spoken, timed(serverWords));
    const alignedMs = performance.now() - started;
    assert.equal(spans.length, n);
    assertMonotonic(spans);
    assert.ok(alignedMs < 2000, `${n} words in ${alignedMs.toFixed(0)} ms`);

    const strangers = timed(Array.from({ length: n }, (_, k) => `x${k}`));
    started = performance.now();
    const unmatched = alignWords(spoken, strangers);
    const strangersMs = performance.now() - started;
    assert.equal(unmatched.length, n);
    assert.ok(strangersMs < 2000, `${n} words that never match in ${strangersMs.toFixed(0)} ms`);
  });
});
