import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapCohereError } from './cohere-error.js';

const body = (message: string) => JSON.stringify({ id: '5d5c4b9e-7d8f-4a1e-9c55-2f0e0a3e3a77', message });

describe('mapCohereError', () => {
  it('maps each Cohere status to the status and code our clients should see', () => {
    const cases: Array<[status: number, code: string, outStatus: number]> = [
      [400, 'invalid_request', 400],
      [422, 'invalid_request', 400],
      [401, 'upstream_auth_error', 502],
      [403, 'upstream_auth_error', 502],
      [498, 'upstream_auth_error', 502],
      [402, 'upstream_error', 502],
      [404, 'upstream_error', 502],
      [413, 'request_too_large', 413],
      [429, 'upstream_rate_limited', 429],
      [499, 'upstream_error', 502],
      [500, 'upstream_error', 502],
      [501, 'upstream_error', 502],
      [503, 'upstream_error', 502],
      [504, 'upstream_timeout', 504],
    ];
    for (const [status, code, outStatus] of cases) {
      const error = mapCohereError({ provider: 'cohere', status, body: body('x') });
      assert.deepEqual([error.code, error.status, error.upstreamStatus], [code, outStatus, status], String(status));
    }
  });

  it("keeps the client's own mistakes in Cohere's words and says whose key failed", () => {
    const unknown = mapCohereError({ provider: 'cohere', status: 422, body: body("unknown field: parameter 'strict' is not a valid field") });
    assert.deepEqual(unknown.toJSON(), { error: { message: "unknown field: parameter 'strict' is not a valid field", type: 'invalid_request_error', param: null, code: 'invalid_request' } });
    const auth = mapCohereError({ provider: 'cohere', status: 401, body: body('invalid api token') });
    assert.equal(auth.message, "provider cohere rejected the gateway's credentials (401): invalid api token");
    assert.equal(auth.retryable, false);
  });

  it('keeps Retry-After on 429 and copes with bodies that are not JSON', () => {
    assert.equal(mapCohereError({ provider: 'cohere', status: 429, body: body('Trial key limit'), retryAfter: '7' }).retryAfter, '7');
    const html = mapCohereError({ provider: 'cohere', status: 502, body: '<html>bad gateway</html>' });
    assert.equal(html.message, 'provider cohere failed (502): <html>bad gateway</html>');
    assert.equal(mapCohereError({ provider: 'cohere', status: 500, body: '' }).message, 'provider cohere failed (500): upstream answered 500');
  });
});
