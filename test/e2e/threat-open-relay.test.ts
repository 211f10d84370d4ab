/**
 * Threat: an open relay by default. The server listens on every interface, serves the public key
 * `openai` to anyone, had every catalog model at tier 0 and unpaid (o1, o3, GPT-5, gpt-image-1,
 * DALL·E 3 included) and no anonymous limits beyond 20 requests a minute per model. Now the dear
 * models refuse the public key unless the operator opens them, the anonymous tier has limits of
 * its own, and a server that strangers can reach says so at start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

/** The anonymous tier as shipped: the harness switches its limits off for functional suites. */
const DEFAULT_ANONYMOUS = { OPENSQ_ANONYMOUS_RPM: '', OPENSQ_ANONYMOUS_TPM: '', OPENSQ_ANONYMOUS_RPD: '', OPENSQ_ANONYMOUS_CONCURRENCY: '' };

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, ...DEFAULT_ANONYMOUS } });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const chat = (key: string | undefined, model: string, content = 'hi', stream = false) =>
  http(`${server.url}/v1/chat/completions`, { headers: key ? { authorization: `Bearer ${key}` } : {}, json: { model, stream, messages: [{ role: 'user', content }] } });

describe('safe defaults', () => {
  it('dear models are paid in the catalog and refuse the public key; a key of the operator reaches them', async () => {
    const catalog = (await http(`${server.url}/ai/models`)).json.models;
    for (const id of ['o1', 'o3', 'gpt-5', 'gpt-4o', 'claude-3.5-sonnet', 'gpt-image-1', 'dall-e-3', 'flux-pro-1.1', 'tts-1']) assert.equal(catalog[id].paid, true, id);
    for (const id of ['gpt-4o-mini', 'gemini-2.0-flash', 'gemini-2.5-flash', 'deepseek-v3', 'flux', 'gtts', 'espeak']) assert.equal(catalog[id].paid, false, id);
    for (const key of ['openai', undefined]) {
      const refused = await chat(key, 'o1');
      assert.equal(refused.status, 403);
      assert.equal(refused.json.error.code, 'model_not_allowed');
    }
    const image = await http(`${server.url}/v1/images/generations`, { headers: { authorization: 'Bearer openai' }, json: { model: 'dall-e-3', prompt: 'a cat' } });
    assert.equal(image.status, 403);
    assert.equal((await chat('openai', 'gpt-4o-mini')).status, 200, 'the cheap ones stay open, as the seed examples need');
    const { key } = await createKey(server.url, {});
    assert.equal((await chat('openai', 'gpt-4o')).status, 403);
    assert.equal((await chat(key, 'gpt-4o')).status, 200);
  });

  it('the anonymous tier has limits of its own: at most 8 requests at once, 60 a minute', async () => {
    const slow = await Promise.all(Array.from({ length: 10 }, () => chat('openai', 'gpt-4o-mini', 'take your time #slow', true)));
    const statuses = slow.map((res) => res.status).sort();
    assert.equal(statuses.filter((s) => s === 200).length, 8, statuses.join(','));
    assert.ok(slow.filter((res) => res.status === 429).every((res) => /concurrent/.test(res.json.error.message)));
    let limited: Awaited<ReturnType<typeof chat>> | undefined;
    for (let i = 0; i < 70 && !limited; i++) {
      const res = await chat(undefined, 'gpt-4o-mini');
      if (res.status === 429) limited = res;
    }
    assert.ok(limited, 'a 429 within 70 requests');
    assert.match(limited.json.error.message, /requests per minute/);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
  });

  it("a stranger's refused requests leave no usage rows", async () => {
    const before = await server.query("SELECT COUNT(*) AS n FROM usage WHERE key_id = 'key_public' AND http_status IN (403, 429)");
    const statuses = new Set<number>();
    for (let i = 0; i < 80; i++) statuses.add((await chat('openai', i % 4 === 0 ? 'o1' : 'gpt-4o-mini')).status);
    assert.ok(statuses.has(403) && statuses.has(429), [...statuses].join(','));
    const after = await server.query("SELECT COUNT(*) AS n FROM usage WHERE key_id = 'key_public' AND http_status IN (403, 429)");
    assert.equal(after[0].n, before[0].n);
    assert.equal(after[0].n, 0);
  });

  it('a server strangers can reach says so at start, naming the way out', async () => {
    const open = await startServer({ env: { HOST: '0.0.0.0', ...DEFAULT_ANONYMOUS } });
    try {
      assert.match(open.output(), /WARNING: anonymous access is on .* listens on 0\.0\.0\.0/);
      assert.match(open.output(), /60 requests a minute, 2000 requests a day and 8 requests at once/);
      assert.match(open.output(), /OPENSQ_ANONYMOUS=off/);
    } finally {
      await open.stop();
    }
    const closed = await startServer({ env: { HOST: '0.0.0.0', OPENSQ_ANONYMOUS: 'off' } });
    try {
      assert.doesNotMatch(closed.output(), /WARNING: anonymous access/);
    } finally {
      await closed.stop();
    }
    assert.doesNotMatch(server.output(), /WARNING: anonymous access/, 'a loopback server does not warn');
  });
});
