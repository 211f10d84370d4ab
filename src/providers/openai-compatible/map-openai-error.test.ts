import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PARAM_CHARS, mapOpenAIError } from './map-openai-error.js';

const map = (error: unknown, status = 400) => mapOpenAIError({ provider: 'p', status, body: JSON.stringify({ error }) });

describe('mapOpenAIError (fields an upstream fills in)', () => {
  it('keeps a short param and a string message', () => {
    const error = map({ message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: null });
    assert.equal(error.message, 'bad temperature');
    assert.equal(error.param, 'temperature');
  });

  it('leaves out a param that is long or not a string, and quotes a message that is not a string as JSON', () => {
    assert.equal(map({ message: 'x', param: 'p'.repeat(MAX_PARAM_CHARS + 1) }).param, null);
    assert.equal(map({ message: 'x', param: { nested: 'p' } }).param, null);
    const error = map({ message: { nested: 'boom' } });
    assert.equal(error.message, '{"nested":"boom"}');
    assert.equal(map({ message: 42 }, 500).message, 'provider p failed (500): 42');
  });
});
