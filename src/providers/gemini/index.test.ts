import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../../../test/fakes/gemini-upstream.js';
import { fixturePath } from '../../../test/support/fixtures.js';
import { http } from '../../../test/support/http.js';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError, UpstreamError } from '../../core/errors.js';
import type { ChatCall, ProviderConfig } from '../types.js';
import { GeminiAdapter } from './index.js';

const FIXTURES = fixturePath('gemini');
const mock = (name: string): string => readFileSync(path.join(FIXTURES, 'mock-responses', name), 'utf8');
const KEY = 'AIza-test-key';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
let handler: Handler;
let received: { url: string; headers: IncomingMessage['headers']; body: any } | undefined;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/cat.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        return void res.end(Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
      }
      received = { url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function adapter(overrides: Partial<ProviderConfig> = {}): GeminiAdapter {
  return new GeminiAdapter({
    name: 'gemini',
    type: 'gemini',
    baseUrl: `${base}/`,
    apiKey: KEY,
    options: {},
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 },
    ...overrides,
  });
}

function call(body: Partial<ChatRequest>, upstreamModel = 'gemini-2.0-flash'): ChatCall & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    body: { model: 'public', messages: [{ role: 'user', content: 'hi' }], ...body } as ChatRequest,
    publicModel: 'public',
    upstreamModel,
    signal: new AbortController().signal,
    id: 'chatcmpl-t1',
    created: 1_750_000_000,
    warn: (code, message) => warnings.push(`${code}: ${message}`),
    warnings,
  };
}

const reply = (status: number, type: string, body: string, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(body);
};

/** Writes an SSE fixture in two reads, as a real connection may split it. */
const replayStream = (text: string): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'content-disposition': 'attachment' });
  const half = Math.floor(text.length / 2);
  res.write(text.slice(0, half));
  setTimeout(() => res.end(text.slice(half)), 10);
};

async function drain(stream: AsyncIterable<string[]>): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  for await (const batch of stream) for (const text of batch) out.push(JSON.parse(text));
  return out;
}

