import * as assert from 'node:assert/strict';
import { chunkText } from '../../src/speech/chunker';
import { FollowedText, type OffsetRange } from '../../src/speech/followedText';
import { toSpeakable } from '../../src/speech/speakable';

/** A document held as a string, edited in place, as the editor would. */
class Doc {
  constructor(public text: string) {}
  read = (start: number, end: number) => this.text.slice(start, end);
  edit(offset: number, removed: number, inserted: string) {
    this.text = this.text.slice(0, offset) + inserted + this.text.slice(offset + removed);
    return { offset, removed, inserted: inserted.length };
  }
  rangeOf(part: string, from = 0): OffsetRange {
    const start = this.text.indexOf(part, from);
    assert.ok(start >= 0, `"${part}" is in the document`);
    return { start, end: start + part.length };
  }
}

/** The sentences the reader would take from `ranges` of `doc`, in order (selections joined by a blank line). */
function sentencesOf(doc: Doc, ranges: OffsetRange[], languageId = 'typescript'): string[] {
  const joined = ranges.map((r) => doc.text.slice(r.start, r.end)).join('\n\n');
  return chunkText(toSpeakable(joined, { kind: 'code', languageId }), { firstChunkMaxChars: 120, maxChunkChars: 480 }, true);
}

const CODE = ['function getUserById(id: string) {', '  return users.find((u) => u.id === id);', '}', 'const maxRetries = 3;', ''].join(
  '\n',
);

describe('FollowedText: where each sentence read is in the document', () => {
  it('places each sentence on the source line it was made from, through split identifiers and spoken operators', () => {
    const doc = new Doc(`// header\n${CODE}`);
    const range = { start: doc.text.indexOf('function'), end: doc.text.length };
    const text = new FollowedText([range], doc.read);
    const sentences = sentencesOf(doc, [range]);
    sentences.forEach((s, i) => text.mapSentence(i, s));
    const slice = (r: OffsetRange | undefined) => r && doc.text.slice(r.start, r.end);
    assert.equal(slice(text.sentence(0)), 'function getUserById(id: string)');
    assert.equal(slice(text.sentence(1)), 'return users.find((u) => u.id === id);', 'with its closing marks');
    assert.equal(slice(text.sentence(2)), 'const maxRetries = 3;');
    assert.ok(text.fraction(2)! > 0.95, 'the last sentence ends the text');
    assert.ok(text.fraction(0)! < 0.5);
  });

  it('maps several selections, joined by a blank line, each on its own part of the document', () => {
    const doc = new Doc(`const alphaValue = 1;\nconst skipped = 2;\nconst gammaValue = 3;\n`);
    const ranges = [doc.rangeOf('const alphaValue = 1;'), doc.rangeOf('const gammaValue = 3;')];
    const text = new FollowedText(ranges, doc.read);
    const sentences = sentencesOf(doc, ranges);
    assert.equal(sentences.length, 2);
    sentences.forEach((s, i) => text.mapSentence(i, s));
    assert.deepEqual(text.sentence(0), doc.rangeOf('const alphaValue = 1;'));
    assert.deepEqual(text.sentence(1), doc.rangeOf('const gammaValue = 3;'));
  });

  it('a sentence taken again (a continuation) keeps its first mapping; numbers must come in order', () => {
    const doc = new Doc(CODE);
    const text = new FollowedText([{ start: 0, end: doc.text.length }], doc.read);
    const sentences = sentencesOf(doc, [{ start: 0, end: doc.text.length }]);
    text.mapSentence(0, sentences[0]);
    text.mapSentence(0, sentences[0]);
    text.mapSentence(2, sentences[2]); // out of order: ignored
    assert.equal(text.sentence(2), undefined);
    text.mapSentence(1, sentences[1]);
    assert.equal(doc.text.slice(text.sentence(1)!.start, text.sentence(1)!.end), 'return users.find((u) => u.id === id);');
  });

  it('follows edits: text typed above moves the ranges, an edit inside a sentence drops only its place', () => {
    const doc = new Doc(CODE);
    const all = { start: 0, end: doc.text.length };
    const text = new FollowedText([all], doc.read);
    const sentences = sentencesOf(doc, [all]);
    text.mapSentence(0, sentences[0]);
    text.mapSentence(1, sentences[1]);
    text.edited([doc.edit(0, 0, '// typed while listening\n')]);
    assert.equal(doc.text.slice(text.sentence(0)!.start, text.sentence(0)!.end), 'function getUserById(id: string)');
    assert.equal(doc.text.slice(text.sentence(1)!.start, text.sentence(1)!.end), 'return users.find((u) => u.id === id);');
    const at = doc.text.indexOf('users.find');
    text.edited([doc.edit(at, 'users'.length, 'people')]);
    assert.equal(text.sentence(1), undefined, 'the edited sentence has no place any more');
    assert.ok(text.sentence(0), 'the one before keeps its place');
    text.mapSentence(2, sentences[2]);
    assert.equal(text.sentence(2), undefined, 'after an edit inside the text, later sentences are not placed (never wrongly)');
  });

  it('places timed words on the source words, identifiers part by part, in order', () => {
    const doc = new Doc('const maxRetries = computeLimit(3);\n');
    const all = { start: 0, end: doc.text.length };
    const text = new FollowedText([all], doc.read);
    const [spoken] = sentencesOf(doc, [all]);
    assert.equal(spoken, 'const max retries equals compute limit 3.');
    text.mapSentence(0, spoken);
    // The server's words: its own normalisation (the number spelled out, punctuation as a word).
    const names = ['const', 'max', 'retries', 'equals', 'compute', 'limit', 'three', '.'];
    const starts = text.timeWords(
      0,
      names.map((word, i) => ({ word, startSeconds: i * 0.25, endSeconds: i * 0.25 + 0.2 })),
    )!;
    assert.deepEqual(starts.slice(0, 3), [0, 0.25, 0.5]);
    const word = (i: number) => {
      const r = text.word(0, i)!;
      return doc.text.slice(r.start, r.end);
    };
    assert.equal(word(0), 'const');
    assert.equal(word(1), 'max');
    assert.equal(word(2), 'Retries');
    assert.equal(word(4), 'compute');
    assert.equal(word(6), '3');
    assert.deepEqual(text.wordStarts(0), starts);
  });
});
