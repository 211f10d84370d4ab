import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath } from '../../../test/support/fixtures.js';
import { assertOpenAISchema } from '../../../test/support/openai-schemas.js';
import { UpstreamError } from '../../core/errors.js';
import { convertGeminiResponse } from './convert-gemini-response.js';
import { splitToolCallId } from './gemini-tool-call-id.js';
import type { GenerateContentResponse } from './gemini-api.js';

const FIXTURES = fixturePath('gemini');
const mock = (name: string): GenerateContentResponse => JSON.parse(readFileSync(path.join(FIXTURES, 'mock-responses', name), 'utf8'));
/** The first response a recording's first interaction got. */
const recorded = (name: string): GenerateContentResponse =>
  JSON.parse(readFileSync(path.join(FIXTURES, 'recordings', name), 'utf8')).interactions[0].response.bodySegments[0];

const ctx = { id: 'chatcmpl-abc123', created: 1_750_000_000, model: 'gemini-public', provider: 'gemini' };
const usage = (prompt: number, completion: number, reasoning = 0) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: reasoning },
});
const convert = (response: GenerateContentResponse) => convertGeminiResponse(response, ctx);

describe('convertGeminiResponse (recorded Gemini answers in, chat.completion out)', () => {
  it('a text answer with usage', () => {
    const { completion, usage } = convert(mock('googleai/unary-success-basic-reply-short.json'));
    assertOpenAISchema('CreateChatCompletionResponse', completion);
    assert.deepEqual(completion, {
      id: 'chatcmpl-abc123',
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'gemini-public',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "Google's headquarters, also known as the Googleplex, is located in **Mountain View, California**.\n",
            refusal: null,
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 7, completion_tokens: 22, total_tokens: 29, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    });
    assert.deepEqual(usage, completion.usage);
  });

  it('thought summaries as reasoning_content, thoughts counted as reasoning and completion tokens', () => {
    const { completion } = convert(mock('googleai/unary-success-thinking-reply-thought-summary.json'));
    assertOpenAISchema('CreateChatCompletionResponse', completion);
    const message = completion.choices[0].message;
    assert.equal(message.content, 'Mountain View');
    assert.match(message.reasoning_content!, /^\*\*Thinking About Google's Headquarters\*\*\n\nWell, this one's straightforward\./);
    assert.deepEqual(completion.usage, { prompt_tokens: 14, completion_tokens: 26, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 24 } });
  });

  it('a function call after thinking (with a thought signature): a tool call whose id carries the signature, finish tool_calls', () => {
    const response = mock('googleai/unary-success-thinking-function-call-thought-summary-signature.json');
    const signature = response.candidates![0].content!.parts![1].thoughtSignature!;
    const { completion } = convert(response);
    assertOpenAISchema('CreateChatCompletionResponse', completion);
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    const [call] = choice.message.tool_calls!;
    assert.deepEqual({ ...call, id: undefined }, { id: undefined, type: 'function', function: { name: 'now', arguments: '{}' } });
    assert.match(call.id, /^call_abc123_0__thought__[A-Za-z0-9_-]+$/, 'an id every provider accepts back (Anthropic allows only [A-Za-z0-9_-])');
    assert.deepEqual(splitToolCallId(call.id), { id: 'call_abc123_0', signature });
    assert.match(choice.message.reasoning_content!, /^\*\*Thinking Through the New Year's Eve Calculation\*\*/);
    assert.deepEqual(completion.usage, { prompt_tokens: 38, completion_tokens: 509, total_tokens: 547, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 501 } });
  });

  it('parallel function calls are numbered in order; calls without arguments get {}', () => {
    const parallel = convert(mock('vertexai/unary-success-function-call-parallel-calls.json')).completion;
    assertOpenAISchema('CreateChatCompletionResponse', parallel);
    assert.deepEqual(parallel.choices[0].message.tool_calls, [
      { id: 'call_abc123_0', type: 'function', function: { name: 'sum', arguments: '{"y":1,"x":2}' } },
      { id: 'call_abc123_1', type: 'function', function: { name: 'sum', arguments: '{"y":3,"x":4}' } },
      { id: 'call_abc123_2', type: 'function', function: { name: 'sum', arguments: '{"y":5,"x":6}' } },
    ]);
    assert.equal(parallel.usage, undefined, 'no usageMetadata: the gateway counts tokens itself');
    const bare = convert(mock('vertexai/unary-success-function-call-no-arguments.json')).completion;
    assert.deepEqual(bare.choices[0].message.tool_calls, [{ id: 'call_abc123_0', type: 'function', function: { name: 'current_time', arguments: '{}' } }]);
    const recordedCall = convert(recorded('Chats_Tests_chats_function_calling_Google_AI_with_function_calling.json')).completion;
    assert.deepEqual(recordedCall.choices[0].message.tool_calls, [{ id: 'call_abc123_0', type: 'function', function: { name: 'customDivide', arguments: '{"denominator":2,"numerator":100}' } }]);
    assert.equal(recordedCall.choices[0].finish_reason, 'tool_calls');
  });

  it('safety stops are content_filter; a blocked prompt is an empty content_filter answer', () => {
    const safety = convert(mock('googleai/unary-failure-finish-reason-safety.json')).completion;
    assertOpenAISchema('CreateChatCompletionResponse', safety);
    assert.equal(safety.choices[0].finish_reason, 'content_filter');
    assert.equal(safety.choices[0].message.content, 'Safety error incoming in 5, 4, 3, 2...');
    const blocked = convert(mock('googleai/unary-failure-only-prompt-feedback.json')).completion;
    assertOpenAISchema('CreateChatCompletionResponse', blocked);
    assert.deepEqual(blocked.choices, [{ index: 0, message: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: 'content_filter' }]);
  });

  it('reasons OpenAI has no word for are kept, lower-cased', () => {
    const { completion } = convert(mock('googleai/unary-failure-with-message-no-content.json'));
    assert.deepEqual(completion.choices, [{ index: 0, message: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: 'other' }]);
  });

  it('MAX_TOKENS is length; a thinking-only answer has only reasoning_content', () => {
    const { completion } = convert(recorded('Client_Tests_test_thinking_generate_content_should_return_thought_field.json'));
    assertOpenAISchema('CreateChatCompletionResponse', completion);
    assert.equal(completion.choices[0].finish_reason, 'length');
    assert.equal(completion.choices[0].message.content, '');
    assert.match(completion.choices[0].message.reasoning_content!, /^\*\*Breaking Down the Sum of Natural Numbers\*\*/);
  });

  it('code execution parts are skipped; tool-use prompt tokens count as prompt tokens', () => {
    const { completion } = convert(mock('googleai/unary-success-code-execution.json'));
    assert.match(completion.choices[0].message.content!, /^The first 5 prime numbers are/);
    assert.deepEqual(completion.usage, { prompt_tokens: 181, completion_tokens: 182, total_tokens: 363, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 86 } });
  });

  it('one choice per candidate; cached tokens reported', () => {
    const { completion } = convert({
      candidates: [
        { content: { role: 'model', parts: [{ text: 'B' }] }, finishReason: 'STOP', index: 1 },
        { content: { role: 'model', parts: [{ text: 'A' }] }, finishReason: 'MAX_TOKENS', index: 0 },
      ],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 2, totalTokenCount: 102, cachedContentTokenCount: 64 },
    });
    assertOpenAISchema('CreateChatCompletionResponse', completion);
    assert.deepEqual(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason]), [[0, 'A', 'length'], [1, 'B', 'stop']]);
    assert.deepEqual(completion.usage!.prompt_tokens_details, { cached_tokens: 64 });
  });

  it('grounded, cited and long answers: their text (length and start) and usage, grounding metadata aside', () => {
    const cases: Array<[string, string, number, ReturnType<typeof usage>]> = [
      ['googleai/unary-success-basic-reply-long.json', 'Making professional-quality coffee at home', 2591, usage(9, 1612)],
      ['googleai/unary-success-citations.json', "Okay, let's break down quantum mechanics.", 93, usage(15, 1667)],
      ['googleai/unary-success-google-maps-grounding.json', 'Here are a few pizza places near you:', 1093, usage(68, 375, 87)],
      ['googleai/unary-success-google-search-grounding.json', 'The current weather in London, United Kingdom is cloudy.', 182, usage(8, 60)],
      ['googleai/unary-success-google-search-grounding-empty-grounding-chunks.json', 'The current weather in London, United Kingdom is cloudy', 183, usage(8, 59)],
      ['googleai/unary-success-url-context-mixed-validity.json', '\nThe valid page, https://ai.google.dev,', 793, usage(2079, 358, 46)],
      ['googleai/unary-success-url-context.json', "Berkshire Hathaway Inc.'s official website", 496, usage(439, 244, 142)],
    ];
    for (const [name, start, length, expected] of cases) {
      const { completion } = convert(mock(name));
      assertOpenAISchema('CreateChatCompletionResponse', completion);
      const content = completion.choices[0].message.content!;
      assert.ok(content.startsWith(start), name);
      assert.equal(content.length, length, name);
      assert.equal(completion.choices[0].finish_reason, 'stop', name);
      assert.deepEqual(completion.usage, expected, name);
    }
    const system = convert(recorded('Client_Tests_generateContent_ML_Dev_should_generate_content_with_system_instruction.json')).completion;
    assert.equal(system.choices[0].message.content, 'low');
    assert.deepEqual(system.usage, usage(9, 21, 20));
  });

  it('an answer with neither candidates nor prompt feedback is the upstream failing', () => {
    assert.throws(() => convert({ modelVersion: 'x' }), (e: unknown) => e instanceof UpstreamError && e.status === 502);
  });
});
