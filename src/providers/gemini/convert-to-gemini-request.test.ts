import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath } from '../../../test/support/fixtures.js';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { convertGeminiResponse } from './convert-gemini-response.js';
import { convertToGeminiRequest } from './convert-to-gemini-request.js';
import type { GenerateContentResponse } from './gemini-api.js';

const RECORDINGS = fixturePath('gemini/recordings');

/** The request bodies the official JS SDK sent in a recording, in order. */
function recordedRequests(name: string): Array<Record<string, unknown>> {
  const recording = JSON.parse(readFileSync(path.join(RECORDINGS, name), 'utf8')) as { interactions: Array<{ request: { bodySegments: Array<Record<string, unknown>> } }> };
  return recording.interactions.map((i) => i.request.bodySegments[0]);
}

async function convert(body: Partial<ChatRequest>, options: { streaming?: boolean; images?: Record<string, string>; model?: string } = {}) {
  const warnings: string[] = [];
  const loaded: string[] = [];
  const request = await convertToGeminiRequest({ model: 'gemini-2.0-flash', messages: [], ...body } as ChatRequest, {
    streaming: options.streaming ?? false,
    model: options.model ?? 'gemini-2.0-flash',
    warn: (code, message) => warnings.push(`${code}: ${message}`),
    loadImage: async (url) => {
      loaded.push(url);
      const known = options.images?.[url];
      if (known) return { mediaType: 'image/jpeg', data: known };
      const [, mediaType, data] = /^data:([^;]+);base64,(.*)$/.exec(url)!;
      return { mediaType, data };
    },
  });
  return { request, warnings, loaded };
}

const user = (content: string) => ({ role: 'user' as const, content });
const divide = {
  type: 'function',
  function: { name: 'customDivide', description: 'Custom divide function', parameters: { type: 'object', properties: { denominator: { type: 'number' }, numerator: { type: 'number' } } } },
};

