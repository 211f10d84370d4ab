/**
 * Outside checks of what an upstream's absurd values make the gateway say and bill, over the
 * OpenAI, Anthropic, Gemini and Cohere wires and every chat route (chat, API2.0, Responses,
 * Messages), streamed and not: usage the gateway refuses to bill is not shown to the client
 * either (the answer's usage is the one billed); a relayed stream whose usage is refused still
 * bills the answer it relayed; finish reasons and error fields of any length reach the client
 * bounded; Cohere's errors and tool-call arguments that are objects are read as such.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HostileUpstream3, startHostileUpstream3 } from '../fakes/hostile-upstream3.js';
import { ADMIN_KEY, createKey } from '../support/admin.js';
import { http, sseDataLines } from '../support/http.js';
import { assertOpenAISchema } from '../support/openai-schemas.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: HostileUpstream3;
let server: ServerProcess;

const MODELS = { gpt: 'hostile-openai', claude: 'hostile-anthropic', gem: 'hostile-gemini', coh: 'hostile-cohere' } as const;

before(async () => {
  upstream = await startHostileUpstream3();
  const provider = (name: string, type: string, url: string) => [`  ${name}:`, `    type: ${type}`, `    base_url: ${url}`, `    api_key: k-${name}`];
  const config = [
    'providers:',
    ...provider('hostile-openai', 'openai-compatible', `${upstream.url}/v1`),
    ...provider('hostile-anthropic', 'anthropic', upstream.url),
    ...provider('hostile-gemini', 'gemini', upstream.url),
    ...provider('hostile-cohere', 'cohere', upstream.url),
    'models:',
    ...Object.entries(MODELS).flatMap(([model, name]) => [`  ${model}:`, '    paid: false', '    cost: { input: 1, output: 1 }', '    deployments:', `      - { provider: ${name}, model: up-${model} }`]),
    '',
  ].join('\n');
  server = await startServer({ env: { OPENSQ_MAX_ATTEMPTS: '1', OPENSQ_ADMIN_KEY: ADMIN_KEY }, config });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

type Route = (model: string, text: string, stream: boolean) => [string, Record<string, unknown>];

const ROUTES: Record<string, Route> = {
  chat: (model, text, stream) => ['/v1/chat/completions', { model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: text }] }],
  'API2.0': (model, text, stream) => ['/ai/v2', { model, request: { stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: text }] } }],
  responses: (model, text, stream) => ['/v1/responses', { model, stream, input: text }],
  messages: (model, text, stream) => ['/v1/messages', { model, stream, max_tokens: 64, messages: [{ role: 'user', content: text }] }],
};

interface Counts {
  prompt: number;
  completion: number;
}

/** The usage an answer shows its client, in any route's shape, streamed or not. */
function shownUsage(text: string, stream: boolean): Counts | undefined {
  const objects: Array<Record<string, any>> = stream ? sseDataLines(text).filter((line) => line !== '[DONE]').map((line) => JSON.parse(line)) : [JSON.parse(text)];
  let shown: Counts | undefined;
  for (const object of objects) {
    const usage = object.response?.usage ?? object.usage;
    if (!usage) continue;
    shown = { prompt: usage.prompt_tokens ?? usage.input_tokens, completion: usage.completion_tokens ?? usage.output_tokens };
  }
  return shown;
}

async function billed(keyId: string): Promise<Counts[]> {
  const rows = await server.query(`SELECT prompt_tokens, completion_tokens FROM usage WHERE key_id = '${keyId}'`);
  return rows.map((row) => ({ prompt: Number(row.prompt_tokens), completion: Number(row.completion_tokens) }));
}

describe('usage the gateway will not bill', () => {
  for (const model of Object.keys(MODELS)) {
    for (const stream of [false, true]) {
      it(`${model}, stream=${stream}: every route shows its client the usage it bills, and bills the answer's tokens`, async () => {
        for (const [name, route] of Object.entries(ROUTES)) {
          const { id, key } = await createKey(server.url, { credits: 10 });
          const [path, body] = route(model, 'hello #h-usage-huge', stream);
          const res = await http(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` }, json: body });
          assert.equal(res.status, 200, `${name}: ${res.text.slice(0, 300)}`);
          const rows = await billed(id);
          assert.equal(rows.length, 1, name);
          assert.ok(rows[0]!.completion > 0, `${name}: the answer "hello there friend" was billed ${rows[0]!.completion} answer tokens`);
          assert.deepEqual(shownUsage(res.text, stream), rows[0], `${name}: the client was shown other usage than was billed: ${res.text.slice(-400)}`);
        }
      });
    }
  }

  it('gpt, streamed: usage riding on the chunk with the finish reason is billed and shown the same way', async () => {
    for (const [name, route] of Object.entries(ROUTES)) {
      const { id, key } = await createKey(server.url, { credits: 10 });
      const [path, body] = route('gpt', 'hello #h-usage-huge-finish', true);
      const res = await http(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` }, json: body });
      assert.equal(res.status, 200, `${name}: ${res.text.slice(0, 300)}`);
      const rows = await billed(id);
      assert.ok(rows[0]!.completion > 0, `${name}: billed ${rows[0]!.completion} answer tokens`);
      assert.deepEqual(shownUsage(res.text, true), rows[0], `${name}: shown other usage than billed: ${res.text.slice(-400)}`);
    }
  });
});

