/**
 * Every answer can be traced (issue 13): each response, errors and refusals included, carries
 * `x-request-id` (which the OpenAI SDK reads into `error.requestID`); a chat completion's `id`,
 * body and every chunk, is that request id for OpenAI-wire models too, the upstream's id kept on
 * the usage row, and `/admin/requests/{id}` finds the row by either; a client that cancels is
 * `client_closed_request` (499), not an upstream timeout; and an empty body with a JSON content
 * type is no body on every route that takes none.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { request } from 'undici';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { rawRequest, upload } from '../support/cloud-client.js';
import { http, sseDataLines } from '../support/http.js';
import { cancelledChat } from '../support/cancelled-chat.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const BODY_LIMIT = 64 * 1024;
const REQUEST_ID = /^[a-z]+-[0-9a-f]{32}$/;

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({
    env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_BODY_LIMIT: String(BODY_LIMIT), OPENSQ_CLOUD_UPLOADS_PER_MINUTE: '1000' },
  });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return http(`${server.url}/v1/chat/completions`, { headers: { authorization: 'Bearer openai', ...headers }, json: { model: 'gpt-4o-mini', ...body } });
}

function say(text: string, extra: Record<string, unknown> = {}) {
  return chat({ messages: [{ role: 'user', content: text }], ...extra });
}

async function row(requestId: string): Promise<Record<string, any> | undefined> {
  return (await server.query(`SELECT * FROM usage WHERE request_id = '${requestId}'`))[0];
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('every answer carries x-request-id', () => {
  it('refusals before any upstream: 400, 401, 404 (route and model), 413, 429, admin and Cloud, each a fresh id', async () => {
    const { key } = await createKey(server.url, { rpm: 1 });
    await http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
    const uploaded = await upload(server.url, 'trace.txt', Buffer.from('trace'), 'text/plain');
    const answers: Array<[string, number, Awaited<ReturnType<typeof http>>]> = [
      ['invalid json', 400, await http(`${server.url}/v1/chat/completions`, { headers: { authorization: 'Bearer openai', 'content-type': 'application/json' }, body: '{"model":' })],
      ['bad key', 401, await http(`${server.url}/v1/chat/completions`, { headers: { authorization: 'Bearer sk-wrong' }, json: { model: 'gpt-4o-mini', messages: [] } })],
      ['unknown route', 404, await http(`${server.url}/v1/nothing-here`)],
      ['malformed percent-escape', 400, await http(`${server.url}/admin/keys/%E0%A4%A`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })],
      ['unknown model', 404, await chat({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })],
      ['too large', 413, await http(`${server.url}/v1/chat/completions`, { headers: { authorization: 'Bearer openai', 'content-type': 'application/json' }, body: `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${'x'.repeat(BODY_LIMIT)}"}]}` })],
      ['gateway limit', 429, await http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } })],
      ['admin without key', 401, await http(`${server.url}/admin/keys`)],
      ['admin ok', 200, await admin(server.url, 'GET', '/keys')],
      ['admin unknown request', 404, await admin(server.url, 'GET', '/requests/chatcmpl-none')],
      ['cloud wrong owner', 403, await http(`${server.url}/cloud/delete/${uploaded.json.url.split('/').at(-1)}`, { headers: { authorization: 'not-the-owner' } })],
      ['cloud unknown route', 404, await http(`${server.url}/cloud/nothing`)],
      ['health', 200, await http(`${server.url}/health`)],
    ];
    const ids = new Set<string>();
    for (const [what, status, res] of answers) {
      assert.equal(res.status, status, `${what}: ${res.text.slice(0, 200)}`);
      const id = String(res.headers['x-request-id']);
      assert.match(id, REQUEST_ID, `${what} carries a request id`);
      ids.add(id);
    }
    assert.equal(ids.size, answers.length, 'one id per request');
  });

  it("answers of Node's HTTP parser, before there is a request, carry one too", async () => {
    const overflow = await rawRequest(server.url, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const garbage = await rawRequest(server.url, 'NOT HTTP AT ALL\r\n\r\n');
    for (const [status, answer] of [[431, overflow], [400, garbage]] as const) {
      assert.equal(answer.status, status);
      assert.match(answer.head, /\r\nX-Request-Id: req-[0-9a-f]{32}\r\n/i);
    }
  });

  it('chat errors after routing name the provider and the attempts, and the id is the usage row', async () => {
    for (const [marker, status, stream] of [['#fail-500', 502, false], ['#bad-request', 400, false], ['#fail-503', 502, true]] as const) {
      const res = await say(`trace ${marker}`, { stream });
      assert.equal(res.status, status, res.text);
      const id = String(res.headers['x-request-id']);
      assert.match(id, /^chatcmpl-/);
      assert.equal(res.headers['x-opensq-provider'], 'openai');
      assert.match(String(res.headers['x-opensq-attempts']), /^[1-9]$/);
      const logged = await row(id);
      assert.ok(logged, `${marker}: the header's id is the usage row's`);
      assert.equal(Number(logged.http_status), status);
    }
  });
});

describe('the OpenAI SDK reads the request id of every error', () => {
  it('sets error.requestID on 400, 401, 404, 429 and 502', async () => {
    const { key } = await createKey(server.url, { rpm: 1 });
    const client = (apiKey: string) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
    const ask = (c: OpenAI, content: string, model = 'gpt-4o-mini') => c.chat.completions.create({ model, messages: [{ role: 'user', content }] });
    await ask(client(key), 'spend the one request');
    const cases: Array<[number, () => Promise<unknown>]> = [
      [400, () => client('openai').chat.completions.create({ model: 'gpt-4o-mini', messages: 'not a list' as never })],
      [401, () => ask(client('sk-wrong'), 'hi')],
      [404, () => ask(client('openai'), 'hi', 'no-such-model')],
      [429, () => ask(client(key), 'hi')],
      [502, () => ask(client('openai'), 'sdk #fail-500')],
    ];
    for (const [status, call] of cases) {
      const error = await call().then(
        () => assert.fail(`${status}: expected an error`),
        (e: unknown) => e,
      );
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, status);
      assert.match(String(error.requestID), REQUEST_ID, `${status}: error.requestID is set`);
    }
  });
});

describe("a completion's id is its request id, for OpenAI-wire models too", () => {
  it('non-streamed: the body id is x-request-id and finds its row, as does the upstream id', async () => {
    const completion = await new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'openai', maxRetries: 0 }).chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'whose id' }] })
      .withResponse();
    assert.equal(completion.data.id, completion.response.headers.get('x-request-id'));
    assert.notEqual(completion.data.id, 'chatcmpl-fake123', "not the upstream's id");
    const detail = await admin(server.url, 'GET', `/requests/${completion.data.id}`);
    assert.equal(detail.status, 200, detail.text);
    assert.equal(detail.json.request_id, completion.data.id);
    assert.equal(detail.json.upstream_id, 'chatcmpl-fake123', "the upstream's id is kept");
    const byUpstream = await admin(server.url, 'GET', '/requests/chatcmpl-fake123');
    assert.equal(byUpstream.status, 200, byUpstream.text);
    assert.equal(byUpstream.json.upstream_id, 'chatcmpl-fake123');
  });

  it('streamed: every chunk, usage chunk included, has the request id; the row keeps the upstream id', async () => {
    const res = await say('stream my id please', { stream: true, stream_options: { include_usage: true } });
    assert.equal(res.status, 200);
    const id = String(res.headers['x-request-id']);
    const chunks = sseDataLines(res.text).filter((l) => l !== '[DONE]').map((l) => JSON.parse(l));
    assert.ok(chunks.length > 3);
    for (const chunk of chunks) assert.equal(chunk.id, id);
    assert.ok(chunks.at(-1).usage, 'the usage chunk came too');
    const logged = await row(id);
    assert.equal(logged?.upstream_id, 'chatcmpl-fake123');
    const detail = await admin(server.url, 'GET', `/requests/${id}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.json.upstream_id, 'chatcmpl-fake123');
  });

  it('a tool call delta keeps its own id', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    const res = await say('weather?', { stream: true, tools });
    const chunks = sseDataLines(res.text).filter((l) => l !== '[DONE]').map((l) => JSON.parse(l));
    const call = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []).find((c: { id?: string }) => c.id);
    assert.ok(call, res.text);
    assert.notEqual(call.id, res.headers['x-request-id']);
    assert.ok(chunks.every((c) => c.id === res.headers['x-request-id']));
  });
});

describe('a client that cancels is client_closed_request (499)', () => {
  for (const [what, body] of [
    ['waiting for the upstream', { messages: [{ role: 'user', content: 'cancel me #hang' }] }],
    ['mid-stream', { stream: true, messages: [{ role: 'user', content: 'cancel me while streaming #stall' }] }],
    ['a slow stream', { stream: true, messages: [{ role: 'user', content: 'cancel me while streaming slowly, word by word, #slow' }] }],
  ] as const) {
    it(`never upstream_timeout: ${what}`, async () => {
      const before = (await server.query("SELECT max(id) AS id FROM usage"))[0].id ?? 0;
      await cancelledChat(server.url, body, 300);
      const logged = await waitFor(async () => (await server.query(`SELECT * FROM usage WHERE id > ${Number(before)} AND status = 'cancelled'`))[0]);
      assert.equal(logged.error_code, 'client_closed_request');
      assert.equal(Number(logged.http_status), 499);
    });
  }
});

describe('an empty body with a JSON content type is no body', () => {
  /** The routes that take no body, with fresh things to delete. */
  async function bodilessRoutes(): Promise<Array<[string, string, Record<string, string>]>> {
    const { id } = await createKey(server.url, { name: 'to revoke' });
    const user = (await admin(server.url, 'POST', '/users', { name: 'someone' })).json.id;
    const openapi = (await http(`${server.url}/admin/openapi.json`)).json as { paths: Record<string, Record<string, unknown>> };
    const routes: Array<[string, string, Record<string, string>]> = [];
    const bearer = { authorization: `Bearer ${ADMIN_KEY}` };
    for (const [path, operations] of Object.entries(openapi.paths)) {
      for (const method of Object.keys(operations)) {
        if (method !== 'get' && method !== 'delete') continue;
        const concrete = path.replace('{id}', path.startsWith('/admin/users') ? String(user) : path.startsWith('/admin/requests') ? '1' : id);
        routes.push([method.toUpperCase(), concrete, bearer]);
      }
    }
    assert.ok(routes.some(([m, p]) => m === 'DELETE' && p === `/admin/keys/${id}`), 'the admin DELETE is walked');
    routes.push(['GET', '/admin/openapi.json', {}], ['GET', '/health', {}], ['GET', '/v1/models', { authorization: 'Bearer openai' }], ['GET', '/v1/models/gpt-4o-mini', { authorization: 'Bearer openai' }], ['GET', '/ai/models', {}]);
    const uploaded = await upload(server.url, 'empty.txt', Buffer.from('x'), 'text/plain');
    const filePath = new URL(uploaded.json.url).pathname;
    routes.push(['GET', filePath, {}], ['DELETE', filePath, { authorization: uploaded.json.owner }]);
    return routes;
  }

  for (const [framing, extra] of [['content-length: 0', { 'content-length': '0' }], ['chunked, no chunks', {}], ['no framing at all', { 'content-length': undefined }]] as const) {
    it(`on every route that takes no body (admin GETs and DELETEs, public GETs, Cloud): ${framing}`, async () => {
      await chat({ messages: [{ role: 'user', content: 'a row to look up' }] });
      for (const [method, path, headers] of await bodilessRoutes()) {
        const res = await request(`${server.url}${path}`, {
          method: method as 'GET',
          headers: { 'content-type': 'application/json', ...headers, ...extra },
          body: !('content-length' in extra) ? Readable.from([]) : extra['content-length'] === '0' ? '' : undefined,
        });
        const text = await res.body.text();
        assert.ok(res.statusCode < 300, `${method} ${path} with ${framing}: ${res.statusCode} ${text.slice(0, 200)}`);
      }
    });
  }
});
