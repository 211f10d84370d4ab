import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath } from '../../../test/support/fixtures.js';
import { mapGeminiError } from './gemini-error.js';

const FIXTURES = fixturePath('gemini');
const mock = (name: string): string => readFileSync(path.join(FIXTURES, 'mock-responses', name), 'utf8');

describe('mapGeminiError (recorded Google errors in, gateway errors out)', () => {
  it('a bad API key (400 INVALID_ARGUMENT, reason API_KEY_INVALID) is the gateway credentials: 502, not retried', () => {
    const error = mapGeminiError({ provider: 'gemini', status: 400, body: mock('googleai/unary-failure-api-key.json') });
    assert.equal(error.code, 'upstream_auth_error');
    assert.equal(error.status, 502);
    assert.equal(error.retryable, false);
    assert.equal(error.message, "provider gemini rejected the gateway's credentials (400 INVALID_ARGUMENT API_KEY_INVALID): API key not valid. Please pass a valid API key.");
    assert.equal(error.upstreamStatus, 400);
  });

  it('PERMISSION_DENIED (the API not enabled for the key) is the gateway credentials too', () => {
    const error = mapGeminiError({ provider: 'gemini', status: 403, body: mock('googleai/unary-failure-generativelanguage-api-not-enabled.json') });
    assert.equal(error.code, 'upstream_auth_error');
    assert.equal(error.status, 502);
  });

  it('an unknown model is a 502 naming the provider; the client did nothing wrong', () => {
    for (const body of [mock('googleai/unary-failure-unknown-model.json'), mock('vertexai/unary-failure-model-not-found.json')]) {
      const error = mapGeminiError({ provider: 'gemini', status: 404, body });
      assert.equal(error.code, 'upstream_error');
      assert.equal(error.status, 502);
      assert.match(error.message, /^provider gemini does not serve this model \(404\): models\/[\w.-]+ is not found for API version/);
    }
  });

  it('RESOURCE_EXHAUSTED is a 429 keeping Retry-After, or Google RetryInfo delay', () => {
    const quota = mapGeminiError({ provider: 'gemini', status: 429, body: mock('vertexai/unary-failure-quota-exceeded.json'), retryAfter: '30' });
    assert.equal(quota.code, 'upstream_rate_limited');
    assert.equal(quota.status, 429);
    assert.equal(quota.retryAfter, '30');
    assert.match(quota.message, /^Quota exceeded for quota metric/);
    const delayed = mapGeminiError({ provider: 'gemini', status: 429, body: JSON.stringify({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '6.2s' }] } }) });
    assert.equal(delayed.retryAfter, '7');
  });

  it("the client's invalid argument is a 400 with Google's message", () => {
    const error = mapGeminiError({ provider: 'gemini', status: 400, body: mock('googleai/streaming-failure-image-rejected.txt') });
    assert.deepEqual([error.code, error.status, error.message], ['invalid_request', 400, 'Request contains an invalid argument.']);
  });

  it('server trouble is a retryable 502, a deadline a 504, an unservable region a 502', () => {
    const body = (code: number, status: string) => JSON.stringify({ error: { code, message: 'x', status } });
    assert.deepEqual([500, 503].map((s) => mapGeminiError({ provider: 'gemini', status: s, body: body(s, s === 500 ? 'INTERNAL' : 'UNAVAILABLE') })).map((e) => [e.code, e.status, e.retryable]), [
      ['upstream_error', 502, true],
      ['upstream_error', 502, true],
    ]);
    assert.equal(mapGeminiError({ provider: 'gemini', status: 504, body: body(504, 'DEADLINE_EXCEEDED') }).status, 504);
    assert.deepEqual([mapGeminiError({ provider: 'gemini', status: 400, body: body(400, 'FAILED_PRECONDITION') })].map((e) => [e.code, e.status]), [['upstream_error', 502]]);
    assert.equal(mapGeminiError({ provider: 'gemini', status: 413, body: 'payload too large' }).code, 'request_too_large');
  });

  it('a body that is not Google JSON is classified by its HTTP status; an array-wrapped one is unwrapped', () => {
    const html = mapGeminiError({ provider: 'gemini', status: 502, body: '<html>Bad Gateway</html>' });
    assert.deepEqual([html.code, html.status], ['upstream_error', 502]);
    assert.equal(mapGeminiError({ provider: 'gemini', status: 401, body: '' }).code, 'upstream_auth_error');
    const wrapped = mapGeminiError({ provider: 'gemini', status: 400, body: JSON.stringify([{ error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' } }]) });
    assert.deepEqual([wrapped.code, wrapped.message], ['invalid_request', 'bad']);
  });
});
