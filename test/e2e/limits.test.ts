/**
 * Limits as clients meet them: 429 rate_limit_exceeded with Retry-After for requests and tokens per
 * minute, requests per day and concurrency; the catalog's per-model tier limits, tiers and paid
 * models; the anonymous tier; each refusal left in the ledger.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http, type HttpResult } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

const CONFIG = ['models:', '  gpt-4o:', '    limits: [2, 3, 100, 100]', '  gpt-4.1:', '    tier: 2', '    paid: true', ''].join('\n');

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_MODEL_LIMITS: 'on' }, config: CONFIG });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

function chat(key: string | undefined, extra: Record<string, unknown> = {}, content = 'hi'): Promise<HttpResult> {
  return http(`${server.url}/v1/chat/completions`, { headers: key ? { authorization: `Bearer ${key}` } : {}, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra } });
}

function assertRateLimited(res: HttpResult, maxRetryAfter: number): void {
  assert.equal(res.status, 429, res.text);
  assert.equal(res.json.error.code, 'rate_limit_exceeded');
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxRetryAfter, `Retry-After ${res.headers['retry-after']}`);
}

describe('limits per key', () => {
  it('requests per minute: the request over the limit is a 429 with Retry-After, and leaves a usage row', async () => {
    const { id, key } = await createKey(server.url, { rpm: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await chat(key)).status, 200);
    assertRateLimited(await chat(key), 60);
    const rows = (await admin(server.url, 'GET', `/usage?key_id=${id}`)).json.data;
    assert.deepEqual(rows.map((r: { status: string; error_code: string | null }) => r.error_code).sort(), [null, null, null, 'rate_limit_exceeded'].sort());
  });

  it('tokens per minute: estimated before the call, reconciled with real usage after', async () => {
    const { key } = await createKey(server.url, { tpm: 100 });
    const tooLarge = await chat(key, { max_tokens: 500 });
    assertRateLimited(tooLarge, 60);
    assert.match(tooLarge.json.error.message, /Request too large/);
    const a = await chat(key, { max_tokens: 80 });
    assert.equal(a.status, 200);
    const used = a.json.usage.prompt_tokens + a.json.usage.completion_tokens;
    assert.ok(used < 45, `the fake's answer is small: ${used}`);
    // Estimated 84 tokens, counted as `used` once settled: another 54-token request fits only thanks to that.
    const b = await chat(key, { max_tokens: 50 });
    assert.equal(b.status, 200, b.text);
    assertRateLimited(await chat(key, { max_tokens: 50 }), 60);
  });

  it('requests per day', async () => {
    const { key } = await createKey(server.url, { rpd: 2 });
    assert.equal((await chat(key)).status, 200);
    assert.equal((await chat(key)).status, 200);
    assertRateLimited(await chat(key), 86_400);
  });

  it('concurrent requests: a second request while one is in flight is refused, then served', async () => {
    const { key } = await createKey(server.url, { max_concurrency: 1 });
    const slow = chat(key, { stream: true }, '#slow take your time');
    await new Promise((r) => setTimeout(r, 150));
    assertRateLimited(await chat(key), 5);
    assert.equal((await slow).status, 200);
    assert.equal((await chat(key)).status, 200);
  });

  it("a key's own limit wins over its tier's; a patched limit applies at once", async () => {
    const { id, key } = await createKey(server.url, { rpm: 1 });
    assert.equal((await chat(key)).status, 200);
    assertRateLimited(await chat(key), 60);
    await admin(server.url, 'PATCH', `/keys/${id}`, { rpm: 5 });
    assert.equal((await chat(key)).status, 200);
  });
});

describe("the catalog's tier, limits and paid", () => {
  it("per-model requests per minute by the key's tier", async () => {
    const tier0 = await createKey(server.url, { tier: 0 });
    const tier1 = await createKey(server.url, { tier: 1 });
    const gpt4o = (key: string) => chat(key, { model: 'gpt-4o' });
    for (let i = 0; i < 2; i++) assert.equal((await gpt4o(tier0.key)).status, 200);
    assertRateLimited(await gpt4o(tier0.key), 60);
    assert.equal((await chat(tier0.key)).status, 200, 'other models have their own count');
    for (let i = 0; i < 3; i++) assert.equal((await gpt4o(tier1.key)).status, 200);
    assertRateLimited(await gpt4o(tier1.key), 60);
  });

  it("a model above the key's tier is a 403; a paid model refuses the public key", async () => {
    const low = await createKey(server.url, { tier: 1 });
    const high = await createKey(server.url, { tier: 2 });
    const res = await chat(low.key, { model: 'gpt-4.1' });
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'model_not_allowed');
    assert.equal((await chat(high.key, { model: 'gpt-4.1' })).status, 200);
    await admin(server.url, 'PATCH', '/keys/key_public', { tier: 3 });
    try {
      const anonymous = await chat('openai', { model: 'gpt-4.1' });
      assert.equal(anonymous.status, 403);
      assert.match(anonymous.json.error.message, /paid/);
    } finally {
      await admin(server.url, 'PATCH', '/keys/key_public', { tier: 0 });
    }
  });
});

describe('the anonymous tier', () => {
  it('has limits of its own, set by the operator; key-less requests count as the public key', async () => {
    const anon = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_ANONYMOUS_RPM: '2' } });
    try {
      const call = (key?: string) => http(`${anon.url}/ai/v2`, { headers: key ? { authorization: `Bearer ${key}` } : {}, json: { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'hi' }] } } });
      assert.equal((await call()).status, 200);
      assert.equal((await call('openai')).status, 200);
      assertRateLimited(await call(), 60);
      const { key } = await createKey(anon.url, {});
      for (let i = 0; i < 3; i++) assert.equal((await call(key)).status, 200, 'keys of tier 0 are not on the anonymous tier');
      const patched = await admin(anon.url, 'PATCH', '/keys/key_public', { rpm: 100 });
      assert.equal(patched.status, 200);
      assert.equal((await call()).status, 200, 'the operator loosened it through the admin API');
    } finally {
      await anon.stop();
    }
  });

  it('can be switched off', async () => {
    const off = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ANONYMOUS: 'off' } });
    try {
      const none = await http(`${off.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(none.status, 401);
      assert.equal((await http(`${off.url}/ai/models`, { headers: { authorization: 'Bearer openai' } })).status, 401);
    } finally {
      await off.stop();
    }
  });
});