describe('convertToGeminiRequest (OpenAI request in, Gemini body out)', () => {
  it('sends a recorded answer\'s thought signature back with its function call on the next turn (fixture replay)', async () => {
    const answer = JSON.parse(readFileSync(path.join(fixturePath('gemini/mock-responses'), 'googleai/unary-success-thinking-function-call-thought-summary-signature.json'), 'utf8')) as GenerateContentResponse;
    const signature = answer.candidates![0].content!.parts![1].thoughtSignature;
    const { completion } = convertGeminiResponse(answer, { id: 'chatcmpl-t1', created: 1, model: 'gemini-3-pro-preview', provider: 'gemini' });
    // An OpenAI client echoes the assistant message with only id, type and function on each call.
    const { id, type, function: fn } = completion.choices[0].message.tool_calls![0];
    const next = await convert({
      messages: [
        user('How many days until New Year\'s Eve?'),
        { role: 'assistant', content: null, tool_calls: [{ id, type, function: { name: fn.name, arguments: fn.arguments } }] },
        { role: 'tool', tool_call_id: id, content: '2026-12-06' },
      ],
    });
    assert.deepEqual(next.request.contents, [
      { role: 'user', parts: [{ text: 'How many days until New Year\'s Eve?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'now', args: {} }, thoughtSignature: signature }] },
      { role: 'user', parts: [{ functionResponse: { name: 'now', response: { result: '2026-12-06' } } }] },
    ]);
  });

  it('a Gemini 3 model gets the documented stand-in signature on a function call that never had one (made by another model)', async () => {
    const messages = [
      user('Weather in Paris and Oslo?'),
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [
          { id: 'call_from_gpt_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_from_gpt_2', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool' as const, tool_call_id: 'call_from_gpt_1', content: '12' },
      { role: 'tool' as const, tool_call_id: 'call_from_gpt_2', content: '3' },
    ];
    const gemini3 = await convert({ messages }, { model: 'gemini-3-pro-preview' });
    assert.deepEqual(gemini3.request.contents[1].parts, [
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' },
      { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } },
    ]);
    assert.deepEqual(gemini3.warnings, []);
    // Calls echoed in another order keep their own signatures, and no stand-in is added beside them.
    const reordered = [
      user('Weather in Paris and Oslo?'),
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [
          { id: 'call_g_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'call_g_0__thought__Cgo', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool' as const, tool_call_id: 'call_g_1', content: '3' },
      { role: 'tool' as const, tool_call_id: 'call_g_0__thought__Cgo', content: '12' },
    ];
    const kept = await convert({ messages: reordered }, { model: 'gemini-3-pro-preview' });
    assert.deepEqual(kept.request.contents[1].parts, [
      { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } },
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'Cgo=' },
    ]);
    const older = await convert({ messages }, { model: 'gemini-2.5-flash' });
    assert.deepEqual(older.request.contents[1].parts, [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }]);
  });

  it('builds what the official SDK sent in the recorded function-calling chat, turn by turn', async () => {
    const [first, second] = recordedRequests('Chats_Tests_chats_function_calling_Google_AI_with_function_calling.json');
    const turn1 = await convert({ messages: [user('what is the result of 100/2')], tools: [divide] });
    // The SDK always sends an empty generationConfig; the gateway leaves an empty one out.
    const { generationConfig, ...sent } = first;
    assert.deepEqual(generationConfig, {});
    assert.deepEqual(turn1.request, sent);
    const turn2 = await convert({
      messages: [
        user('what is the result of 100/2'),
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_a_0', type: 'function', function: { name: 'customDivide', arguments: '{"denominator":2,"numerator":100}' } }] },
        user('what is the result of 50/2?'),
      ],
      tools: [divide],
    });
    assert.deepEqual(turn2.request.contents, second.contents);
    assert.deepEqual(turn1.warnings, []);
  });

  it('puts system and developer messages in systemInstruction, as the recorded system-instruction request', async () => {
    const [recorded] = recordedRequests('Client_Tests_generateContent_ML_Dev_should_generate_content_with_system_instruction.json');
    const { request } = await convert({ messages: [{ role: 'system', content: 'I say high you say low' }, user('high')] });
    assert.deepEqual(request.contents, recorded.contents);
    assert.deepEqual(request.systemInstruction, { parts: (recorded.systemInstruction as { parts: unknown }).parts });
    const both = await convert({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'developer', content: [{ type: 'text', text: 'Use metric.' }] }, user('hi')] });
    assert.deepEqual(both.request.systemInstruction, { parts: [{ text: 'Be brief.' }, { text: 'Use metric.' }] });
  });

  it('sends a system message after the first turn in place, as a user turn wrapped in <system> tags, with one warning', async () => {
    const { request, warnings } = await convert({
      messages: [{ role: 'system', content: 'Be brief.' }, user('hi'), { role: 'assistant', content: 'Hello.' }, { role: 'system', content: 'Answer in French.' }, user('How are you?')],
    });
    assert.deepEqual(request.systemInstruction, { parts: [{ text: 'Be brief.' }] });
    assert.deepEqual(request.contents, [
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ text: 'Hello.' }] },
      { role: 'user', parts: [{ text: '<system>\nAnswer in French.\n</system>' }, { text: 'How are you?' }] },
    ]);
    assert.deepEqual(warnings, ['moved_system_message: provider gemini takes a system prompt only before the first turn; later system messages were sent in place as user turns wrapped in <system> tags']);
  });

  it('maps sampling parameters to generationConfig, preferring max_completion_tokens', async () => {
    const [recorded] = recordedRequests('Client_Tests_generateContentStream_ML_Dev_should_stream_generate_content_with_specified_parameters.json');
    const { request, warnings } = await convert({
      messages: [user('why is the sky blue?')],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 100,
      max_completion_tokens: 200,
      stop: 'END',
      seed: 7,
      n: 1,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
    });
    assert.deepEqual(request.contents, recorded.contents);
    assert.deepEqual(request.generationConfig, {
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 200,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
    });
    assert.deepEqual(warnings, []);
  });

  it('turns tool results into functionResponse parts named after their call, merged into one user turn', async () => {
    const { request } = await convert({
      messages: [
        user('Weather and time in Oslo?'),
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"tempC": 4}' },
        { role: 'tool', tool_call_id: 'call_2', content: '12:00' },
        { role: 'tool', tool_call_id: 'call_3', name: 'get_list', content: '[1, 2]' },
        user('Thanks!'),
      ],
    });
    assert.deepEqual(request.contents, [
      { role: 'user', parts: [{ text: 'Weather and time in Oslo?' }] },
      { role: 'model', parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }, { functionCall: { name: 'get_time', args: {} } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { tempC: 4 } } },
          { functionResponse: { name: 'get_time', response: { result: '12:00' } } },
          { functionResponse: { name: 'get_list', response: { result: '[1, 2]' } } },
          { text: 'Thanks!' },
        ],
      },
    ]);
  });

  it('merges consecutive turns of one role and leaves empty parts and turns out', async () => {
    const { request } = await convert({
      messages: [user('one'), user(''), { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'two' }] }, { role: 'assistant', content: '' }, { role: 'assistant', content: 'three' }],
    });
    assert.deepEqual(request.contents, [
      { role: 'user', parts: [{ text: 'one' }, { text: 'two' }] },
      { role: 'model', parts: [{ text: 'three' }] },
    ]);
  });

  it('sends images inline: data: URLs decoded, http(s) URLs through the image loader', async () => {
    const { request, loaded, warnings } = await convert(
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
              { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            ],
          },
        ],
      },
      { images: { 'https://example.com/cat.jpg': '/9j/4AAQ' } },
    );
    assert.deepEqual(request.contents[0].parts, [
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0K' } },
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
    ]);
    assert.deepEqual(loaded, ['data:image/png;base64,iVBORw0K', 'https://example.com/cat.jpg']);
    assert.deepEqual(warnings, ['dropped_content: gemini has no per-image detail; image_url.detail high was ignored']);
  });

  it('maps every tool_choice form to a function calling mode', async () => {
    const search = { type: 'function', function: { name: 'search', parameters: { type: 'object', properties: { q: { type: 'string' } } } } };
    const modes = async (tool_choice: unknown) => (await convert({ messages: [user('x')], tools: [divide, search], tool_choice })).request.toolConfig;
    assert.deepEqual(await modes('auto'), { functionCallingConfig: { mode: 'AUTO' } });
    assert.deepEqual(await modes('none'), { functionCallingConfig: { mode: 'NONE' } });
    assert.deepEqual(await modes('required'), { functionCallingConfig: { mode: 'ANY' } });
    assert.deepEqual(await modes({ type: 'function', function: { name: 'search' } }), { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['search'] } });
    assert.deepEqual(await modes({ type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'search' } }] } }), {
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['search'] },
    });
    const subset = await convert({ messages: [user('x')], tools: [divide, search], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'search' } }] } } });
    assert.deepEqual(subset.request.tools, [{ functionDeclarations: [{ name: 'search', description: '', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } } } }] }]);
    assert.equal(await modes(undefined), undefined);
    await assert.rejects(modes('sometimes'), (e: unknown) => e instanceof ApiError && e.status === 400 && e.param === 'tool_choice');
  });

  it('refuses a tool that is not a function, as every translating provider does', async () => {
    await assert.rejects(
      convert({ messages: [user('x')], tools: [divide, { type: 'web_search' }] }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.code === 'unsupported_parameter' && e.param === 'tools' && /"web_search"/.test(e.message),
    );
  });

  it('declares functions without parameters bare, and reports what Gemini cannot honour', async () => {
    const { request, warnings } = await convert({
      messages: [user('x')],
      tools: [
        { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} }, strict: true } },
        { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'string' } }, additionalProperties: false } } },
      ],
      parallel_tool_calls: false,
      logit_bias: { 1: 2 },
      logprobs: false,
      user: 'someone',
    });
    assert.deepEqual(request.tools, [
      { functionDeclarations: [{ name: 'now', description: '' }, { name: 'lookup', description: '', parameters: { type: 'OBJECT', properties: { id: { type: 'STRING' } } } }] },
    ]);
    assert.deepEqual(warnings, [
      'dropped_parameter: gemini does not support logit_bias; ignored',
      'unenforced_parameter: gemini does not enforce strict function schemas; strict was ignored',
      'dropped_parameter: gemini cannot turn off parallel function calls; parallel_tool_calls was ignored',
    ]);
  });

  it('asks for JSON with a converted responseSchema for json_schema, and plain JSON for json_object', async () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { answer: { type: 'string' }, score: { type: ['integer', 'null'] } }, required: ['answer'], additionalProperties: false };
    const { request, warnings } = await convert({ messages: [user('x')], response_format: { type: 'json_schema', json_schema: { name: 'a', schema, strict: true } } });
    assert.deepEqual(request.generationConfig, {
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING' }, score: { type: 'INTEGER', nullable: true } }, required: ['answer'] },
    });
    assert.deepEqual(warnings, [], 'a zod-made schema loses no constraint: no warning');
    const stepped = { type: 'object', properties: { score: { type: 'integer', multipleOf: 5 } } };
    const lossy = await convert({ messages: [user('x')], response_format: { type: 'json_schema', json_schema: { name: 'a', schema: stepped } } });
    assert.deepEqual(lossy.warnings, ['schema_keyword_dropped: gemini cannot express multipleOf in response_format.json_schema; dropped']);
    const plain = await convert({ messages: [user('x')], response_format: { type: 'json_object' } });
    assert.deepEqual(plain.request.generationConfig, { responseMimeType: 'application/json' });
  });

  it('honours n with candidateCount only without streaming, and reasoning_effort as a thinking budget', async () => {
    assert.deepEqual((await convert({ messages: [user('x')], n: 3 })).request.generationConfig, { candidateCount: 3 });
    const streamed = await convert({ messages: [user('x')], n: 3 }, { streaming: true });
    assert.equal(streamed.request.generationConfig, undefined);
    assert.deepEqual(streamed.warnings, ['dropped_parameter: gemini streams one choice only; n=3 was ignored']);
    assert.deepEqual((await convert({ messages: [user('x')], reasoning_effort: 'low' })).request.generationConfig, { thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
    assert.deepEqual((await convert({ messages: [user('x')], reasoning_effort: 'none' })).request.generationConfig, { thinkingConfig: { thinkingBudget: 0 } });
  });

  it('refuses what has no Gemini form with a 400 naming the parameter', async () => {
    const rejects = (body: Partial<ChatRequest>, param: string) =>
      assert.rejects(convert(body), (e: unknown) => e instanceof ApiError && e.status === 400 && e.param === param);
    await rejects(
      { messages: [user('x'), { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] },
      'messages[1].tool_calls[0].function.arguments',
    );
    await rejects({ messages: [user('x'), { role: 'tool', tool_call_id: 'nobody', content: '1' }] }, 'messages[1].tool_call_id');
    await rejects({ messages: [{ role: 'system', content: 'only a system prompt' }] }, 'messages');
    // As OpenAI, Anthropic and Cohere: a system message holds text only.
    await rejects({ messages: [{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }, user('x')] }, 'messages[0].content[1]');
  });
});
