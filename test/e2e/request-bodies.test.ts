/**
 * Request bodies kept for replay: every JSON endpoint's body comes back from
 * `GET /admin/requests/{request_id}` exactly as the client sent it (the stored text byte for byte),
 * never with the client's key; a body over the cap, bodies switched off and bodies past their
 * retention are omitted with the reason; the scheduled prune removes old ones.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { createTestBackend } from '../support/test-backend.js';

const DAY = 86_400_000;
const MAX_BYTES = 4096;

let upstream: FakeOpenAI;
let server: ServerProcess;
let userKey = '';

const upstreamEnv = (url: string) => ({ OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: url, TOGETHER_API_KEY: FAKE_KEY, TOGETHER_BASE_URL: url, OPENSQ_ADMIN_KEY: ADMIN_KEY });

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ env: { ...upstreamEnv(upstream.url), OPENSQ_LOG_REQUEST_BODY_MAX_BYTES: String(MAX_BYTES), OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '0' } });
  userKey = (await createKey(server.url, { name: 'replay' })).key;
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

/** POSTs exactly `text` with the user's key; the answer and its request id. */
async function post(base: string, route: string, text: string): Promise<{ status: number; requestId: string; body: string }> {
  const res = await http(`${base}${route}`, { method: 'POST', headers: { authorization: `Bearer ${userKey}`, 'content-type': 'application/json' }, body: text });
  return { status: res.status, requestId: String(res.headers['x-request-id'] ?? ''), body: res.text };
}

