/** Embeddings through the OpenAI SDK (which asks for base64 by default) and plain HTTP (floats). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url } });
});
after(async () => {
  await server?.stop();
  await upstream?.close();
});

const expected = (n: number, dims = 8) => Array.from({ length: dims }, (_, i) => Math.fround((n + 1) / (i + 2)));

describe('embeddings', () => {
  it('the SDK gets float vectors for an array input (base64 on the wire), in order', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['first', 'second'] });
    assert.equal(result.model, 'text-embedding-3-small');
    assert.deepEqual(result.data.map((d) => d.index), [0, 1]);
    assert.deepEqual(result.data[1].embedding, expected(1));
    assert.ok(result.usage.prompt_tokens > 0);
    assert.equal(upstream.requests.at(-1)!.body.encoding_format, 'base64');
  });

  it('plain HTTP with a string input gets floats; dimensions pass through', async () => {
    const res = await http(`${server.url}/v1/embeddings`, { json: { model: 'text-embedding-3-small', input: 'hello', dimensions: 4 } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.object, 'list');
    assert.equal(res.json.data[0].object, 'embedding');
    assert.deepEqual(res.json.data[0].embedding, expected(0, 4));
    assert.equal(upstream.requests.at(-1)!.body.model, 'text-embedding-3-small');
  });

  it('encoding_format base64 returns little-endian float32 base64', async () => {
    const res = await http(`${server.url}/v1/embeddings`, { json: { model: 'text-embedding-3-small', input: 'hello', encoding_format: 'base64' } });
    const bytes = Buffer.from(res.json.data[0].embedding, 'base64');
    assert.deepEqual(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)), expected(0));
  });

  it('bad input is a 400 naming input; a chat model is a 400; a bad key a 401', async () => {
    for (const input of [undefined, '', [], 5, [1.5]]) {
      const res = await http(`${server.url}/v1/embeddings`, { json: { model: 'text-embedding-3-small', input } });
      assert.equal(res.status, 400, `${JSON.stringify(input)}: ${res.text}`);
      assert.equal(res.json.error.param, 'input');
    }
    assert.equal((await http(`${server.url}/v1/embeddings`, { json: { model: 'gpt-4o-mini', input: 'x' } })).status, 400);
    assert.equal((await http(`${server.url}/v1/embeddings`, { json: { model: 'text-embedding-3-small', input: 'x' }, headers: { authorization: 'Bearer bad' } })).status, 401);
    assert.equal((await http(`${server.url}/v1/embeddings`, { json: { model: 'nope', input: 'x' } })).status, 404);
  });
});
