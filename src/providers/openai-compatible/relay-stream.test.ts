import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../core/errors.js';
import { relayOpenAIStream } from './relay-stream.js';

async function* bytes(...pieces: string[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield Buffer.from(piece);
}

async function drain(stream: AsyncIterable<string[]>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of stream) out.push(batch);
  return out;
}

const ID = 'chatcmpl-ours';
/** What the relay makes of an upstream chunk's head: our id and the public model. */
const ours = (text: string, model: string) => text.replace('"id":"c1"', `"id":"${ID}"`).replace('"model":"gpt-4o-mini-2024-07-18"', `"model":"${model}"`);
const chunk = (fields: string) => `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18",${fields}}`;
const usageChunk = '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}';

describe('relayOpenAIStream (upstream bytes in, client payloads out)', () => {
  it('rewrites the id and the model, keeps everything else byte for byte, and batches per read', async () => {
    const a = chunk('"choices":[{"index":0,"delta":{"role":"assistant","content":"He said \\"model\\":\\"x\\""},"finish_reason":null}],"usage":null');
    const b = chunk('"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null');
    const stream = relayOpenAIStream(bytes(`data: ${a}\n\ndata: ${b}\n\n`, `data: ${usageChunk}\n\n`, 'data: [DONE]\n\n'), {
      provider: 'openai',
      publicModel: 'my-model',
      id: ID,
      created: 1,
      clientWantsUsage: false,
    });
    const batches = await drain(stream);
    assert.deepEqual(batches, [[ours(a, 'my-model'), ours(b, 'my-model')]]);
    assert.match(batches[0][0], /He said \\"model\\":\\"x\\"/, 'content that looks like a model field is untouched');
    assert.deepEqual(stream.usage(), { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
  });

  it('passes the usage chunk on when the client asked for it', async () => {
    const stream = relayOpenAIStream(bytes(`data: ${usageChunk}\n\ndata: [DONE]\n\n`), { provider: 'openai', publicModel: 'm', id: ID, created: 1, clientWantsUsage: true });
    const [[only]] = await drain(stream);
    assert.deepEqual(JSON.parse(only), { ...JSON.parse(usageChunk), id: ID, model: 'm' });
  });

  it('leaves out usage with impossible counts, keeps the text for counting, and owes the client the usage billed', async () => {
    const text = chunk('"choices":[{"index":0,"delta":{"content":"hello"},"finish_reason":null}]');
    const huge = usageChunk.replace('"completion_tokens":2', '"completion_tokens":1e308');
    for (const clientWantsUsage of [false, true]) {
      const stream = relayOpenAIStream(bytes(`data: ${text}\n\ndata: ${chunk('"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]')}\n\ndata: ${huge}\n\ndata: [DONE]\n\n`), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage });
      const flat = (await drain(stream)).flat();
      assert.equal(flat.length, 2, 'the usage-only chunk is dropped');
      assert.equal(stream.usage(), undefined);
      assert.equal(stream.completionText(), 'hello');
      assert.equal(stream.usageOwed?.(), clientWantsUsage);
    }
    const onFinish = chunk('"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":-5,"completion_tokens":1,"total_tokens":-4}');
    const stream = relayOpenAIStream(bytes(`data: ${text}\n\ndata: ${onFinish}\n\ndata: [DONE]\n\n`), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage: true });
    const flat = (await drain(stream)).flat();
    assert.equal(JSON.parse(flat[1]).choices[0].finish_reason, 'stop', 'the chunk with choices is kept');
    assert.equal(JSON.parse(flat[1]).usage, undefined, 'without its usage');
    assert.equal(stream.completionText(), 'hello');
  });

  it("gives a chunk whose created is no time in seconds the request's", async () => {
    const odd = '{"id":"c1","object":"chat.completion.chunk","created":"soon","model":"x","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}';
    const stream = relayOpenAIStream(bytes(`data: ${odd}\n\ndata: [DONE]\n\n`), { provider: 'p', publicModel: 'm', id: ID, created: 1700000000, clientWantsUsage: false });
    const [only] = (await drain(stream)).flat();
    assert.deepEqual(JSON.parse(only!), { ...JSON.parse(odd), id: ID, model: 'm', created: 1700000000 });
    const plain = odd.replace('"soon"', '1600000000').replace('"finish_reason":"stop"', '"finish_reason":null');
    const later = relayOpenAIStream(bytes(`data: ${plain}\n\ndata: ${plain}\n\ndata: ${odd}\n\ndata: [DONE]\n\n`), { provider: 'p', publicModel: 'm', id: ID, created: 1700000000, clientWantsUsage: false });
    assert.deepEqual((await drain(later)).flat().map((chunk) => JSON.parse(chunk).created), [1600000000, 1600000000, 1700000000], 'a later chunk is judged too');
  });

  it('handles events split across reads and CRLF framing', async () => {
    const a = chunk('"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]');
    const text = `data: ${a}\r\n\r\ndata: [DONE]\r\n\r\n`;
    const stream = relayOpenAIStream(bytes(text.slice(0, 17), text.slice(17, 60), text.slice(60)), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage: false });
    const flat = (await drain(stream)).flat();
    assert.equal(flat.length, 1);
    assert.equal(JSON.parse(flat[0]).choices[0].delta.content, 'hi');
    assert.equal(stream.completionText(), 'hi');
  });

  it('turns an upstream error event into an ApiError after the chunks before it', async () => {
    const a = chunk('"choices":[{"index":0,"delta":{"content":"partial"},"finish_reason":null}]');
    const stream = relayOpenAIStream(bytes(`data: ${a}\n\n`, 'data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n'), {
      provider: 'p',
      publicModel: 'm',
      id: ID,
      created: 1,
      clientWantsUsage: false,
    });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const batch of stream) seen.push(...batch);
    }, (error: unknown) => error instanceof ApiError && /boom/.test(error.message));
    assert.equal(seen.length, 1);
  });

  it('a chunk that starts with "error": null (or spaces before it) is a chunk, not an error', async () => {
    const nulled = '{"error":null,"id":"c1","object":"chat.completion.chunk","created":1,"model":"x","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}';
    const spaced = '{"error": null, "id":"c1","object":"chat.completion.chunk","created":1,"model":"x","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":null}]}';
    const stream = relayOpenAIStream(bytes(`data: ${spaced}\n\ndata: ${nulled}\n\ndata: [DONE]\n\n`), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage: false });
    const flat = (await drain(stream)).flat().map((chunk) => JSON.parse(chunk));
    assert.deepEqual(flat.map((chunk) => [chunk.id, chunk.model, chunk.choices[0].delta.content]), [[ID, 'm', '!'], [ID, 'm', 'hi']]);
    assert.equal(stream.completionText(), '!hi');
  });

  it('an upstream that stops without finishing is an error, one that finishes without [DONE] is not', async () => {
    const open = chunk('"choices":[{"index":0,"delta":{"content":"cut"},"finish_reason":null}]');
    await assert.rejects(drain(relayOpenAIStream(bytes(`data: ${open}\n\n`), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage: false })), ApiError);
    const done = chunk('"choices":[{"index":0,"delta":{},"finish_reason":"length"}]');
    assert.equal((await drain(relayOpenAIStream(bytes(`data: ${done}\n\n`), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage: false }))).flat().length, 1);
  });

  it('collects content, reasoning and tool-call text for the tokenizer fallback', async () => {
    const parts = [
      chunk('"choices":[{"index":0,"delta":{"reasoning_content":"think "},"finish_reason":null}]'),
      chunk('"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\""}}]},"finish_reason":null}]'),
      chunk('"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"tool_calls"}]'),
    ];
    const stream = relayOpenAIStream(bytes(...parts.map((p) => `data: ${p}\n\n`), 'data: [DONE]\n\n'), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage: false });
    await drain(stream);
    assert.equal(stream.usage(), undefined);
    assert.equal(stream.completionText(), 'think f{"a":1}');
  });

  it("answers under the request's id, whatever the upstream's chunks look like, and keeps the upstream's id", async () => {
    const toolCall = chunk('"choices":[{"index":0,"delta":{"content":"say \\"id\\":\\"x\\"","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]');
    const spaced = '{ "id" : "c1", "object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}';
    const idLast = '{"object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_2"}]},"finish_reason":null}],"id":"c1"}';
    const noId = '{"object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}';
    const stream = relayOpenAIStream(bytes(...[toolCall, spaced, idLast, noId].map((c) => `data: ${c}\n\n`), 'data: [DONE]\n\n'), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage: false });
    const out = (await drain(stream)).flat().map((c) => JSON.parse(c) as { id: string; choices: Array<{ delta: { content?: string; tool_calls?: Array<{ id?: string }> } }> });
    assert.deepEqual(out.map((c) => c.id), [ID, ID, ID, ID]);
    assert.equal(out[0].choices[0].delta.content, 'say "id":"x"', 'content that looks like an id is untouched');
    assert.deepEqual([out[0].choices[0].delta.tool_calls?.[0].id, out[2].choices[0].delta.tool_calls?.[0].id], ['call_1', 'call_2'], 'tool calls keep their ids');
    assert.equal(stream.upstreamId?.(), 'c1');
  });

  it('keeps an escaped upstream id whole', async () => {
    const escaped = chunk('"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]').replace('"id":"c1"', '"id":"c\\"1"');
    const stream = relayOpenAIStream(bytes(`data: ${escaped}\n\n`), { provider: 'p', publicModel: 'm', id: ID, created: 1, clientWantsUsage: false });
    const [[only]] = await drain(stream);
    assert.equal((JSON.parse(only) as { id: string }).id, ID);
    assert.equal(stream.upstreamId?.(), 'c"1');
  });

  it('replaces the whole model name, escaped or spaced, and only the first model field', async () => {
    const escaped = '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-\\"x\\\\","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}';
    const spaced = '{"id":"c1","object":"chat.completion.chunk","created":1,"model" : "gpt-4o","choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}]}';
    const nested = '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"extra":{"model":"kept"}}';
    const stream = relayOpenAIStream(bytes(...[escaped, spaced, nested].map((c) => `data: ${c}\n\n`)), { provider: 'p', publicModel: 'pub "1"', id: ID, created: 1, clientWantsUsage: false });
    const out = (await drain(stream)).flat().map((c) => JSON.parse(c) as { id: string; model: string; extra?: { model: string } });
    assert.deepEqual(out.map((c) => [c.id, c.model]), [[ID, 'pub "1"'], [ID, 'pub "1"'], [ID, 'pub "1"']]);
    assert.equal(out[2].extra?.model, 'kept');
  });
});
