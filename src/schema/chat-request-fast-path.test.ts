import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../core/errors.js';
import { parseChatRequest } from './chat-request.js';
import { isPlainChatRequest } from './chat-request-fast-path.js';

const valid = (): Record<string, unknown> => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }], name: 'u' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    { role: 'tool', content: 'ok', tool_call_id: 'call_1' },
  ],
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 10,
  max_completion_tokens: null,
  temperature: 0.5,
  top_p: 1,
  n: 2,
  seed: -3,
  presence_penalty: 0,
  frequency_penalty: null,
  stop: ['a', 'b'],
  tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
  tool_choice: 'auto',
  response_format: { type: 'text' },
  user: 'me',
  logit_bias: { '1': 2 },
});

/** One field of the valid body changed to something the schema refuses. */
const refused: Array<[string, (body: Record<string, unknown>) => void]> = [
  ['model', (b) => (b.model = '')],
  ['messages', (b) => (b.messages = [])],
  ['messages[0].role', (b) => ((b.messages as Array<Record<string, unknown>>)[0].role = 'robot')],
  ['messages[0].content', (b) => ((b.messages as Array<Record<string, unknown>>)[0].content = 7)],
  ['messages[1].content', (b) => ((b.messages as Array<Record<string, unknown>>)[1].content = [{ text: 'no type' }])],
  ['messages[1].name', (b) => ((b.messages as Array<Record<string, unknown>>)[1].name = null)],
  ['messages[2].tool_calls[0].function.arguments', (b) => ((b.messages as Array<Record<string, unknown>>)[2].tool_calls = [{ id: 'c', function: { name: 'f', arguments: {} } }])],
  ['messages[3].tool_call_id', (b) => ((b.messages as Array<Record<string, unknown>>)[3].tool_call_id = 1)],
  ['messages[0]', (b) => ((b.messages as unknown[])[0] = ['user', 'hi'])],
  ['stream', (b) => (b.stream = 'yes')],
  ['stream_options.include_usage', (b) => (b.stream_options = { include_usage: null })],
  ['max_tokens', (b) => (b.max_tokens = 0)],
  ['max_completion_tokens', (b) => (b.max_completion_tokens = 1.5)],
  ['temperature', (b) => (b.temperature = '0.5')],
  ['top_p', (b) => (b.top_p = Infinity)],
  ['n', (b) => (b.n = 129)],
  ['seed', (b) => (b.seed = 2 ** 60)],
  ['stop', (b) => (b.stop = ['a', 1])],
  ['tools[0].type', (b) => (b.tools = [{ function: {} }])],
  ['tool_choice', (b) => (b.tool_choice = 3)],
  ['response_format', (b) => (b.response_format = 'json')],
  ['user', (b) => (b.user = 5)],
];

describe('parseChatRequest: the hand-checked common body and the schema agree', () => {
  it('takes a valid body by the fast path, as the schema would have read it', () => {
    const body = valid();
    assert.equal(isPlainChatRequest(body), true);
    const parsed = parseChatRequest(body) as unknown as Record<string, unknown>;
    const expected = valid();
    for (const key of Object.keys(expected)) assert.deepEqual(parsed[key], expected[key], key);
  });

  for (const [param, change] of refused) {
    it(`leaves a bad ${param} to the schema, which names it`, () => {
      const body = valid();
      change(body);
      assert.equal(isPlainChatRequest(body), false);
      assert.throws(() => parseChatRequest(body), (error: unknown) => error instanceof ApiError && error.status === 400 && error.param === param);
    });
  }
});
