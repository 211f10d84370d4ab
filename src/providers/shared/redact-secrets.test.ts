import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, UpstreamError } from '../../core/errors.js';
import type { ProviderConfig } from '../types.js';
import { providerSecrets, redactError, redactText } from './redact-secrets.js';

const config = (over: Partial<ProviderConfig>): ProviderConfig => ({ name: 'p', type: 'openai', options: {}, timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 }, ...over });

describe('providerSecrets', () => {
  it("collects the key, the base URL's password and secret-named parameters and options, longest first", () => {
    const secrets = providerSecrets(
      config({ apiKey: 'sk-long-upstream-key', baseUrl: 'https://user:proxy-password-1@llm.example/v1?api_key=query-secret-99&region=eu-west-1', options: { access_token: 'option-token-777', images_api: 'openai' } }),
    );
    assert.deepEqual(secrets, ['sk-long-upstream-key', 'proxy-password-1', 'option-token-777', 'query-secret-99']);
  });

  it('leaves out placeholders too short to be credentials', () => {
    assert.deepEqual(providerSecrets(config({ apiKey: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' })), []);
  });
});

describe('redactError', () => {
  const secrets = ['sk-long-upstream-key'];

  it('scrubs the message, the upstream body and every cause, keeping code, status and provider', () => {
    const cause = new Error('socket said sk-long-upstream-key', { cause: new Error('deeper sk-long-upstream-key') });
    const error = new UpstreamError('upstream_error', 'failed: sk-long-upstream-key', { provider: 'p', upstreamStatus: 500, upstreamBody: '{"key":"sk-long-upstream-key"}', cause });
    const clean = redactError(error, secrets) as UpstreamError;
    assert.ok(clean instanceof UpstreamError);
    assert.deepEqual([clean.code, clean.status, clean.provider, clean.upstreamStatus], ['upstream_error', 502, 'p', 500]);
    const everything = JSON.stringify([clean.message, clean.upstreamBody, clean.stack, (clean.cause as Error).message, (clean.cause as Error).stack, ((clean.cause as Error).cause as Error).message]);
    assert.ok(!everything.includes(secrets[0]), everything);
    assert.equal(clean.message, 'failed: [redacted]');
  });

  it('returns an error that mentions no secret as it is', () => {
    const error = new ApiError('invalid_request', 'bad size', { param: 'size' });
    assert.equal(redactError(error, secrets), error);
    assert.equal(redactText('no secret here', secrets), 'no secret here');
  });
});
