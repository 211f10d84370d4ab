import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PLAUSIBLE_TOKENS, plausibleUsage } from './plausible-usage.js';

const usage = (prompt: number, completion: number, details?: Record<string, number>) => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: details });

describe('plausibleUsage', () => {
  it('bills whole counts from zero to the bound', () => {
    assert.equal(plausibleUsage(usage(0, 0)), true);
    assert.equal(plausibleUsage(usage(120_000, 4096, { cached_tokens: 100_000, cache_creation_tokens: 0 })), true);
    assert.equal(plausibleUsage(usage(MAX_PLAUSIBLE_TOKENS, 1)), true);
  });

  it('refuses counts below zero, past the bound, fractional or not numbers', () => {
    for (const bad of [usage(-1, 5), usage(5, 1e308), usage(MAX_PLAUSIBLE_TOKENS + 1, 0), usage(1.5, 0), usage(5, Number.NaN), usage(5, 1, { cached_tokens: -3 }), usage(5, 1, { cache_creation_tokens: Infinity })]) {
      assert.equal(plausibleUsage(bad), false, JSON.stringify(bad));
    }
    assert.equal(plausibleUsage({ prompt_tokens: '5', completion_tokens: 1, total_tokens: 6 } as never), false);
    assert.equal(plausibleUsage({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 1e308 }), false, 'a total clients would be shown');
    assert.equal(plausibleUsage({ ...usage(5, 1), completion_tokens_details: { reasoning_tokens: -1 } }), false, 'reasoning tokens below zero');
  });
});
