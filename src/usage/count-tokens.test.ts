import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTextTokens, estimateUsage, EXACT_CHARS } from './count-tokens.js';

/** The longest the event loop went without a turn while `work` ran. */
async function longestBlock(work: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  return longest;
}

describe('countTextTokens', () => {
  it('counts ordinary text exactly', async () => {
    assert.equal(await countTextTokens('hello world'), 2);
    assert.equal(await countTextTokens(''), 0);
    const words = Array.from({ length: 3000 }, (_, i) => `word${i % 100}`).join(' ');
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    assert.equal(await countTextTokens(words), countTokens(words));
  });

  it('never holds the event loop for long, whatever the text (the quadratic BPE attack)', async () => {
    await countTextTokens('warm up the tables');
    const hostile = [
      'a'.repeat(400_000),
      Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 5000))).join(''),
      Array.from({ length: 400_000 }, (_, i) => String.fromCharCode(33 + ((i * 31) % 90))).join(''),
    ];
    for (const text of hostile) {
      const started = performance.now();
      let tokens = 0;
      const block = await longestBlock(async () => (tokens = await countTextTokens(text)));
      const total = performance.now() - started;
      // Counting on the event loop held it for seconds (1.9 s for 40k letters, 22 s for 50k CJK); a
      // machine loaded by other processes delays the loop by up to ~100 ms on its own.
      assert.ok(block < 250, `held the event loop for ${block.toFixed(1)} ms on ${text.length} chars`);
      assert.ok(total < 3000, `took ${total.toFixed(0)} ms for ${text.length} chars`);
      assert.ok(tokens > 0);
    }
  });

  it('is close to the exact count on runs without breaks, and extrapolates past EXACT_CHARS', async () => {
    assert.equal(await countTextTokens('a'.repeat(8_000)), 1_000);
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(5_000);
    assert.ok(long.length > EXACT_CHARS);
    const estimate = await countTextTokens(long);
    const exact = 10 * 5_000;
    assert.ok(Math.abs(estimate - exact) / exact < 0.02, `${estimate} vs ${exact}`);
  });
});

describe('estimateUsage', () => {
  it('counts tool definitions, JSON schemas and images in the prompt, and reasoning in the answer', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const bare = await estimateUsage({ messages }, '');
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a place', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    assert.ok((await estimateUsage({ messages, tools }, '')).prompt_tokens > bare.prompt_tokens + 10);
    const withImage = await estimateUsage({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] }] }, '');
    assert.ok(withImage.prompt_tokens >= bare.prompt_tokens + 1_000);
    assert.equal((await estimateUsage({ messages }, 'thinking hard about it')).completion_tokens, 4);
  });
});
