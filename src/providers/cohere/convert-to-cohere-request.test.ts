import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { convertToCohereRequest } from './convert-to-cohere-request.js';

const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather at a place', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const search = { type: 'function', function: { name: 'search_products', parameters: { type: 'object', properties: { query: { type: 'string' } } } } };

function convert(body: Partial<ChatRequest>, stream = false) {
  const warnings: string[] = [];
  const request = convertToCohereRequest({ model: 'public', messages: [{ role: 'user', content: 'hi' }], ...body }, { upstreamModel: 'command-r-plus', stream, warn: (code, m) => warnings.push(`${code}: ${m}`) });
  return { request, warnings };
}

const rejects = (body: Partial<ChatRequest>, param: string) =>
  assert.throws(() => convert(body), (e: unknown) => e instanceof ApiError && e.status === 400 && e.param === param);

describe('convertToCohereRequest', () => {
  it('translates a whole conversation and its parameters into the /v2/chat body', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const { request, warnings } = convert(
      {
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: png } }, { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } }] },
          { role: 'assistant', content: 'A cat.' },
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: null, refusal: null, reasoning_content: 'I will use get_weather.', tool_calls: [{ id: 'get_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'get_weather_1', name: 'get_weather', content: '12.3' },
        ],
        tools: [weather],
        tool_choice: 'auto',
        max_completion_tokens: 100,
        max_tokens: 5,
        temperature: 0.2,
        top_p: 0.5,
        seed: 7,
        stop: 'END',
        frequency_penalty: 0.1,
        presence_penalty: 0.2,
        response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } },
        stream_options: { include_usage: true },
        user: 'end-user-1',
      },
      true,
    );
    assert.deepEqual(request, {
      model: 'command-r-plus',
      stream: true,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'system', content: [{ type: 'text', text: 'Use metric units.' }] },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: png } }, { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } }] },
        { role: 'assistant', content: 'A cat.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', tool_calls: [{ id: 'get_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }], tool_plan: 'I will use get_weather.' },
        { role: 'tool', tool_call_id: 'get_weather_1', content: '12.3' },
      ],
      tools: [weather],
      max_tokens: 100,
      temperature: 0.2,
      seed: 7,
      p: 0.5,
      frequency_penalty: 0.1,
      presence_penalty: 0.2,
      stop_sequences: ['END'],
      response_format: { type: 'json_object', json_schema: { type: 'object' } },
    });
    assert.deepEqual(warnings, []);
  });

  it('sends text that came with tool calls as the tool plan', () => {
    const { request } = convert({ messages: [{ role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }] });
    assert.deepEqual(request.messages, [{ role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }], tool_plan: 'Let me check.' }]);
  });

  it('maps tool_choice: auto is left out, none and required are Cohere enums', () => {
    assert.equal(convert({ tools: [weather], tool_choice: 'auto' }).request.tool_choice, undefined);
    assert.equal(convert({ tools: [weather] }).request.tool_choice, undefined);
    assert.equal(convert({ tools: [weather], tool_choice: 'none' }).request.tool_choice, 'NONE');
    assert.equal(convert({ tools: [weather], tool_choice: 'required' }).request.tool_choice, 'REQUIRED');
  });

  it('honours a named tool_choice with REQUIRED and only that tool, which loses nothing: no warning', () => {
    const named = convert({ tools: [weather, search], tool_choice: { type: 'function', function: { name: 'search_products' } } });
    assert.deepEqual(named.request.tools, [search]);
    assert.equal(named.request.tool_choice, 'REQUIRED');
    assert.deepEqual(named.warnings, []);
    const allowed = convert({ tools: [weather, search], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'get_weather' } }] } } });
    assert.deepEqual(allowed.request.tools, [weather]);
    assert.equal(allowed.request.tool_choice, undefined);
    const required = convert({ tools: [weather, search], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'get_weather' } }] } } });
    assert.deepEqual([required.request.tools, required.request.tool_choice, required.warnings], [[weather], 'REQUIRED', []]);
  });

  it('refuses tool choices it cannot honour', () => {
    rejects({ tools: [weather], tool_choice: { type: 'function', function: { name: 'missing' } } }, 'tool_choice');
    rejects({ tool_choice: 'required' }, 'tool_choice');
    rejects({ tools: [weather], tool_choice: 'sometimes' }, 'tool_choice');
    assert.throws(() => convert({ tools: [weather, { type: 'custom', custom: { name: 'x' } }] }), (e: unknown) => e instanceof ApiError && e.code === 'unsupported_parameter' && e.param === 'tools');
  });

  it("turns OpenAI's per-tool strict into Cohere's strict_tools, which has no per-tool form", () => {
    const strictWeather = { ...weather, function: { ...weather.function, strict: true } };
    const all = convert({ tools: [strictWeather] });
    assert.equal(all.request.strict_tools, true);
    assert.deepEqual(all.request.tools, [weather]);
    assert.deepEqual(all.warnings, []);
    assert.deepEqual(convert({ tools: [strictWeather, search] }).warnings, ['adjusted_parameter: Cohere applies strict tool schemas to all tools or none; all tools are strict for this request.']);
    assert.deepEqual(convert({ tools: [{ type: 'function', function: { name: 'now' } }] }).request.tools, [{ type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }]);
  });

  it('moves values outside Cohere ranges to the nearest accepted one and reports it', () => {
    const { request, warnings } = convert({ top_p: 1, frequency_penalty: -0.5, presence_penalty: 2 });
    assert.equal(request.p, 0.99);
    assert.equal(request.frequency_penalty, 0);
    assert.equal(request.presence_penalty, 1);
    assert.deepEqual(warnings, [
      'adjusted_parameter: Cohere accepts top_p from 0.01 to 0.99; 1 was sent as 0.99.',
      'adjusted_parameter: Cohere accepts frequency_penalty from 0 to 1; -0.5 was sent as 0.',
      'adjusted_parameter: Cohere accepts presence_penalty from 0 to 1; 2 was sent as 1.',
    ]);
  });

  it('reports parameters Cohere cannot honour, but not their harmless values', () => {
    assert.deepEqual(convert({ n: 2, logit_bias: { 50256: -100 }, logprobs: true, parallel_tool_calls: false, messages: [{ role: 'user', content: 'hi', name: 'ann' }] }).warnings, [
      'dropped_content: Cohere has no participant names; message names were ignored.',
      'dropped_parameter: Cohere does not support n, logprobs, logit_bias, parallel_tool_calls; ignored.',
    ]);
    assert.deepEqual(convert({ n: 1, logprobs: false, parallel_tool_calls: true, logit_bias: {} }).warnings, []);
  });

  it('maps response formats', () => {
    assert.deepEqual(convert({ response_format: { type: 'json_object' } }).request.response_format, { type: 'json_object' });
    assert.equal(convert({ response_format: { type: 'text' } }).request.response_format, undefined);
    rejects({ response_format: { type: 'yaml' } }, 'response_format.type');
  });

  it('refuses messages Cohere cannot take, naming the parameter', () => {
    rejects({ messages: [{ role: 'tool', content: '1' }] }, 'messages[0].tool_call_id');
    rejects({ messages: [{ role: 'function', name: 'f', content: '1' }] }, 'messages[0].role');
    rejects({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }] }, 'messages[0].content[0]');
    rejects({ messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }, 'messages[0].content[0]');
    rejects({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] }, 'messages[0].content[0].image_url.url');
  });
});