describe('request bodies', () => {
  it('gives a chat request its body back by x-request-id, the stored text byte for byte, without the key', async () => {
    // Odd spacing, key order and unicode: what is kept is the text as sent, not a re-serialisation.
    const text = `{ "model":"gpt-4o-mini",
  "messages": [ {"role":"system","content":"You are a pirate — ☠ answer in rhyme"}, {"role":"user","content":"first"}, {"role":"assistant","content":"one"}, {"role":"user","content":"again"} ],
  "temperature": 0.35, "max_tokens": 77, "top_p": 0.9,
  "response_format": {"type":"json_object"}, "tools": [{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}] }`;
    const res = await post(server.url, '/v1/chat/completions', text);
    assert.equal(res.status, 200, res.body);
    assert.match(res.requestId, /^chatcmpl-/);
    const detail = await admin(server.url, 'GET', `/requests/${res.requestId}`);
    assert.equal(detail.status, 200, detail.text);
    assert.deepEqual(detail.json.request_body, JSON.parse(text));
    assert.equal(detail.json.request_body_omitted, null);
    assert.equal(detail.json.request_id, res.requestId);
    assert.equal(detail.json.model, 'gpt-4o-mini');
    // The same row by its numeric id.
    const byId = await admin(server.url, 'GET', `/requests/${detail.json.id}`);
    assert.deepEqual(byId.json, detail.json);

    const stored = await server.query(`SELECT body FROM request_bodies WHERE request_id = '${res.requestId}'`);
    assert.equal(stored[0].body, text);
    const everything = JSON.stringify(await server.query('SELECT * FROM request_bodies'));
    assert.ok(!everything.includes(userKey), 'no stored body holds the key');
    assert.ok(!everything.includes(userKey.slice(3, 15)), 'not even part of it');
    assert.ok(!detail.text.includes(userKey));
  });

  it('keeps the bodies of streamed chat, API2.0, embeddings, ImaGen, images and speech', async () => {
    const bodies: Array<[string, unknown]> = [
      ['/ai/openai/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'streamed' }] }],
      ['/ai/v2', { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'v2 here' }], temperature: 0.2 }, meta: { client: 'bot' } }],
      ['/v1/embeddings', { model: 'text-embedding-3-small', input: ['one', 'two'] }],
      ['/ai/imagen', { model: 'flux', prompt: 'a lighthouse', ratio: '16:9' }],
      ['/v1/images/generations', { model: 'dall-e-3', prompt: 'a harbour', response_format: 'b64_json' }],
      ['/v1/audio/speech', { model: 'tts-1', voice: 'alloy', input: 'Hello there.' }],
      ['/ai/tts', { model: 'tts-1', text: 'Hello again.', lang: 'en' }],
    ];
    for (const [route, json] of bodies) {
      const res = await post(server.url, route, JSON.stringify(json));
      assert.equal(res.status, 200, `${route}: ${res.body.slice(0, 300)}`);
      assert.ok(res.requestId, `${route} answers its x-request-id`);
      const detail = await admin(server.url, 'GET', `/requests/${res.requestId}`);
      assert.equal(detail.status, 200, `${route}: ${detail.text}`);
      assert.deepEqual(detail.json.request_body, json, route);
    }
  });

  it('omits a body over the cap and says so, while the request itself is served', async () => {
    const text = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'é'.repeat(MAX_BYTES / 2) }] });
    assert.ok(text.length < MAX_BYTES && Buffer.byteLength(text) > MAX_BYTES, 'over the cap in bytes, not in characters');
    const res = await post(server.url, '/v1/chat/completions', text);
    assert.equal(res.status, 200, res.body);
    const detail = await admin(server.url, 'GET', `/requests/${res.requestId}`);
    assert.equal(detail.json.request_body, null);
    assert.equal(detail.json.request_body_omitted, 'too_large');
    const stored = await server.query(`SELECT body FROM request_bodies WHERE request_id = '${res.requestId}'`);
    assert.deepEqual(stored, [{ body: null }], 'only the fact that it was too large is kept');
  });

  it('answers 404 in the OpenAI shape for an unknown request id', async () => {
    const res = await admin(server.url, 'GET', '/requests/chatcmpl-nosuchrequest');
    assert.equal(res.status, 404);
    assert.equal(res.json.error.code, 'not_found');
    assert.equal(res.json.error.param, 'id');
  });

  it('stores no body with OPENSQ_LOG_REQUEST_BODIES=false, and the row says bodies are disabled', async () => {
    const off = await startServer({ env: { ...upstreamEnv(upstream.url), OPENSQ_LOG_REQUEST_BODIES: 'false' } });
    try {
      const key = await createKey(off.url, { name: 'off' });
      const res = await http(`${off.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key.key}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'not kept' }] } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(await off.query('SELECT * FROM request_bodies'), []);
      const detail = await admin(off.url, 'GET', `/requests/${String(res.headers['x-request-id'])}`);
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.json.request_body, null);
      assert.equal(detail.json.request_body_omitted, 'disabled');
    } finally {
      await off.stop();
    }
  });

  it('prunes bodies past OPENSQ_REQUEST_BODY_RETENTION_DAYS on the ledger schedule; their rows say expired', async () => {
    const backend = await createTestBackend();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opensq-bodies-'));
    const env = { ...upstreamEnv(upstream.url), ...backend.env, OPENSQ_REQUEST_BODY_RETENTION_DAYS: '3', OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '0' };
    try {
      const first = await startServer({ env, dataDir });
      const fresh = await http(`${first.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fresh' }] } });
      assert.equal(fresh.status, 200, fresh.text);
      const old = Date.now() - 5 * DAY;
      await first.query(
        `INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream) VALUES (${old}, 'chatcmpl-old', 'key_public', 0, 'chat.completions', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 1, 1, 0, 0, 10, NULL, 'ok', 200, NULL, 0)`,
      );
      await first.query(`INSERT INTO request_bodies (request_id, ts, body) VALUES ('chatcmpl-old', ${old}, '{"model":"gpt-4o-mini","messages":[]}')`);
      assert.equal((await admin(first.url, 'GET', '/requests/chatcmpl-old')).json.request_body_omitted, null, 'kept until pruned');
      await first.stop();

      const second = await startServer({ env: { ...env, OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '3600000' }, dataDir });
      try {
        const deadline = Date.now() + 10_000;
        let kept: Array<Record<string, any>> = [];
        while (Date.now() < deadline && (kept = await second.query('SELECT request_id FROM request_bodies')).length !== 1) await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(kept.map((r) => r.request_id), [String(fresh.headers['x-request-id'])], 'the old body is pruned, the fresh one stays');
        const detail = await admin(second.url, 'GET', '/requests/chatcmpl-old');
        assert.equal(detail.status, 200, detail.text);
        assert.equal(detail.json.request_body, null);
        assert.equal(detail.json.request_body_omitted, 'expired');
      } finally {
        await second.stop();
      }
    } finally {
      await backend.drop();
    }
  });
});
