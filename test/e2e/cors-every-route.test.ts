/**
 * CORS on every answer a browser can get: each route family, streamed and not, refusals, errors,
 * 404s and preflights, with the origins setting both `*` and a list (which echoes an allowed
 * origin, says `Vary: origin`, and allows no other origin).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const ALLOWED = 'https://chat.example';
const OTHER = 'https://evil.example';

let upstream: FakeOpenAI;
let open: ServerProcess;
let listed: ServerProcess;
let brokenHead: ServerProcess;
/** A paid key of each server, by its URL: images and speech are not for the public key. */
const keys = new Map<string, string>();

const upstreamEnv = (url: string) => ({ OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: url, TOGETHER_API_KEY: FAKE_KEY, TOGETHER_BASE_URL: url, OPENSQ_ADMIN_KEY: ADMIN_KEY });

before(async () => {
  upstream = await startFakeOpenAI();
  [open, listed, brokenHead] = await Promise.all([
    startServer({ env: upstreamEnv(upstream.url) }),
    startServer({ env: { ...upstreamEnv(upstream.url), OPENSQ_CORS_ORIGINS: `https://other.example, ${ALLOWED}` } }),
    // A streamed answer that fails after Fastify let go of the response but before its head.
    startServer({ env: { ...upstreamEnv(upstream.url), OPENSQ_CORS_ORIGINS: ALLOWED, OPENSQ_FAILPOINTS: 'stream.head' } }),
  ]);
  for (const server of [open, listed, brokenHead]) keys.set(server.url, (await createKey(server.url, { name: 'browser' })).key);
});

after(async () => {
  await Promise.all([open?.stop(), listed?.stop(), brokenHead?.stop()]);
  await upstream?.close();
});

interface Case {
  name: string;
  method?: string;
  path: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  /** The answer is an event stream. */
  sse?: boolean;
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });
const claude = (stream: boolean) => ({ model: 'gpt-4o-mini', max_tokens: 50, stream, messages: [{ role: 'user', content: 'hi' }] });

const CASES: Case[] = [
  { name: 'chat', path: '/v1/chat/completions', json: chat('hi'), status: 200 },
  { name: 'chat, streamed', path: '/ai/openai/chat/completions', json: chat('hi', { stream: true }), status: 200, sse: true },
  { name: 'chat, upstream failed', path: '/v1/chat/completions', json: chat('#bad-request'), status: 400 },
  { name: 'chat, streamed, upstream failed before the head', path: '/v1/chat/completions', json: chat('#bad-request', { stream: true }), status: 400 },
  { name: 'chat, unknown model', path: '/v1/chat/completions', json: { model: 'nope', messages: [{ role: 'user', content: 'x' }] }, status: 404 },
  { name: 'chat, malformed JSON', path: '/v1/chat/completions', body: '{"model":', headers: { 'content-type': 'application/json' }, status: 400 },
  { name: 'chat, a wrong key', path: '/v1/chat/completions', json: chat('hi'), headers: { authorization: 'Bearer sk-nosuchkey' }, status: 401 },
  { name: 'API2.0', path: '/ai/v2', json: { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'hi' }] } }, status: 200 },
  { name: 'legacy completions', path: '/v1/completions', json: { model: 'gpt-4o-mini', prompt: 'hi' }, status: 200 },
  { name: 'Responses', path: '/v1/responses', json: { model: 'gpt-4o-mini', input: 'hi', store: false }, status: 200 },
  { name: 'Responses, streamed', path: '/v1/responses', json: { model: 'gpt-4o-mini', input: 'hi', store: false, stream: true }, status: 200, sse: true },
  { name: 'Anthropic messages', path: '/v1/messages', json: claude(false), status: 200 },
  { name: 'Anthropic messages, streamed', path: '/v1/messages', json: claude(true), status: 200, sse: true },
  { name: 'Anthropic messages, refused', path: '/v1/messages', json: { model: 'gpt-4o-mini' }, status: 400 },
  { name: 'embeddings', path: '/v1/embeddings', json: { model: 'text-embedding-3-small', input: 'hi' }, status: 200 },
  { name: 'images', path: '/v1/images/generations', json: { model: 'dall-e-3', prompt: 'a harbour', response_format: 'b64_json' }, status: 200 },
  { name: 'speech', path: '/v1/audio/speech', json: { model: 'tts-1', voice: 'alloy', input: 'Hello there.' }, status: 200 },
  { name: 'OnlySq TTS', path: '/ai/tts', json: { model: 'tts-1', text: 'Hello.', lang: 'en' }, status: 200 },
  { name: 'ImaGen', path: '/ai/imagen', json: { model: 'flux', prompt: 'a lighthouse' }, status: 200 },
  { name: 'models', method: 'GET', path: '/v1/models', status: 200 },
  { name: 'catalog', method: 'GET', path: '/ai/models', status: 200 },
  { name: 'health', method: 'GET', path: '/health', status: 200 },
  { name: 'cloud, an unknown file', method: 'GET', path: `/cloud/file/${'0'.repeat(32)}`, status: 404 },
  { name: 'an unknown route', method: 'GET', path: '/v1/nothing-here', status: 404 },
];

