import * as assert from 'node:assert/strict';
import { chunkText, Chunker } from '../../src/speech/chunker';
import { rawBlocks } from '../../src/speech/reader';

describe('chunking', () => {
  const opts = { firstChunkMaxChars: 60, maxChunkChars: 200 };

  it('sends the first sentence alone, so the first audio comes fast', () => {
    const text = 'Hello there. This is the second sentence. And a third one follows here. Then a fourth.';
    const chunks = chunkText(text, opts);
    assert.equal(chunks[0], 'Hello there.');
    assert.equal(chunks.join(' '), text);
  });

  it('cuts a long first sentence at a clause, then at a word, never mid-word', () => {
    const text =
      'When the configuration file is missing, the loader falls back to the defaults that ship with the package and logs a warning.';
    const chunks = chunkText(text, opts);
    assert.equal(chunks[0], 'When the configuration file is missing,');
    assert.ok(chunks.every((c) => c.length <= 200));
    assert.equal(chunks.join(' '), text);
    const words = 'alpha '.repeat(40).trim();
    const wordChunks = chunkText(words, opts);
    assert.ok(wordChunks[0].length <= 60);
    assert.ok(
      wordChunks.every((c) => /^(alpha ?)+$/.test(c)),
      'no word is cut',
    );
  });

  it('one sentence per chunk when asked (text followed in the editor), long ones still cut at a clause', () => {
    const sentence = 'The quick brown fox jumps over the lazy dog.';
    const long =
      'When the configuration file is missing, the loader falls back to the defaults that ship with the package, logs a warning, and carries on with the rest of the start-up sequence as if nothing happened at all, which is what users expect.';
    const text = [sentence, sentence, long, 'Short.'].join(' ');
    const chunks = chunkText(text, opts, true);
    assert.deepEqual(chunks.slice(0, 2), [sentence, sentence]);
    assert.equal(chunks.at(-1), 'Short.');
    assert.ok(chunks.slice(2, -1).length >= 2, 'the long sentence is cut');
    assert.ok(chunks.every((c) => c.length <= 200));
    assert.equal(chunks.join(' '), text);
    const packed = chunkText(text, opts);
    assert.ok(packed.length < chunks.length, 'without it, sentences are packed');
  });

  it('packs later sentences into growing chunks up to the maximum', () => {
    const sentence = 'The quick brown fox jumps over the lazy dog.';
    const text = Array.from({ length: 30 }, () => sentence).join(' ');
    const chunks = chunkText(text, opts);
    assert.equal(chunks[0], sentence);
    assert.ok(chunks[1].length > sentence.length && chunks[1].length <= 120, `second chunk ${chunks[1].length}`);
    assert.ok(chunks.slice(2, -1).every((c) => c.length > 120 && c.length <= 200));
    assert.equal(chunks.join(' '), text);
  });

  it('drops pieces with nothing to say and returns nothing for empty text', () => {
    assert.deepEqual(chunkText('', opts), []);
    assert.deepEqual(chunkText('   . ... !! ', opts), []);
  });

  it('cuts each chunk when it is asked for, with the size limit of that moment', () => {
    const text = 'Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon.';
    let limit = 20;
    const chunker = new Chunker(() => limit);
    const chunks = chunker.push(text);
    const first = chunks.next().value as string;
    assert.ok(first.length <= 20, first);
    limit = 60;
    const second = chunks.next().value as string;
    assert.ok(second.length > 20 && second.length <= 60, second);
  });

  it('gives the same chunks fed in pieces as in one go', () => {
    const text = 'One. Two, three, four. Five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen. Seventeen!';
    const chunker = new Chunker(opts);
    const fed = [
      ...chunker.push('One. Two, three,'),
      ...chunker.push('four. Five six seven eight nine ten'),
      ...chunker.push('eleven twelve thirteen fourteen fifteen sixteen. Seventeen!'),
      ...chunker.finish(),
    ];
    assert.deepEqual(fed.join(' '), chunkText(text, opts).join(' '));
    assert.equal(fed[0], 'One.');
  });

  it('splits raw text into a small first block at a line end, then bigger ones', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} of the file`);
    const text = lines.join('\n');
    const blocks = [...rawBlocks(text, 100, 1000)];
    assert.equal(blocks.join(''), text);
    assert.ok(blocks[0].length <= 100 && blocks[0].endsWith('\n'));
    assert.ok(blocks.slice(1, -1).every((b) => b.endsWith('\n') && b.length <= 1000));
    const minified = 'a=1;'.repeat(5000);
    const minBlocks = [...rawBlocks(minified, 100, 1000)];
    assert.equal(minBlocks.join(''), minified);
    assert.ok(
      minBlocks.every((b) => b.length <= 1000),
      'one huge line is still cut into bounded blocks',
    );
  });
});
