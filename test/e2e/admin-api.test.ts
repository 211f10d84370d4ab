/**
 * The admin API as scripts use it (DESIGN §1.7): keys shown once and never again, users, limits
 * and credits on a key, revocation, usage with totals, deployment health, and its OpenAPI
 * description, which every answer here is checked against.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;
let openapi: any;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'debug' } });
  openapi = (await http(`${server.url}/admin/openapi.json`)).json;
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

type Validate = ((value: unknown) => boolean) & { errors?: unknown };
const AjvClass = ((Ajv2020 as unknown as { default?: unknown }).default ?? Ajv2020) as new (options: object) => { compile(schema: object): Validate };
const ajv = new AjvClass({ strict: false, allErrors: true });

/** Asserts an answer matches what /admin/openapi.json promises for that operation and status. */
function assertDocumented(method: string, path: string, res: { status: number; json: unknown }): void {
  const operation = openapi.paths[path]?.[method];
  assert.ok(operation, `${method} ${path} is not in the OpenAPI description`);
  const response = operation.responses[String(res.status)];
  assert.ok(response, `${method} ${path} answered ${res.status}, not documented`);
  let schema = response.content['application/json'].schema;
  if (schema.$ref) schema = openapi.components.schemas.Error;
  const validate = ajv.compile(schema);
  assert.ok(validate(res.json), `${method} ${path} ${res.status}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(res.json).slice(0, 500)}`);
}

const chat = (key: string, content = 'hello', model = 'gpt-4o-mini') =>
  http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model, messages: [{ role: 'user', content }] } });

