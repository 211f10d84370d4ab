import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HELD_CHUNK_CHARS, RelayedText } from './relayed-text.js';

const chunk = (content: string) => `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}`;

describe('RelayedText (what a relayed stream keeps for counting its tokens)', () => {
  it('holds a long answer as its text, not as its chunks, and loses none of it', () => {
    const text = new RelayedText();
    let expected = '';
    let chunkChars = 0;
    for (let i = 0; i < 5_000; i++) {
      const piece = `w${i} `;
      expected += piece;
      const c = chunk(piece);
      chunkChars += c.length;
      text.add(c);
      assert.ok(text.held <= HELD_CHUNK_CHARS + expected.length + c.length, `chunk ${i}: ${text.held} characters held`);
    }
    assert.ok(chunkChars > 5 * HELD_CHUNK_CHARS, 'the stream is long enough to be folded several times');
    assert.ok(text.held < chunkChars / 4, `${text.held} of ${chunkChars} characters held`);
    assert.equal(text.text(), expected);
  });

  it('keeps nothing once the upstream reported usage', () => {
    const text = new RelayedText();
    text.add(chunk('before'));
    text.usageArrived();
    text.add(chunk('after'));
    assert.equal(text.held, 0);
    assert.equal(text.text(), '');
  });
});
