/**
 * Capabilities enforced at routing, through the public surface: a request that needs tools,
 * images, JSON schema, audio or reasoning goes only to deployments that declare it, and is a 400
 * `unsupported_parameter` naming the parameter and the model when none does — never an answer
 * with the feature silently dropped. The local model (stories260K) declares none of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { fixturePath } from '../support/fixtures.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const MODEL_PATH = fixturePath('models/stories260K.gguf');
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const image = { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } };

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({
    env: { OPENSQ_LOCAL_MODEL: MODEL_PATH, OPENSQ_LOCAL_THREADS: '1', OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url },
    config: [
      'models:',
      '  gpt-4o-mini: { paid: false }',
      '  o3-mini: { paid: false }',
      '  mixed:',
      '    deployments:',
      `      - { provider: local, model: ${MODEL_PATH}, priority: 0 }`,
      '      - { provider: openai, model: gpt-4o-mini, priority: 1 }',
      '  reasoner:',
      '    can_think: true',
      '    deployments: [ { provider: openai, model: gpt-4o-mini } ]',
      '  text-only:',
      '    can_vision: false',
      '    deployments: [ { provider: openai, model: gpt-4o-mini } ]',
      '',
    ].join('\n'),
  });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const chat = (body: Record<string, unknown>) => http(`${server.url}/v1/chat/completions`, { json: { max_tokens: 8, ...body } });
const user = (content: unknown) => [{ role: 'user', content }];

function assertRefused(res: Awaited<ReturnType<typeof http>>, param: string, model: string): void {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.error.code, 'unsupported_parameter');
  assert.equal(res.json.error.type, 'invalid_request_error');
  assert.equal(res.json.error.param, param);
  assert.match(res.json.error.message, new RegExp(`\`${model}\``));
}

describe('capabilities enforced at routing', () => {
  it('the local model refuses tools, a forced tool choice, images, audio and reasoning with a 400 naming them', async () => {
    const sent = upstream.requests.length;
    assertRefused(await chat({ model: 'stories260K', messages: user('weather?'), tools: [weather] }), 'tools', 'stories260K');
    assertRefused(await chat({ model: 'stories260K', messages: user('weather?'), tools: [weather], stream: true }), 'tools', 'stories260K');
    const forced = await chat({ model: 'stories260K', messages: user('weather?'), tool_choice: 'required' });
    assert.equal(forced.status, 400, forced.text);
    assert.equal(forced.json.error.param, 'tool_choice', 'a forced choice without tools is refused at validation, as OpenAI does');
    assertRefused(await chat({ model: 'stories260K', messages: user([{ type: 'text', text: 'what is this?' }, image]) }), 'messages[0].content[1]', 'stories260K');
    assertRefused(await chat({ model: 'stories260K', messages: user([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }]) }), 'messages[0].content[0]', 'stories260K');
    assertRefused(await chat({ model: 'stories260K', messages: user('say it'), modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } }), 'modalities', 'stories260K');
    assertRefused(await chat({ model: 'stories260K', messages: user('think'), reasoning_effort: 'high' }), 'reasoning_effort', 'stories260K');
    const file = { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } };
    assertRefused(await chat({ model: 'stories260K', messages: user([{ type: 'text', text: 'read' }, file]) }), 'messages[0].content[1]', 'stories260K');
    const streamed = await chat({ model: 'stories260K', messages: user([{ type: 'text', text: 'read' }, file]), stream: true });
    assert.equal(streamed.status, 400, streamed.text);
    assert.equal(streamed.json.error.code, 'unsupported_parameter');
    const v2 = await http(`${server.url}/ai/v2`, { json: { model: 'stories260K', request: { messages: user('weather?'), tools: [weather] } } });
    assert.equal(v2.status, 400, v2.text);
    assert.equal(v2.json.error.param, 'tools');
    assert.equal(upstream.requests.length, sent, 'nothing reached any upstream');
  });

  it('the local model still answers what it can: plain text and a JSON schema; what it ignores is in x-opensq-warnings', async () => {
    const plain = await chat({ model: 'stories260K', messages: user('Once upon a time') });
    assert.equal(plain.status, 200, plain.text);
    const schema = await chat({
      model: 'stories260K',
      messages: user('Once upon a time'),
      max_tokens: 40,
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } } },
    });
    assert.equal(schema.status, 200, schema.text);
    const penalised = await chat({ model: 'stories260K', messages: user('Once upon a time'), n: 2, presence_penalty: 1 });
    assert.equal(penalised.status, 200, penalised.text);
    assert.equal(penalised.json.choices.length, 1);
    assert.match(String(penalised.headers['x-opensq-warnings']), /n, presence_penalty/);
  });

  it('a model spanning local and OpenAI sends tools and images only to OpenAI, plain text to local first', async () => {
    const plain = await chat({ model: 'mixed', messages: user('Once upon a time') });
    assert.equal(plain.status, 200, plain.text);
    assert.match(String(plain.headers['x-opensq-deployment']), /^local\//);
    const tools = await chat({ model: 'mixed', messages: user('weather?'), tools: [weather] });
    assert.equal(tools.status, 200, tools.text);
    assert.equal(tools.headers['x-opensq-deployment'], 'openai/gpt-4o-mini');
    assert.equal(tools.json.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual((upstream.requests.at(-1)!.body.tools as unknown[]).length, 1);
    const images = await chat({ model: 'mixed', messages: user([{ type: 'text', text: 'what is this?' }, image]) });
    assert.equal(images.status, 200, images.text);
    assert.equal(images.headers['x-opensq-deployment'], 'openai/gpt-4o-mini');
    const file = { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } };
    const files = await chat({ model: 'mixed', messages: user([{ type: 'text', text: 'read this' }, file]) });
    assert.equal(files.status, 200, files.text);
    assert.equal(files.headers['x-opensq-deployment'], 'openai/gpt-4o-mini');
  });

  it("follows the catalog's word on a model: no images to a text-only model, no reasoning_effort to a model that does not think", async () => {
    const sent = upstream.requests.length;
    assertRefused(await chat({ model: 'text-only', messages: user([image]) }), 'messages[0].content[0]', 'text-only');
    assertRefused(await chat({ model: 'o3-mini', messages: user([image]) }), 'messages[0].content[0]', 'o3-mini');
    assertRefused(await chat({ model: 'gpt-4o-mini', messages: user('think'), reasoning_effort: 'low' }), 'reasoning_effort', 'gpt-4o-mini');
    assert.equal(upstream.requests.length, sent);
    const thinks = await chat({ model: 'reasoner', messages: user('think'), reasoning_effort: 'low' });
    assert.equal(thinks.status, 200, thinks.text);
    assert.equal(upstream.requests.at(-1)!.body.reasoning_effort, 'low');
    const sees = await chat({ model: 'gpt-4o-mini', messages: user([image]) });
    assert.equal(sees.status, 200, sees.text);
  });
});
