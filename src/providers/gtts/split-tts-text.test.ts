import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitTtsText } from './split-tts-text.js';

const len = (s: string): number => Array.from(s).length;

describe('splitTtsText', () => {
  it('packs whole sentences up to the limit and keeps the text in order', () => {
    const sentences = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1}, and it says a little more.`);
    const text = sentences.join(' ');
    const chunks = splitTtsText(text, 200);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(len(chunk) <= 200, chunk);
      assert.match(chunk, /\.$/, 'every chunk ends at a sentence boundary');
    }
    assert.equal(chunks.join(' '), text);
  });

  it('cuts an overlong sentence at clauses, then words, then anywhere', () => {
    const clauses = Array.from({ length: 10 }, (_, i) => `clause ${i} goes on for a while`).join(', ');
    const chunks = splitTtsText(`${clauses}.`, 100);
    for (const chunk of chunks) assert.ok(len(chunk) <= 100);
    assert.match(chunks[0], /,$/);
    const word = 'x'.repeat(450);
    assert.deepEqual(splitTtsText(word, 200).map(len), [200, 200, 50]);
  });

  it('splits CJK text after its full stops, and counts characters, not bytes', () => {
    const text = '你好世界。'.repeat(60);
    const chunks = splitTtsText(text, 200);
    for (const chunk of chunks) {
      assert.ok(len(chunk) <= 200);
      assert.match(chunk, /。$/);
    }
    assert.equal(chunks.join('').replace(/ /g, ''), text);
  });

  it('normalises whitespace and drops empty text', () => {
    assert.deepEqual(splitTtsText('  Hello\n\n  world.  ', 200), ['Hello world.']);
    assert.deepEqual(splitTtsText('   ', 200), []);
  });
});