/** Every string value in an answer (streamed: in every event) of the given key. */
function valuesOf(text: string, stream: boolean, key: string): unknown[] {
  const found: unknown[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === key) found.push(v);
        walk(v);
      }
    }
  };
  const texts = stream ? sseDataLines(text).filter((line) => line !== '[DONE]') : [text];
  for (const t of texts) walk(JSON.parse(t));
  return found;
}

const SAFE_WORD = /^[a-z0-9_.-]{1,40}$/i;

describe('finish reasons the gateway has never seen', () => {
  for (const mode of ['finish-long', 'finish-odd']) {
    for (const model of Object.keys(MODELS)) {
      it(`${mode} over ${model}: every route, streamed or not, shows a short plain finish reason`, async () => {
        for (const [name, route] of Object.entries(ROUTES)) {
          for (const stream of [false, true]) {
            const [path, body] = route(model, `hello #h-${mode}`, stream);
            const res = await http(`${server.url}${path}`, { json: body });
            assert.equal(res.status, 200, `${name} stream=${stream}: ${res.text.slice(0, 300)}`);
            assert.ok(res.text.length < 16 * 1024, `${name} stream=${stream}: the answer is ${res.text.length} characters long`);
            for (const key of ['finish_reason', 'stop_reason']) {
              for (const value of valuesOf(res.text, stream, key)) {
                if (value !== null) assert.match(String(value), SAFE_WORD, `${name} stream=${stream}: ${key} ${JSON.stringify(value).slice(0, 80)}`);
              }
            }
          }
        }
      });
    }
  }
});

describe('upstream errors with fields of any length or shape', () => {
  for (const mode of ['error-fields-long', 'error-message-object']) {
    for (const stream of [false, true]) {
      it(`${mode}, stream=${stream}: every route answers the error bounded, in its own shape, never a 500`, async () => {
        for (const [name, route] of Object.entries(ROUTES)) {
          const [path, body] = route('gpt', `hello #h-${mode}`, stream);
          const res = await http(`${server.url}${path}`, { json: body });
          assert.ok(res.status === (stream ? 200 : 400), `${name}: ${res.status} ${res.text.slice(0, 300)}`);
          assert.ok(res.text.length < 16 * 1024, `${name}: the answer is ${res.text.length} characters long: ${res.text.slice(0, 200)}`);
          assert.match(res.text, /error/, name);
          for (const key of ['param', 'code', 'type']) {
            for (const value of valuesOf(res.text, stream, key)) assert.ok(value === null || typeof value === 'number' || (typeof value === 'string' && value.length <= 256), `${name}: ${key} ${JSON.stringify(value).slice(0, 80)}`);
          }
          for (const value of valuesOf(res.text, stream, 'message')) {
            if (typeof value === 'string' || (value && typeof value === 'object' && 'role' in value)) continue;
            assert.fail(`${name}: an error message that is not a string: ${JSON.stringify(value)}`);
          }
        }
      });
    }
  }
});

describe("Cohere's errors and tool calls of other shapes", () => {
  it("a message-end whose error is an object: the stream's error quotes it, not [object Object]", async () => {
    for (const name of ['chat', 'API2.0', 'responses', 'messages']) {
      const [path, body] = ROUTES[name]!('coh', 'hello #h-error-object', true);
      const res = await http(`${server.url}${path}`, { json: body });
      assert.equal(res.status, 200, `${name}: ${res.text.slice(0, 300)}`);
      assert.match(res.text, /the model crashed/, `${name}: ${res.text.slice(-900)}`);
      assert.doesNotMatch(res.text, /\[object Object\]/, name);
    }
  });

  const TOOLS = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  for (const [mode, args] of [['tool-args-object', { city: 'Paris' }], ['tool-args-number', 42]] as const) {
    for (const stream of [false, true]) {
      it(`${mode}, stream=${stream}: the client gets the arguments as a JSON string`, async () => {
        const res = await http(`${server.url}/v1/chat/completions`, { json: { model: 'coh', stream, tools: TOOLS, messages: [{ role: 'user', content: `weather? #h-${mode}` }] } });
        assert.equal(res.status, 200, res.text.slice(0, 300));
        const pieces = valuesOf(res.text, stream, 'arguments');
        assert.ok(pieces.length > 0, res.text.slice(0, 400));
        for (const piece of pieces) assert.equal(typeof piece, 'string', `arguments ${JSON.stringify(piece)}`);
        assert.deepEqual(JSON.parse(pieces.join('')), args);
      });
    }
  }
});

describe('odd values an OpenAI-wire upstream puts where small ones belong', () => {
  for (const mode of ['created-string', 'created-huge', 'created-negative']) {
    for (const route of ['chat', 'API2.0']) {
      for (const stream of [false, true]) {
        it(`${mode} over ${route}, stream=${stream}: every answer and chunk is OpenAI's shape, created a time in seconds`, async () => {
          const [path, body] = ROUTES[route]!('gpt', `hello #h-${mode}`, stream);
          const res = await http(`${server.url}${path}`, { json: body });
          assert.equal(res.status, 200, res.text.slice(0, 300));
          const objects = stream ? sseDataLines(res.text).filter((line) => line !== '[DONE]').map((line) => JSON.parse(line)) : [res.json];
          for (const object of objects) {
            assertOpenAISchema(stream ? 'CreateChatCompletionStreamResponse' : 'CreateChatCompletionResponse', route === 'API2.0' ? { ...object, user: undefined } : object);
            assert.ok(Number.isSafeInteger(object.created) && object.created >= 0, `created ${JSON.stringify(object.created)}`);
          }
        });
      }
    }
  }
});
