/**
 * The local provider through the public surface: a real GGUF model (stories260K) served
 * in-process, reached with the OpenAI SDK and API2.0, with usage counted in the ledger.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { fixturePath } from '../support/fixtures.js';
import { http, sseDataLines } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const MODEL_PATH = fixturePath('models/stories260K.gguf');
const MODEL_SHA256 = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';

let server: ServerProcess;

before(async () => {
  assert.equal(createHash('sha256').update(readFileSync(MODEL_PATH)).digest('hex'), MODEL_SHA256, 'the test model is the pinned one');
  server = await startServer({ env: { OPENSQ_LOCAL_MODEL: MODEL_PATH, OPENSQ_LOCAL_THREADS: '1' } });
});

after(async () => {
  await server?.stop();
});

describe('local model (stories260K via node-llama-cpp)', () => {
  it('is in both catalogs, owned by local, and working', async () => {
    const catalog = await http(`${server.url}/ai/models`);
    assert.equal(catalog.json.models.stories260K.status, 'work');
    assert.equal(catalog.json.models.stories260K.owner, 'local');
    const list = await http(`${server.url}/v1/models`);
    assert.ok(list.json.data.some((m: { id: string; owned_by: string }) => m.id === 'stories260K' && m.owned_by === 'local'));
    assert.match(server.output(), /local models: stories260K/);
  });

  it('answers a chat completion with real usage', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const completion = await client.chat.completions.create({ model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 });
    const text = completion.choices[0].message.content ?? '';
    assert.ok(text.trim().length > 0, 'the model wrote something');
    assert.equal(completion.model, 'stories260K');
    assert.ok(['stop', 'length'].includes(completion.choices[0].finish_reason));
    assert.ok(completion.usage!.prompt_tokens > 0);
    assert.ok(completion.usage!.completion_tokens > 0 && completion.usage!.completion_tokens <= 24);
  });

  it('streams over API2.0 and records the usage row', async () => {
    const res = await http(`${server.url}/ai/v2`, {
      json: { model: 'stories260K', request: { messages: [{ role: 'user', content: 'Tell a story about a cat.' }], stream: true, max_tokens: 16 } },
    });
    const lines = sseDataLines(res.text);
    assert.equal(lines.at(-1), '[DONE]');
    const chunks = lines.slice(0, -1).map((l) => JSON.parse(l));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.ok(text.length > 0);
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'stories260K'));
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const row = (await server.query('SELECT * FROM usage')).find((r) => r.request_id === res.headers['x-request-id'])!;
    assert.equal(row.status, 'ok');
    assert.equal(row.provider, 'local');
    assert.ok(Number(row.completion_tokens) > 0 && Number(row.completion_tokens) <= 16);
  });

  it('serves concurrent requests by queueing them', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'openai' });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.chat.completions.create({ model: 'stories260K', messages: [{ role: 'user', content: `Story number ${i}` }], max_tokens: 12 })),
    );
    for (const answer of answers) assert.ok((answer.choices[0].message.content ?? '').length > 0);
  });
});
