/**
 * Keys stay secret: only hashes are stored, the full key appears once (at creation) and never in
 * logs, even at the most verbose level and on failures; unknown, revoked and expired keys are 401s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'trace' } });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const chat = (key: string, content: string) =>
  http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] } });

describe('key secrecy', () => {
  it('a key never reaches the logs or the database, whatever happens to its requests', async () => {
    const { id, key } = await createKey(server.url, { name: 'secret keeper', rpm: 2 });
    assert.equal((await chat(key, 'fine')).status, 200);
    assert.equal((await chat(key, '#fail-500')).status, 502);
    assert.equal((await chat(key, 'over the limit')).status, 429);
    await admin(server.url, 'DELETE', `/keys/${id}`);
    const revoked = await chat(key, 'revoked');
    assert.equal(revoked.status, 401);
    assert.ok(!revoked.text.includes(key), 'the 401 shows a masked key');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!server.output().includes(key), 'the key is in the log');
    assert.ok(!server.output().includes(ADMIN_KEY), 'the admin key is in the log');

    const rows = await server.query('SELECT * FROM api_keys');
    const dump = JSON.stringify(rows) + JSON.stringify(await server.query('SELECT * FROM usage'));
    assert.ok(!dump.includes(key), 'the key is stored');
    assert.ok(rows.every((row) => /^[0-9a-f]{64}$/.test(row.key_hash)), 'only SHA-256 hashes are stored');
  });

  it('unknown keys are 401 on every route, keyless requests are the public key', async () => {
    for (const [method, path] of [['GET', '/ai/models'], ['GET', '/v1/models'], ['POST', '/v1/chat/completions'], ['POST', '/ai/v2'], ['POST', '/v1/embeddings']]) {
      const res = await http(`${server.url}${path}`, { method, headers: { authorization: 'Bearer sq-not-a-key-we-issued' }, ...(method === 'POST' && { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], input: 'x' } }) });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(res.json.error.code, 'invalid_api_key');
    }
    assert.equal((await http(`${server.url}/ai/models`)).status, 200);
  });
});