describe('GeminiAdapter over HTTP', () => {
  it('posts generateContent to {host root}/v1beta/models/{model} with x-goog-api-key and converts the answer', async () => {
    handler = reply(200, 'application/json; charset=UTF-8', mock('googleai/unary-success-basic-reply-short.json'));
    const { completion, usage } = await adapter().chat(call({ temperature: 0.3 }));
    assert.equal(received!.url, '/v1beta/models/gemini-2.0-flash:generateContent');
    assert.equal(received!.headers['x-goog-api-key'], KEY);
    assert.equal(received!.headers.authorization, undefined);
    assert.deepEqual(received!.body, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { temperature: 0.3 } });
    assert.equal(completion.model, 'public');
    assert.equal(completion.choices[0].message.content, "Google's headquarters, also known as the Googleplex, is located in **Mountain View, California**.\n");
    assert.equal(usage!.total_tokens, 29);
  });

  it('keeps tuned model names as they are', async () => {
    handler = reply(200, 'application/json', mock('googleai/unary-success-basic-reply-short.json'));
    await adapter().chat(call({}, 'tunedModels/my-model'));
    assert.equal(received!.url, '/v1beta/tunedModels/my-model:generateContent');
  });

  it('streams with ?alt=sse and encodes chunks with usage when asked', async () => {
    handler = replayStream(mock('googleai/streaming-success-basic-reply-short.txt'));
    const stream = await adapter().stream(call({ stream: true, stream_options: { include_usage: true } }));
    const chunks = await drain(stream);
    assert.equal(received!.url, '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'The capital of Wyoming is **Cheyenne**.\n');
    assert.equal(chunks.at(-2)!.choices[0].finish_reason, 'stop');
    assert.deepEqual(chunks.at(-1)!.choices, []);
    assert.equal(stream.usage()!.completion_tokens, 10);
    assert.equal(stream.completionText(), 'The capital of Wyoming is **Cheyenne**.\n');
  });

  it('a streaming request Google refuses before streaming (404 as an event-stream) fails before the first byte', async () => {
    const recording = JSON.parse(readFileSync(path.join(FIXTURES, 'recordings/Chats_Tests_sendMessage_Send_message_stream_with_error.json'), 'utf8'));
    handler = reply(404, 'text/event-stream', JSON.stringify(recording.interactions[0].response.bodySegments[0]));
    await assert.rejects(adapter().stream(call({ stream: true }, 'custom-gemini-2.0-flash')), (e: unknown) => e instanceof UpstreamError && e.code === 'upstream_error' && e.status === 502 && /does not serve this model/.test(e.message));
  });

  it('a bad key is upstream_auth_error, with the key redacted from the kept body; 429 keeps Retry-After', async () => {
    handler = reply(400, 'application/json', mock('googleai/unary-failure-api-key.json').replace('key1234', KEY));
    await assert.rejects(adapter().chat(call({})), (e: unknown) => e instanceof UpstreamError && e.code === 'upstream_auth_error' && !e.upstreamBody!.includes(KEY) && e.upstreamBody!.includes('[redacted]'));
    handler = reply(429, 'application/json', mock('vertexai/unary-failure-quota-exceeded.json'), { 'retry-after': '7' });
    await assert.rejects(adapter().chat(call({})), (e: unknown) => e instanceof UpstreamError && e.status === 429 && e.retryAfter === '7');
  });

  it('an answer that is not JSON, or a stream that is not an event stream, is a 502', async () => {
    handler = reply(200, 'text/html', '<html>oops</html>');
    await assert.rejects(adapter().chat(call({})), (e: unknown) => e instanceof UpstreamError && e.status === 502 && /not JSON/.test(e.message));
    await assert.rejects(adapter().stream(call({ stream: true })), (e: unknown) => e instanceof UpstreamError && e.status === 502 && /instead of an event stream/.test(e.message));
  });

  it('an upstream that never answers is a 504', async () => {
    handler = () => undefined;
    const slow = adapter({ timeouts: { connectMs: 1000, firstByteMs: 100, idleMs: 100, totalMs: 1000 } });
    await assert.rejects(slow.chat(call({})), (e: unknown) => e instanceof ApiError && e.code === 'upstream_timeout' && e.status === 504);
  });

  it('fetches an http(s) image URL itself and sends the bytes inline', async () => {
    handler = reply(200, 'application/json', mock('googleai/unary-success-basic-reply-short.json'));
    process.env.OPENSQ_ALLOW_PRIVATE_IMAGE_URLS = 'true';
    try {
      await adapter().chat(call({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `${base}/cat.jpg` } }] }] }));
    } finally {
      delete process.env.OPENSQ_ALLOW_PRIVATE_IMAGE_URLS;
    }
    assert.deepEqual(received!.body.contents[0].parts, [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0]).toString('base64') } }]);
    await assert.rejects(adapter().chat(call({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `${base}/cat.jpg` } }] }] })), (e: unknown) => e instanceof ApiError && e.status === 400 && /private or local/.test(e.message));
  });

  it('embeds with batchEmbedContents, one request per input, outputDimensionality from dimensions', async () => {
    handler = reply(200, 'application/json', JSON.stringify({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] }));
    const warnings: string[] = [];
    const embed = { publicModel: 'e', upstreamModel: 'text-embedding-004', signal: new AbortController().signal, warn: (code: string, m: string) => warnings.push(`${code}: ${m}`) };
    const result = await adapter().embed({ ...embed, body: { model: 'e', input: ['a', 'b'], dimensions: 2, user: 'u' } });
    assert.equal(received!.url, '/v1beta/models/text-embedding-004:batchEmbedContents');
    assert.deepEqual(received!.body, {
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 2 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 2 },
      ],
    });
    assert.deepEqual(result, { vectors: [[0.1, 0.2], [0.3, 0.4]], usage: { prompt_tokens: 0, total_tokens: 0 } });
    assert.deepEqual(warnings, [], 'user asks nothing of the answer');
    await adapter().embed({ ...embed, body: { model: 'e', input: ['a', 'b'], task: 'x' } });
    assert.deepEqual(warnings, ['dropped_parameter: gemini does not support task for embeddings; ignored']);
    await assert.rejects(adapter().embed({ ...embed, body: { model: 'e', input: [[1, 2]] } }), (e: unknown) => e instanceof ApiError && e.status === 400 && e.param === 'input');
    handler = reply(200, 'application/json', JSON.stringify({ embeddings: [{ values: [0.1] }] }));
    await assert.rejects(adapter().embed({ ...embed, body: { model: 'e', input: ['a', 'b'] } }), (e: unknown) => e instanceof UpstreamError && e.status === 502);
  });
});

