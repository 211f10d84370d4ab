/**
 * Outside checks of what a hostile upstream can make the gateway say: an upstream that quotes the
 * credential it was sent in an error event after the stream has started. Every route that streams
 * chat (OpenAI chat, API2.0, Responses, Messages) over an OpenAI-wire and an Anthropic-wire
 * provider must end the stream with an error that does not carry the key, and keep it out of
 * the log and the usage ledger too. And an upstream whose usage counts are impossible (below zero,
 * or 1e308 tokens): a key's balance is never raised by a request, nor emptied by one count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HostileUpstream, startHostileUpstream } from '../fakes/hostile-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';

let upstream: HostileUpstream;
let server: ServerProcess;

before(async () => {
  upstream = await startHostileUpstream();
  const config = [
    'providers:',
    '  hostile-claude:',
    '    type: anthropic',
    `    base_url: ${upstream.url}`,
    `    api_key: ${upstream.key}`,
    'models:',
    '  claude-3.5-sonnet:',
    '    paid: false',
    '    cost: { input: 3, output: 15 }',
    '    deployments:',
    '      - { provider: hostile-claude, model: claude-3-5-sonnet-latest }',
    ...openToPublicKey(['gpt-4o-mini']),
    '  text-embedding-3-small: { paid: false, cost: { input: 3, output: 0 } }',
    '',
  ].join('\n');
  server = await startServer({ env: { OPENAI_API_KEY: upstream.key, OPENAI_BASE_URL: upstream.url, OPENSQ_MAX_ATTEMPTS: '1', LOG_LEVEL: 'trace', OPENSQ_ADMIN_KEY: ADMIN_KEY }, config });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

type Route = (model: string, text: string) => [string, unknown];

const STREAMING_ROUTES: Record<string, Route> = {
  chat: (model, text) => ['/v1/chat/completions', { model, stream: true, messages: [{ role: 'user', content: text }] }],
  'API2.0': (model, text) => ['/ai/v2', { model, request: { stream: true, messages: [{ role: 'user', content: text }] } }],
  responses: (model, text) => ['/v1/responses', { model, stream: true, input: text }],
  messages: (model, text) => ['/v1/messages', { model, stream: true, max_tokens: 64, messages: [{ role: 'user', content: text }] }],
};

describe('an upstream quoting its key in an error event mid-stream', () => {
  for (const model of ['gpt-4o-mini', 'claude-3.5-sonnet']) {
    for (const [name, route] of Object.entries(STREAMING_ROUTES)) {
      it(`${name} over ${model}: the stream ends in an error without the key`, async () => {
        const [path, body] = route(model, 'hello #h-echo-key-midstream');
        const res = await http(`${server.url}${path}`, { json: body });
        assert.equal(res.status, 200, res.text.slice(0, 300));
        assert.match(res.text, /error/, `the stream did not end in an error: ${res.text.slice(-300)}`);
        assert.ok(!res.text.includes(upstream.key), `the stream quotes the provider key: ${res.text.slice(-300)}`);
        assert.match(res.text, /\[redacted\]/, 'the error keeps the rest of what the upstream said');
      });
    }
  }

  it("an error event's 5 MB message reaches the client bounded, as an error before the stream's first byte is", async () => {
    for (const [name, route] of Object.entries(STREAMING_ROUTES)) {
      const [path, body] = route('gpt-4o-mini', 'hello #h-huge-error-midstream');
      const res = await http(`${server.url}${path}`, { json: body });
      assert.equal(res.status, 200, `${name}: ${res.text.slice(0, 300)}`);
      assert.match(res.text, /zzzz/, `${name}: the upstream's message is quoted`);
      assert.ok(res.text.length < 64 * 1024, `${name}: the stream is ${res.text.length} characters long`);
    }
  });

  it('the key is in no log line, no usage row and no stored response', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const rows = await server.query('SELECT * FROM usage');
    assert.ok(rows.length >= 8, `expected a usage row per request, got ${rows.length}`);
    assert.ok(!JSON.stringify(rows).includes(upstream.key), 'the ledger quotes the provider key');
    const stored = await server.query('SELECT * FROM responses');
    assert.ok(stored.length >= 2, `expected the failed Responses streams stored, got ${stored.length}`);
    assert.ok(!JSON.stringify(stored).includes(upstream.key), 'a stored response quotes the provider key');
    assert.ok(!server.output().includes(upstream.key), 'the log quotes the provider key');
  });
});

const ROUTES: Record<string, Route> = {
  chat: (model, text) => ['/v1/chat/completions', { model, messages: [{ role: 'user', content: text }] }],
  responses: (model, text) => ['/v1/responses', { model, input: text }],
  messages: (model, text) => ['/v1/messages', { model, max_tokens: 64, messages: [{ role: 'user', content: text }] }],
};

describe('an upstream reporting impossible usage', () => {
  for (const mode of ['usage-negative', 'usage-huge']) {
    for (const model of ['gpt-4o-mini', 'claude-3.5-sonnet']) {
      it(`${mode} over ${model}: every route, streamed or not, costs the key a sane amount and records sane counts`, async () => {
        const initial = 10;
        const { id, key } = await createKey(server.url, { credits: initial });
        for (const [name, route] of Object.entries(ROUTES)) {
          for (const stream of [false, true]) {
            const [path, body] = route(model, `hello #h-${mode}`);
            const res = await http(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` }, json: { ...(body as object), stream } });
            assert.equal(res.status, 200, `${name} stream=${stream}: ${res.text.slice(0, 300)}`);
          }
        }
        const balance = (await admin(server.url, 'GET', `/keys/${id}`)).json.credits;
        assert.ok(balance <= initial, `the requests raised the balance from ${initial} to ${balance}`);
        assert.ok(balance > initial - 1, `six short answers cost ${initial - balance} credits`);
        if (model === 'gpt-4o-mini') {
          const res = await http(`${server.url}/v1/embeddings`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'text-embedding-3-small', input: `hello #h-${mode}` } });
          assert.equal(res.status, 200, `embeddings: ${res.text.slice(0, 300)}`);
        }
        const rows = await server.query(`SELECT prompt_tokens, completion_tokens, cost FROM usage WHERE key_id = '${id}'`);
        assert.equal(rows.length, model === 'gpt-4o-mini' ? 7 : 6);
        for (const row of rows) {
          for (const count of [row.prompt_tokens, row.completion_tokens]) assert.ok(Number.isSafeInteger(Number(count)) && Number(count) >= 0, `a usage row counts ${count} tokens`);
          assert.ok(Number(row.cost) >= 0 && Number(row.cost) < 1, `a usage row costs ${row.cost}`);
        }
      });
    }
  }
});

describe('answers and clients the gateway cannot take', () => {
  it(
    'a 200 answer nested 100,000 arrays deep is a 502, not a 500',
    async () => {
      for (const path of ['/v1/chat/completions', '/ai/v2']) {
        const body = path === '/ai/v2' ? { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'hi #h-deep-json' }] } } : { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi #h-deep-json' }] };
        const res = await http(`${server.url}${path}`, { json: body });
        assert.equal(res.status, 502, `${path}: ${res.text.slice(0, 200)}`);
        assert.equal(res.json?.error?.code, 'upstream_error', path);
      }
    },
  );

  it(
    'a client hanging up halfway through its body is not logged as a server failure',
    async () => {
      const { connect } = await import('node:net');
      const before = server.output().length;
      await new Promise<void>((resolve) => {
        const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => {
          socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":');
          setTimeout(() => socket.destroy(), 200);
        });
        socket.on('close', () => resolve());
      });
      await new Promise((r) => setTimeout(r, 300));
      const logged = server.output().slice(before);
      const errors = logged.split('\n').filter((line) => line.includes('"level":50') && line.includes('ECONNRESET'));
      assert.deepEqual(errors, [], "a client's hang-up was logged as an error");
    },
  );
});
