/**
 * Bad input, bad keys and misbehaving upstreams, as clients see them: the OpenAI error shape and
 * honest status codes on every route, and the client habits DESIGN §1 lists.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http, sseDataLines } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({
    env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, FAKE_UPSTREAM_KEY: FAKE_KEY },
    config: [
      'providers:',
      '  wrongkey:',
      '    type: openai-compatible',
      `    base_url: ${upstream.url}`,
      '    api_key: sk-wrong',
      'models:',
      '  bad-upstream-key:',
      '    deployments: [ { provider: wrongkey, model: gpt-4o-mini } ]',
      '',
    ].join('\n'),
  });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

function assertOpenAIError(res: { status: number; json: any; headers: Record<string, unknown> }, status: number, code?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.match(String(res.headers['content-type']), /application\/json/);
  assert.equal(typeof res.json?.error?.message, 'string');
  assert.equal(typeof res.json.error.type, 'string');
  assert.ok('param' in res.json.error && 'code' in res.json.error);
  if (code) assert.equal(res.json.error.code, code);
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });
const POST_ROUTES = ['/ai/openai/chat/completions', '/v1/chat/completions', '/ai/v2'];

describe('bad input', () => {
  for (const route of POST_ROUTES) {
    it(`${route}: malformed JSON is a 400`, async () => {
      assertOpenAIError(await http(`${server.url}${route}`, { body: '{"model": "gpt-4o-mini", "messages": [', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
    });
    it(`${route}: an empty body is a 400`, async () => {
      assertOpenAIError(await http(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' } }), 400);
    });
    it(`${route}: a JSON array body is a 400`, async () => {
      assertOpenAIError(await http(`${server.url}${route}`, { json: [1, 2] }), 400);
    });
    it(`${route}: a model of the wrong type names the parameter`, async () => {
      const res = await http(`${server.url}${route}`, { json: { model: 42, messages: [{ role: 'user', content: 'x' }] } });
      assertOpenAIError(res, 400);
      assert.equal(res.json.error.param, 'model');
    });
    it(`${route}: an unknown model is a 404 model_not_found`, async () => {
      assertOpenAIError(await http(`${server.url}${route}`, { json: { model: 'gpt-9-ultra', messages: [{ role: 'user', content: 'x' }] } }), 404, 'model_not_found');
    });
    it(`${route}: a body over 16 MiB is a 413`, async () => {
      const big = JSON.stringify(chat('x'.repeat(17 * 1024 * 1024)));
      assertOpenAIError(await http(`${server.url}${route}`, { body: big, headers: { 'content-type': 'application/json' } }), 413, 'request_too_large');
    });
  }

  it('messages missing is a 400 naming messages', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini' } });
    assertOpenAIError(res, 400);
    assert.equal(res.json.error.param, 'messages');
  });

  it('a wrong type deep inside a message names its path', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 5 }] } });
    assertOpenAIError(res, 400);
    assert.equal(res.json.error.param, 'messages[1].content');
  });

  it('temperature as a string is a 400, not a 500', async () => {
    assertOpenAIError(await http(`${server.url}/v1/chat/completions`, { json: chat('x', { temperature: 'hot' }) }), 400);
  });

  it('a model whose provider is not configured is a 503 naming the variable to set', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: { model: 'deepseek-v3', messages: [{ role: 'user', content: 'x' }] } });
    assertOpenAIError(res, 503, 'provider_not_configured');
    assert.match(res.json.error.message, /DEEPSEEK_API_KEY/);
  });

  it('an embedding model on the chat route is a 400', async () => {
    assertOpenAIError(await http(`${server.url}/v1/chat/completions`, { json: { model: 'text-embedding-3-small', messages: [{ role: 'user', content: 'x' }] } }), 400);
  });

  it('unknown routes are a 404 in the OpenAI shape', async () => {
    assertOpenAIError(await http(`${server.url}/v1/nothing-here`), 404, 'not_found');
    assertOpenAIError(await http(`${server.url}/ai/v3`, { json: {} }), 404, 'not_found');
  });
});

describe('keys and client habits', () => {
  const GET_ROUTES = ['/ai/models', '/ai/openai/models', '/v1/models'];
  for (const route of [...GET_ROUTES]) {
    it(`${route}: an unknown key is a 401; no key is served anonymously`, async () => {
      assertOpenAIError(await http(`${server.url}${route}`, { headers: { Authorization: 'Bearer sq-unknown' } }), 401, 'invalid_api_key');
      assert.equal((await http(`${server.url}${route}`)).status, 200);
      assert.equal((await http(`${server.url}${route}`, { headers: { Authorization: 'Bearer openai' } })).status, 200);
    });
  }
  for (const route of POST_ROUTES) {
    it(`${route}: an unknown key is a 401, whatever header carries it`, async () => {
      const body = route === '/ai/v2' ? { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'x' }] } } : chat('x');
      const variants: Array<Record<string, string>> = [{ Authorization: 'Bearer sq-nope' }, { 'x-api-key': 'sq-nope' }, { 'api-key': 'sq-nope' }];
      for (const headers of variants) {
        assertOpenAIError(await http(`${server.url}${route}`, { json: body, headers }), 401, 'invalid_api_key');
      }
      assert.equal((await http(`${server.url}${route}`, { json: body, headers: { 'x-api-key': 'openai' } })).status, 200);
      assert.equal((await http(`${server.url}${route}`, { json: body })).status, 200);
    });
  }

  it('double slashes from trailing-slash base URLs work', async () => {
    assert.equal((await http(`${server.url}/ai/openai//chat/completions`, { json: chat('x') })).status, 200);
    assert.equal((await http(`${server.url}//ai//models`)).status, 200);
  });

  it('unknown OpenAI parameters pass through to the upstream; client-only fields do not', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, {
      json: chat('x', { metadata: { a: 'b' }, store: false, logit_bias: { '50256': -100 }, parallel_tool_calls: true, extra: 1, extra_body: { b: 2 } }),
    });
    assert.equal(res.status, 200, res.text);
    const sent = upstream.requests.at(-1)!.body;
    assert.deepEqual(sent.metadata, { a: 'b' });
    assert.deepEqual(sent.logit_bias, { '50256': -100 });
    assert.equal(sent.store, false);
    assert.equal('extra' in sent || 'extra_body' in sent, false);
  });

  it('a JSON body without a content type is still read', async () => {
    assert.equal((await http(`${server.url}/v1/chat/completions`, { body: JSON.stringify(chat('x')) })).status, 200);
  });
});

describe('upstream failures', () => {
  it('an upstream 400 keeps its message, param and status', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('#bad-request') });
    assertOpenAIError(res, 400);
    assert.equal(res.json.error.param, 'temperature');
    assert.match(res.json.error.message, /temperature/);
  });

  it('an upstream 429 stays a 429 and keeps Retry-After', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('#rate-limit') });
    assertOpenAIError(res, 429, 'upstream_rate_limited');
    assert.equal(res.headers['retry-after'], '7');
  });

  it('an upstream 500 is a 502', async () => {
    assertOpenAIError(await http(`${server.url}/v1/chat/completions`, { json: chat('#fail-500') }), 502, 'upstream_error');
  });

  it('the gateway\'s own upstream key being rejected is a 502, not the client\'s 401', async () => {
    assertOpenAIError(await http(`${server.url}/v1/chat/completions`, { json: { model: 'bad-upstream-key', messages: [{ role: 'user', content: 'x' }] } }), 502, 'upstream_auth_error');
  });

  it('an upstream answering HTML is a 502', async () => {
    assertOpenAIError(await http(`${server.url}/v1/chat/completions`, { json: chat('#not-json') }), 502, 'upstream_error');
    assertOpenAIError(await http(`${server.url}/v1/chat/completions`, { json: chat('#not-json', { stream: true }) }), 502, 'upstream_error');
  });

  it('a stream that fails before its first byte is a plain JSON error', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('#rate-limit', { stream: true }) });
    assertOpenAIError(res, 429);
  });

  it('a stream that fails midway ends with an error event and [DONE]', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('#midstream-error please', { stream: true }) });
    assert.equal(res.status, 200);
    const lines = sseDataLines(res.text);
    assert.equal(lines.at(-1), '[DONE]');
    const error = JSON.parse(lines.at(-2)!);
    assert.equal(typeof error.error.message, 'string');
    assert.ok(JSON.parse(lines[0]).choices, 'content chunks came first');
  });

  it('a connection reset mid-stream ends with an error event and [DONE]', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('#reset the connection', { stream: true }) });
    const lines = sseDataLines(res.text);
    assert.equal(lines.at(-1), '[DONE]');
    const error = JSON.parse(lines.at(-2)!).error;
    assert.equal(error.code, 'upstream_error');
  });

  it('a stream whose upstream sends no usage still ends cleanly', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('#no-usage', { stream: true, stream_options: { include_usage: true } }) });
    assert.equal(sseDataLines(res.text).at(-1), '[DONE]');
  });
});

describe('a non-streamed answer', () => {
  it('is framed by its byte length and carries its id, deployment, attempts and CORS headers', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('Привет, 世界 👋'), headers: { origin: 'https://chat.example' } });
    assert.equal(res.status, 200);
    assert.match(res.json.choices[0].message.content, /Привет, 世界 👋/);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.text)));
    assert.equal(res.headers['x-request-id'], res.json.id);
    assert.equal(res.headers['x-opensq-provider'], 'openai');
    assert.equal(res.headers['x-opensq-deployment'], 'openai/gpt-4o-mini');
    assert.equal(res.headers['x-opensq-attempts'], '1');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.match(String(res.headers['access-control-expose-headers']), /x-opensq-deployment/);
  });
});

describe('browser clients', () => {
  it('preflight requests are answered and every answer, streamed too, allows the origin', async () => {
    const preflight = await http(`${server.url}/ai/openai/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://chat.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
    const plain = await http(`${server.url}/v1/chat/completions`, { json: chat('x'), headers: { origin: 'https://chat.example' } });
    assert.equal(plain.headers['access-control-allow-origin'], '*');
    const streamed = await http(`${server.url}/v1/chat/completions`, { json: chat('x', { stream: true }), headers: { origin: 'https://chat.example' } });
    assert.equal(streamed.headers['access-control-allow-origin'], '*');
    assert.match(String(streamed.headers['access-control-expose-headers']), /x-request-id/);
    const failed = await http(`${server.url}/v1/chat/completions`, { json: { model: 'nope', messages: [] }, headers: { origin: 'https://chat.example' } });
    assert.equal(failed.headers['access-control-allow-origin'], '*');
  });
});
