/**
 * OpenAI's legacy completions (`POST /v1/completions`) with the OpenAI SDK: relayed to an
 * OpenAI-compatible deployment's own `/completions`, served by the local model, and a clear 400 on
 * a model served by a provider without them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { type FourProviderGateway, startFourProviderGateway } from '../support/four-providers.js';
import { http, sseDataLines } from '../support/http.js';
import { assertOpenAISchema } from '../support/openai-schemas.js';

let gateway: FourProviderGateway;

before(async () => {
  gateway = await startFourProviderGateway({ models: { 't-instruct': 'openai/gpt-3.5-turbo-instruct', 't-anthropic': 'anthropic/claude-3-5-sonnet-latest' }, local: true });
});

after(async () => {
  await gateway?.stop();
});

const client = (): OpenAI => new OpenAI({ baseURL: `${gateway.server.url}/v1`, apiKey: 'openai' });

describe('POST /v1/completions', () => {
  it('an OpenAI-compatible deployment gets the legacy request at its /completions; the answer is a text_completion under our id', async () => {
    const completion = await client().completions.create({ model: 't-instruct', prompt: 'Say this is a test', max_tokens: 7, temperature: 0, suffix: '!' });
    assertOpenAISchema('CreateCompletionResponse', completion);
    assert.equal(completion.choices[0].text, 'Say this is a test and then');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.match(completion.id, /^cmpl-[0-9a-f]{32}$/);
    assert.equal(completion.model, 't-instruct');
    assert.equal(completion.usage?.completion_tokens, 7);
    const sent = gateway.openai.requests.at(-1)!;
    assert.equal(sent.path, '/v1/completions');
    assert.deepEqual(sent.body, { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, temperature: 0, suffix: '!', stream: false });
    const row = (await gateway.server.query('SELECT * FROM usage')).find((r) => r.request_id === completion.id);
    assert.equal(row?.endpoint, 'completions');
    assert.equal(Number(row?.completion_tokens), 7);

    const cut = await client().completions.create({ model: 't-instruct', prompt: 'one two three four', max_tokens: 2 });
    assert.deepEqual([cut.choices[0].text, cut.choices[0].finish_reason], ['one two', 'length']);
  });

  it('streams from an OpenAI-compatible deployment, usage when asked', async () => {
    const stream = await client().completions.create({ model: 't-instruct', prompt: 'Stream this', stream: true, stream_options: { include_usage: true } });
    let text = '';
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.text ?? '';
    }
    assert.equal(text, 'Stream this and then');
    assert.ok(chunks.every((c) => c.object === 'text_completion' && c.model === 't-instruct' && /^cmpl-/.test(c.id)));
    assert.equal(chunks.at(-2)!.choices[0].finish_reason, 'stop');
    assertOpenAISchema('CreateCompletionResponse', chunks.at(-2));
    assert.deepEqual(chunks.at(-1)!.choices, []);
    assert.equal(chunks.at(-1)!.usage?.completion_tokens, 4);
    assert.equal(gateway.openai.requests.at(-1)!.path, '/v1/completions');
  });

  it('a failure mid-stream is an error event, then [DONE]', async () => {
    const res = await http(`${gateway.server.url}/v1/completions`, { json: { model: 't-instruct', prompt: 'Break #midstream-error now', stream: true } });
    const lines = sseDataLines(res.text);
    assert.equal(lines.at(-1), '[DONE]');
    assert.ok(JSON.parse(lines.at(-2)!).error);
  });

  it('the local model answers a prompt, unstreamed and streamed', async () => {
    const completion = await client().completions.create({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 12 });
    assertOpenAISchema('CreateCompletionResponse', completion);
    assert.ok(completion.choices[0].text.trim().length > 0);
    assert.ok(completion.usage!.completion_tokens > 0 && completion.usage!.completion_tokens <= 12);
    const stream = await client().completions.create({ model: 'stories260K', prompt: 'A cat', max_tokens: 8, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    assert.ok(text.length > 0);
    const echo = await http(`${gateway.server.url}/v1/completions`, { json: { model: 'stories260K', prompt: 'x', echo: true } });
    assert.deepEqual([echo.status, echo.json.error.param], [400, 'echo']);
  });

  it('a model served by a provider without legacy completions is a 400 naming it; so are prompt lists', async () => {
    const res = await http(`${gateway.server.url}/ai/openai/completions`, { json: { model: 't-anthropic', prompt: 'Hi' } });
    assert.equal(res.status, 400, res.text);
    assertOpenAISchema('ErrorResponse', res.json);
    assert.deepEqual([res.json.error.code, res.json.error.param], ['unsupported_parameter', 'model']);
    assert.match(res.json.error.message, /anthropic.*no legacy completions/);
    assert.equal(gateway.anthropic.requests.length, 0);
    const many = await http(`${gateway.server.url}/v1/completions`, { json: { model: 't-instruct', prompt: ['a', 'b'] } });
    assert.deepEqual([many.status, many.json.error.param], [400, 'prompt']);
  });
});
