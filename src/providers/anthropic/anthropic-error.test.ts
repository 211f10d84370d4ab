import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapAnthropicError, mapAnthropicStreamError } from './anthropic-error.js';

const body = (type: string, message: string): string => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

describe('mapAnthropicError', () => {
  const cases: Array<[number, string, string, number, boolean]> = [
    // status, Anthropic type, our code, our status, retryable
    [400, 'invalid_request_error', 'invalid_request', 400, false],
    [413, 'request_too_large', 'request_too_large', 413, false],
    [401, 'authentication_error', 'upstream_auth_error', 502, false],
    [402, 'billing_error', 'upstream_auth_error', 502, false],
    [403, 'permission_error', 'upstream_auth_error', 502, false],
    [404, 'not_found_error', 'upstream_error', 502, true],
    [429, 'rate_limit_error', 'upstream_rate_limited', 429, true],
    [500, 'api_error', 'upstream_error', 502, true],
    [504, 'timeout_error', 'upstream_timeout', 504, true],
    [529, 'overloaded_error', 'model_unavailable', 503, true],
  ];
  for (const [status, type, code, outStatus, retryable] of cases) {
    it(`${status} ${type} → ${outStatus} ${code}`, () => {
      const error = mapAnthropicError({ provider: 'anthropic', status, body: body(type, 'details here') });
      assert.equal(error.code, code);
      assert.equal(error.status, outStatus);
      assert.equal(error.retryable, retryable);
      assert.equal(error.provider, 'anthropic');
      assert.equal(error.upstreamStatus, status);
      assert.match(error.message, /details here/);
    });
  }

  it("a client mistake keeps Anthropic's message as is; the gateway's key problem says whose it is", () => {
    assert.equal(mapAnthropicError({ provider: 'anthropic', status: 400, body: body('invalid_request_error', 'max_tokens: Field required') }).message, 'max_tokens: Field required');
    assert.equal(
      mapAnthropicError({ provider: 'claude-eu', status: 401, body: body('authentication_error', 'invalid x-api-key') }).message,
      "provider claude-eu rejected the gateway's credentials (401 authentication_error): invalid x-api-key",
    );
  });

  it('429 keeps Retry-After', () => {
    assert.equal(mapAnthropicError({ provider: 'anthropic', status: 429, body: body('rate_limit_error', 'slow down'), retryAfter: '7' }).retryAfter, '7');
  });

  it('a body that is not Anthropic JSON (a proxy page) still maps by status', () => {
    const error = mapAnthropicError({ provider: 'anthropic', status: 502, body: '<html>Bad gateway</html>' });
    assert.equal(error.code, 'upstream_error');
    assert.equal(error.message, 'provider anthropic failed (502): <html>Bad gateway</html>');
    assert.equal(mapAnthropicError({ provider: 'anthropic', status: 503, body: '' }).code, 'model_unavailable');
  });

  it('in-stream error events map by their type, unknown types as a 502', () => {
    assert.equal(mapAnthropicStreamError('anthropic', body('overloaded_error', 'Overloaded')).status, 503);
    assert.equal(mapAnthropicStreamError('anthropic', body('rate_limit_error', 'slow')).status, 429);
    assert.equal(mapAnthropicStreamError('anthropic', body('invalid_request_error', 'bad')).status, 400);
    assert.equal(mapAnthropicStreamError('anthropic', body('something_new', 'x')).code, 'upstream_error');
  });
});
