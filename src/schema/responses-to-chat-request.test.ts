import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../core/errors.js';
import { CHAT_TOOLS } from '../core/tools.js';
import { convertResponsesInput } from './convert-responses-input.js';
import { parseResponsesRequest, responsesWarnings } from './responses-request.js';
import { responsesToChatRequest } from './responses-to-chat-request.js';

const toChat = (body: Record<string, unknown>) => {
  const parsed = parseResponsesRequest({ model: 'm', ...body });
  return responsesToChatRequest(parsed, convertResponsesInput(parsed.instructions, parsed.input));
};

function refuses(body: Record<string, unknown>, code: string, param: string, pattern: RegExp): void {
  assert.throws(() => toChat(body), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.deepEqual([error.code, error.param], [code, param]);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('a Responses request as the core chat request', () => {
  it('input as a string, instructions as the system message, and the sampling fields', () => {
    const chat = toChat({ input: 'Hi', instructions: 'Be kind.', max_output_tokens: 50, temperature: 0.2, top_p: 0.9, user: 'u1', metadata: { a: 'b' }, store: false, stream: true });
    assert.deepEqual(JSON.parse(JSON.stringify(chat)), {
      model: 'm',
      messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u1',
    });
  });

  it('message items with text and images, assistant output, function calls joined to the assistant turn, outputs as tool messages, reasoning dropped', () => {
    const chat = toChat({
      input: [
        { role: 'developer', content: 'Rules' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look: ' }, { type: 'input_image', image_url: 'https://x.test/a.png', detail: 'low' }] },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{"x":1}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
        { role: 'user', content: [{ type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAAA' }] },
      ],
    });
    assert.deepEqual(chat.messages, [
      { role: 'developer', content: 'Rules' },
      { role: 'user', content: [{ type: 'text', text: 'Look: ' }, { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } }] },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{"x":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
      { role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,AAAA', filename: 'a.pdf' } }] },
    ]);
  });

  it('flat function tools, tool_choice, parallel_tool_calls, text.format and reasoning.effort in the chat shape, read once into ChatTools', () => {
    const chat = toChat({
      input: 'x',
      tools: [{ type: 'function', name: 'f', description: 'F', parameters: { type: 'object' }, strict: true }, { type: 'function', name: 'g', strict: false }],
      tool_choice: { type: 'function', name: 'g' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'high', summary: 'auto' },
    });
    assert.deepEqual(chat.tools, [
      { type: 'function', function: { name: 'f', description: 'F', parameters: { type: 'object' }, strict: true } },
      { type: 'function', function: { name: 'g' } },
    ]);
    assert.deepEqual(chat.tool_choice, { type: 'function', function: { name: 'g' } });
    assert.deepEqual(chat[CHAT_TOOLS]?.choice, { type: 'function', name: 'g' });
    assert.equal(chat.parallel_tool_calls, false);
    assert.deepEqual(chat.response_format, { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } });
    assert.equal(chat.reasoning_effort, 'high');
    assert.deepEqual(toChat({ input: 'x', text: { format: { type: 'json_object' } } }).response_format, { type: 'json_object' });
    assert.equal(toChat({ input: 'x', text: { format: { type: 'text' } } }).response_format, undefined);
    const allowed = toChat({ input: 'x', tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'f' }] } });
    assert.deepEqual(allowed[CHAT_TOOLS]?.choice, { type: 'allowed', mode: 'required', names: ['f'] });
  });

  it('refuses built-in tools by name, and what it cannot carry, naming the parameter', () => {
    refuses({ input: 'x', tools: [{ type: 'function', name: 'f' }, { type: 'web_search_preview' }] }, 'unsupported_parameter', 'tools[1]', /built-in tool "web_search_preview"/);
    refuses({ input: 'x', tool_choice: { type: 'file_search' } }, 'unsupported_parameter', 'tool_choice', /"file_search"/);
    refuses({ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'invalid_request', 'input[0]', /not stored/);
    refuses({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, 'unsupported_parameter', 'input[0].content[0]', /file_id/);
    refuses({ input: [{ role: 'tool', content: 'x' }] }, 'invalid_request', 'input[0].role', /user, assistant/);
    refuses({ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'invalid_request', 'input[0].call_id', /string/);
    refuses({ input: 'x', background: true }, 'unsupported_parameter', 'background', /background/);
    refuses({ input: 'x', max_output_tokens: 0 }, 'invalid_request', 'max_output_tokens', /Invalid value/);
    refuses({ input: 'x', text: { format: { type: 'json_schema' } } }, 'invalid_request', 'text.format', /name and a schema/);
    refuses({}, 'invalid_request', 'input', /Missing required parameter/);
    refuses({ input: 'x', conversation: 'conv_1' }, 'unsupported_parameter', 'conversation', /not supported/);
    refuses({ input: 'x', prompt: { id: 'pmpt_1' } }, 'unsupported_parameter', 'prompt', /not supported/);
  });

  it('reports what it cannot honour as dropped_parameter warnings; storage and caching hints pass silently', () => {
    const warnings = responsesWarnings(parseResponsesRequest({ model: 'm', input: 'x', truncation: 'auto', include: ['reasoning.encrypted_content'], top_logprobs: 2, text: { verbosity: 'low' }, max_tool_calls: 3 }));
    assert.deepEqual(warnings.map((w) => w.code), Array(5).fill('dropped_parameter'));
    assert.match(warnings.map((w) => w.message).join('\n'), /truncation[\s\S]*top_logprobs[\s\S]*max_tool_calls[\s\S]*include reasoning\.encrypted_content[\s\S]*verbosity/);
    assert.deepEqual(responsesWarnings(parseResponsesRequest({ model: 'm', input: 'x', service_tier: 'auto', prompt_cache_key: 'k', safety_identifier: 's', store: false, include: [] })), []);
  });
});