describe('admin API', () => {
  it('serves an OpenAPI 3.1 description of every core route', () => {
    assert.equal(openapi.openapi, '3.1.0');
    for (const [path, method] of [['/admin/keys', 'post'], ['/admin/keys', 'get'], ['/admin/keys/{id}', 'patch'], ['/admin/keys/{id}', 'delete'], ['/admin/usage', 'get'], ['/admin/health', 'get'], ['/admin/users', 'post']]) {
      assert.ok(openapi.paths[path]?.[method], `${method} ${path}`);
    }
  });

  it('refuses every documented route without the admin key (401), with another key (403)', async () => {
    const user = await createKey(server.url, { name: 'not an admin' });
    for (const [template, methods] of Object.entries(openapi.paths as Record<string, object>)) {
      const path = template.replace('{id}', 'key_public');
      for (const method of Object.keys(methods)) {
        const none = await http(`${server.url}${path}`, { method: method.toUpperCase(), ...(method !== 'get' && method !== 'delete' && { json: {} }) });
        assert.equal(none.status, 401, `${method} ${path} without a key`);
        assert.equal(none.json.error.code, 'missing_api_key');
        for (const key of [user.key, 'openai', `${ADMIN_KEY}x`, ADMIN_KEY.slice(0, -1)]) {
          const wrong = await http(`${server.url}${path}`, { method: method.toUpperCase(), headers: { authorization: `Bearer ${key}` } });
          assert.equal(wrong.status, 403, `${method} ${path} with ${key}`);
          assert.equal(wrong.json.error.code, 'admin_forbidden');
        }
      }
    }
  });

  it('creates a key shown once: listings, reads and logs only ever show its prefix', async () => {
    const created = await admin(server.url, 'POST', '/keys', { name: 'alice', tier: 1, rpm: 100, credits: 5, allowed_models: ['gpt-4o-mini'] });
    assert.equal(created.status, 201);
    assertDocumented('post', '/admin/keys', created);
    const { id, key } = created.json;
    assert.match(key, /^sq-[A-Za-z0-9_-]{30,}$/);
    assert.ok(key.startsWith(created.json.prefix));
    assert.deepEqual([created.json.tier, created.json.rpm, created.json.tpm, created.json.credits, created.json.allowed_models], [1, 100, null, 5, ['gpt-4o-mini']]);

    const answer = await chat(key, 'hi from alice');
    assert.equal(answer.status, 200, answer.text);
    const list = await admin(server.url, 'GET', '/keys');
    assertDocumented('get', '/admin/keys', list);
    assert.ok(list.json.data.some((k: { id: string }) => k.id === id));
    const one = await admin(server.url, 'GET', `/keys/${id}`);
    assertDocumented('get', '/admin/keys/{id}', one);
    for (const text of [list.text, one.text, server.output()]) assert.ok(!text.includes(key), 'the secret appears after creation');
    assert.ok(!list.text.includes('key_hash'));
  });

  it('updates a key: allow-list 403, tier 403, credits 402, expiry 401, and changes apply at once', async () => {
    const { id, key } = await createKey(server.url, { name: 'bob' });
    assert.equal((await chat(key)).status, 200);
    let patched = await admin(server.url, 'PATCH', `/keys/${id}`, { allowed_models: ['gpt-4o'] });
    assertDocumented('patch', '/admin/keys/{id}', patched);
    const notAllowed = await chat(key);
    assert.equal(notAllowed.status, 403);
    assert.equal(notAllowed.json.error.code, 'model_not_allowed');
    patched = await admin(server.url, 'PATCH', `/keys/${id}`, { allowed_models: null, credits: 0 });
    assert.equal(patched.json.credits, 0);
    const broke = await chat(key);
    assert.equal(broke.status, 402);
    assert.equal(broke.json.error.code, 'insufficient_quota');
    assert.equal(broke.json.error.type, 'insufficient_quota');
    const topped = await admin(server.url, 'POST', `/keys/${id}/credits`, { amount: 2.5 });
    assertDocumented('post', '/admin/keys/{id}/credits', topped);
    assert.equal(topped.json.credits, 2.5);
    const paid = await chat(key, 'paid for');
    assert.equal(paid.status, 200);
    const after = (await admin(server.url, 'GET', `/keys/${id}`)).json.credits;
    assert.ok(after < 2.5 && after > 2.4, `debited: ${after}`);
    await admin(server.url, 'PATCH', `/keys/${id}`, { expires_at: Math.floor(Date.now() / 1000) - 1 });
    const expired = await chat(key);
    assert.equal(expired.status, 401);
    assert.equal((await admin(server.url, 'GET', `/keys/${id}`)).json.status, 'expired');
  });

  it('revokes a key: then it is a 401 everywhere, and gone from the default listing', async () => {
    const { id, key } = await createKey(server.url, { name: 'carol' });
    assert.equal((await http(`${server.url}/ai/models`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    const revoked = await admin(server.url, 'DELETE', `/keys/${id}`);
    assertDocumented('delete', '/admin/keys/{id}', revoked);
    assert.equal(revoked.json.status, 'revoked');
    for (const path of ['/ai/models', '/v1/models']) assert.equal((await http(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
    assert.equal((await chat(key)).status, 401);
    assert.ok(!(await admin(server.url, 'GET', '/keys')).json.data.some((k: { id: string }) => k.id === id));
    assert.ok((await admin(server.url, 'GET', '/keys?include_revoked=true')).json.data.some((k: { id: string }) => k.id === id));
    assert.equal((await http(`${server.url}/ai/models`, { headers: { authorization: 'Bearer sq-never-issued' } })).status, 401);
  });

  it('users own keys; API2.0 answers carry the user id', async () => {
    const user = await admin(server.url, 'POST', '/users', { name: 'Team Dave' });
    assertDocumented('post', '/admin/users', user);
    const { key } = await createKey(server.url, { name: 'dave-1', user: user.json.id });
    const v2 = await http(`${server.url}/ai/v2`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'hi' }] } } });
    assert.equal(v2.json.user, user.json.id);
    const detail = await admin(server.url, 'GET', `/users/${user.json.id}`);
    assertDocumented('get', '/admin/users/{id}', detail);
    assert.deepEqual(detail.json.keys.map((k: { name: string }) => k.name), ['dave-1']);
    assertDocumented('get', '/admin/users', await admin(server.url, 'GET', '/users'));
    assert.equal((await admin(server.url, 'POST', '/keys', { name: 'x', user: 99999 })).status, 400);
  });

  it('rejects bad input with a 400 naming the field', async () => {
    const bad = await admin(server.url, 'POST', '/keys', { name: 'x', rpm: -1 });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.param, 'rpm');
    assertDocumented('post', '/admin/keys', bad);
    const unknown = await admin(server.url, 'POST', '/keys', { name: 'x', rpn: 5 });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error.param, 'rpn');
    assert.equal((await admin(server.url, 'PATCH', '/keys/key_nope', { rpm: 5 })).status, 404);
  });

  it('reports usage: rows and totals by key, grouped by model and day, latency percentiles, errors', async () => {
    const { id, key } = await createKey(server.url, { name: 'erin' });
    for (let i = 0; i < 3; i++) assert.equal((await chat(key, `usage ${i}`)).status, 200);
    assert.equal((await chat(key, '#fail-500')).status, 502);
    const usage = await admin(server.url, 'GET', `/usage?key_id=${id}`);
    assertDocumented('get', '/admin/usage', usage);
    assert.equal(usage.json.data.length, 4);
    assert.equal(usage.json.totals.requests, 4);
    assert.equal(usage.json.totals.errors, 1);
    const tokens = usage.json.data.reduce((sum: number, row: { prompt_tokens: number }) => sum + row.prompt_tokens, 0);
    assert.equal(usage.json.totals.prompt_tokens, tokens);
    assert.ok(usage.json.totals.cost > 0);
    assert.equal(typeof usage.json.totals.latency_p95_ms, 'number');
    const byModel = await admin(server.url, 'GET', `/usage/summary?key_id=${id}&group_by=model`);
    assertDocumented('get', '/admin/usage/summary', byModel);
    assert.deepEqual(byModel.json.data.map((g: { model: string; requests: number }) => [g.model, g.requests]), [['gpt-4o-mini', 4]]);
    const byDay = await admin(server.url, 'GET', `/usage/summary?key_id=${id}&group_by=day`);
    assert.equal(byDay.json.data[0].day, new Date().toISOString().slice(0, 10));
    const byUser = await admin(server.url, 'GET', '/usage/summary?group_by=user');
    assert.ok(byUser.json.data.length >= 2);
    const errors = await admin(server.url, 'GET', `/usage/errors?key_id=${id}`);
    assertDocumented('get', '/admin/usage/errors', errors);
    assert.deepEqual(errors.json.data.map((e: { error_code: string; count: number }) => [e.error_code, e.count]), [['upstream_error', 1]]);
    const none = await admin(server.url, 'GET', `/usage?key_id=${id}&from=${Date.now() + 60_000}`);
    assert.equal(none.json.totals.requests, 0);
    assert.equal((await admin(server.url, 'GET', '/usage?from=yesterday-ish')).status, 400);
  });

  it('lists every deployment of the catalog with its provider and why it cannot serve', async () => {
    const health = await admin(server.url, 'GET', '/health');
    assertDocumented('get', '/admin/health', health);
    const mini = health.json.data.find((d: { model: string }) => d.model === 'gpt-4o-mini');
    assert.deepEqual([mini.provider, mini.state, mini.configured], ['openai', 'ok', true]);
    const claude = health.json.data.find((d: { model: string }) => d.model === 'claude-3.5-sonnet');
    assert.equal(claude.state, 'not_configured');
    assert.match(claude.reason, /ANTHROPIC_API_KEY/);
    assert.equal(health.json.status, 'degraded');
  });

  it('answers one request by its x-request-id with the body its client sent, never the key; 404 for an unknown id', async () => {
    const { key } = await createKey(server.url, { name: 'replayed' });
    const sent = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'be a haiku' }, { role: 'user', content: 'replay me' }], temperature: 0.4 };
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: sent });
    assert.equal(res.status, 200, res.text);
    const detail = await admin(server.url, 'GET', `/requests/${String(res.headers['x-request-id'])}`);
    assertDocumented('get', '/admin/requests/{id}', detail);
    assert.deepEqual(detail.json.request_body, sent);
    assert.equal(detail.json.request_body_omitted, null);
    assert.ok(!detail.text.includes(key));
    const unknown = await admin(server.url, 'GET', '/requests/chatcmpl-unknown');
    assertDocumented('get', '/admin/requests/{id}', unknown);
    assert.equal(unknown.status, 404);
  });
});

describe('admin API switched off', () => {
  it('with OPENSQ_ADMIN_KEY=off every admin route is a 404 admin_disabled', async () => {
    const off = await startServer({ env: { OPENSQ_ADMIN_KEY: 'off' } });
    try {
      for (const path of ['/admin/keys', '/admin/usage', '/admin/health', '/admin/openapi.json']) {
        const res = await http(`${off.url}${path}`, { headers: { authorization: 'Bearer anything' } });
        assert.equal(res.status, 404);
        assert.equal(res.json.error.code, 'admin_disabled');
      }
    } finally {
      await off.stop();
    }
  });
});
