import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTokensPast } from './count-tokens-past.js';

/** A tokenizer of one token per word, recording how many characters it was given. */
function wordTokenizer(): { tokenize: (text: string) => number; chars: () => number } {
  let chars = 0;
  return {
    tokenize: (text) => {
      chars += text.length;
      return text.split(' ').filter(Boolean).length;
    },
    chars: () => chars,
  };
}

describe('countTokensPast', () => {
  it('does not tokenize texts too short to pass the limit', async () => {
    const words = wordTokenizer();
    assert.equal(await countTokensPast({ tokenize: words.tokenize, texts: ['ab', 'cd ef'], limit: 21 }), undefined);
    assert.equal(words.chars(), 0);
  });

  it('counts across texts and slices, cut at spaces so no word is counted twice', async () => {
    const words = wordTokenizer();
    const text = 'word '.repeat(3000);
    assert.equal(await countTokensPast({ tokenize: words.tokenize, texts: [text, text], limit: 6000 }), undefined);
    assert.equal(await countTokensPast({ tokenize: words.tokenize, texts: [text, text], limit: 5999 }), 6000);
  });

  it('stops once past the limit: megabytes cost the work of the limit', async () => {
    const words = wordTokenizer();
    const counted = await countTokensPast({ tokenize: words.tokenize, texts: ['word '.repeat(1_000_000)], limit: 2048 });
    assert.ok(counted !== undefined && counted > 2048);
    assert.ok(words.chars() < 2048 * 5 + 8192, `tokenized ${words.chars()} characters`);
  });

  it('gives the event loop a turn between slices', async () => {
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const slow = (text: string): number => {
      const until = performance.now() + 2;
      while (performance.now() < until);
      return text.split(' ').length;
    };
    await countTokensPast({ tokenize: slow, texts: ['word '.repeat(20_000)], limit: 100_000 });
    clearInterval(timer);
    assert.ok(turns >= 5, `${turns} turns`);
  });

  it('never cuts a surrogate pair in a text without spaces', async () => {
    const seen: string[] = [];
    await countTokensPast({ tokenize: (t) => (seen.push(t), t.length), texts: ['a' + '😀'.repeat(5000)], limit: 20_000 });
    assert.equal(seen.join(''), 'a' + '😀'.repeat(5000));
    assert.ok(seen.every((t) => !/[\ud800-\udbff]$/.test(t) && !/^[\udc00-\udfff]/.test(t)));
  });
});