async function send(server: ServerProcess, c: Case, origin: string) {
  const headers = { origin, authorization: `Bearer ${keys.get(server.url)}`, ...c.headers };
  return http(`${server.url}${c.path}`, c.json === undefined ? { method: c.method ?? 'POST', body: c.body, headers } : { json: c.json, headers });
}

function checkFamily(c: Case, res: { status: number; headers: Record<string, unknown>; text: string }): void {
  assert.equal(res.status, c.status, `${c.name}: ${res.text.slice(0, 300)}`);
  if (c.sse) assert.match(String(res.headers['content-type']), /text\/event-stream/, c.name);
}

describe('CORS with every origin allowed', () => {
  for (const c of CASES) {
    it(`${c.name}: allows any origin and exposes the gateway's headers`, async () => {
      const res = await send(open, c, OTHER);
      checkFamily(c, res);
      assert.equal(res.headers['access-control-allow-origin'], '*', c.name);
      assert.match(String(res.headers['access-control-expose-headers']), /x-request-id.*x-opensq-deployment/, c.name);
      assert.equal(res.headers.vary, undefined, `${c.name}: nothing varies by origin`);
    });
  }
  it('a preflight is answered without a key', async () => {
    const res = await http(`${open.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: OTHER, 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.match(String(res.headers['access-control-allow-methods']), /POST/);
  });
});

describe('CORS with a list of origins', () => {
  for (const c of CASES) {
    it(`${c.name}: echoes an allowed origin with Vary, and allows no other`, async () => {
      const allowed = await send(listed, c, ALLOWED);
      checkFamily(c, allowed);
      assert.equal(allowed.headers['access-control-allow-origin'], ALLOWED, c.name);
      assert.match(String(allowed.headers['access-control-expose-headers']), /x-opensq-attempts/, c.name);
      assert.match(String(allowed.headers.vary), /origin/i, c.name);
      const other = await send(listed, c, OTHER);
      checkFamily(c, other);
      assert.equal(other.headers['access-control-allow-origin'], undefined, c.name);
      assert.equal(other.headers['access-control-expose-headers'], undefined, c.name);
    });
  }
  it('a preflight from an allowed origin is allowed, from another is not', async () => {
    const ok = await http(`${listed.url}/v1/messages`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers['access-control-allow-origin'], ALLOWED);
    assert.match(String(ok.headers.vary), /origin/i);
    const other = await http(`${listed.url}/v1/messages`, { method: 'OPTIONS', headers: { origin: OTHER, 'access-control-request-method': 'POST' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
  it('a streamed answer that fails before its head still carries the headers', async () => {
    const res = await http(`${brokenHead.url}/v1/chat/completions`, { json: chat('hi', { stream: true }), headers: { origin: ALLOWED } });
    assert.equal(res.status, 500);
    assert.equal(res.json.error.type, 'server_error');
    assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
    assert.match(String(res.headers.vary), /origin/i);
  });
});
