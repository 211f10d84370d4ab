import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertCohereUsage } from './convert-cohere-usage.js';

describe('convertCohereUsage', () => {
  it('reports billed units, with the cache hits that fall on billed tokens', () => {
    assert.deepEqual(convertCohereUsage({ billed_units: { input_tokens: 119, output_tokens: 52 }, tokens: { input_tokens: 1549, output_tokens: 103 }, cached_tokens: 992 }), {
      prompt_tokens: 119,
      completion_tokens: 52,
      total_tokens: 171,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    assert.deepEqual(convertCohereUsage({ billed_units: { input_tokens: 119, output_tokens: 44 }, tokens: { input_tokens: 1549, output_tokens: 95 }, cached_tokens: 1504 })?.prompt_tokens_details, { cached_tokens: 74 });
  });

  it('falls back to processed tokens when nothing is billed, and reports nothing without usage', () => {
    assert.deepEqual(convertCohereUsage({ tokens: { input_tokens: 20, output_tokens: 5 }, cached_tokens: 16 }), { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25, prompt_tokens_details: { cached_tokens: 16 } });
    assert.deepEqual(convertCohereUsage({ billed_units: { input_tokens: 3, output_tokens: 2 } }), { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    assert.equal(convertCohereUsage(undefined), undefined);
    assert.equal(convertCohereUsage({}), undefined);
  });
});
