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
import { request } from 'undici';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { upload } from '../support/cloud-client.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const BODY_LIMIT = 64 * 1024;

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