/** The contract suite runs against this fake, so it proves something only if the fake is as strict as Google. */
describe('the fake Gemini API refuses what Google refuses', () => {
  let fake: FakeGemini;
  before(async () => {
    fake = await startFakeGemini();
  });
  after(() => fake.close());

  const generate = (body: unknown, key: string | null = FAKE_GEMINI_KEY, model = 'gemini-2.0-flash') =>
    http(`${fake.url}/v1beta/models/${model}:generateContent`, { json: body, headers: key ? { 'x-goog-api-key': key } : {} });
  const hi = { role: 'user', parts: [{ text: 'hi' }] };

  it('keys: a wrong one is 400 API_KEY_INVALID, a missing one 403 PERMISSION_DENIED', async () => {
    const wrong = await generate({ contents: [hi] }, 'AIza-wrong');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error.status, 'INVALID_ARGUMENT');
    assert.equal(wrong.json.error.details[0].reason, 'API_KEY_INVALID');
    const missing = await generate({ contents: [hi] }, null);
    assert.deepEqual([missing.status, missing.json.error.status], [403, 'PERMISSION_DENIED']);
    assert.equal((await generate({ contents: [hi] })).status, 200);
  });

  it('an unknown model is 404 NOT_FOUND', async () => {
    const res = await generate({ contents: [hi] }, FAKE_GEMINI_KEY, 'gemini-9');
    assert.deepEqual([res.status, res.json.error.code, res.json.error.status], [404, 404, 'NOT_FOUND']);
  });

  it('bad shapes are 400 INVALID_ARGUMENT: roles, empty parts and text, non-object function responses, unknown fields, schemas', async () => {
    const declaration = (parameters: unknown) => ({ contents: [hi], tools: [{ functionDeclarations: [{ name: 'f', description: '', parameters }] }] });
    const bad: Array<[unknown, RegExp]> = [
      [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, /valid role: user, model/],
      [{ contents: [{ role: 'system', parts: [{ text: 'x' }] }] }, /valid role/],
      [{ contents: [{ role: 'user', parts: [] }] }, /parts must not be empty/],
      [{ contents: [{ role: 'user', parts: [{ text: '' }] }] }, /required oneof field 'data'/],
      [{ contents: [hi, { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] }, { role: 'user', parts: [{ functionResponse: { name: 'f', response: '12.3' } }] }] }, /function_response\.response/],
      [{ contents: [hi], generationConfig: { max_tokens: 3 } }, /Unknown name "max_tokens"/],
      [{ messages: [] }, /Unknown name "messages"/],
      [{ contents: [] }, /contents is not specified/],
      [declaration({ type: 'OBJECT', properties: {} }), /should be non-empty for OBJECT type/],
      [declaration({ type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['b'] }), /required\[0\]: property is not defined/],
      [declaration({ type: 'OBJECT', properties: { a: { type: 'STRING', properties: { b: { type: 'STRING' } } } } }), /only allowed for OBJECT type/],
      [declaration({ type: 'OBJECT', properties: { a: { type: 'STRING' } }, additionalProperties: false }), /Unknown name "additionalProperties"/],
      [declaration({ type: 'OBJECT', properties: { a: { type: 'STRING', format: 'email' } } }), /only 'enum' and 'date-time'/],
      [{ contents: [hi], generationConfig: { responseSchema: { type: 'STRING' } } }, /response_mime_type/],
      [{ contents: [hi], toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['f'] } } }, /only allowed when mode is ANY/],
    ];
    for (const [body, message] of bad) {
      const res = await generate(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.error.status, 'INVALID_ARGUMENT');
      assert.match(res.json.error.message, message);
    }
  });
});
