import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../core/errors.js';
import { ANTHROPIC_MESSAGES, signThinking } from '../core/anthropic-messages.js';
import { CHAT_TOOLS } from '../core/tools.js';
import { parseMessagesRequest } from './messages-request.js';

describe('parseMessagesRequest', () => {
  it("thinking the gateway signed goes back as the turn's reasoning; another provider's, or an altered text, is left out; the origin keeps them all for the Anthropic adapter to choose", () => {
    const turn = (blocks: Array<Record<string, unknown>>) =>
      parseMessagesRequest({
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: [...blocks, { type: 'tool_use', id: 't1', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'r' }] },
        ],
      }).chat;
    const ours = turn([{ type: 'thinking', thinking: 'plan', signature: signThinking('plan') }]);
    assert.equal(ours.messages[1].reasoning_content, 'plan');
    assert.deepEqual((ours[ANTHROPIC_MESSAGES]!.body.messages as Array<{ content: Array<{ type: string }> }>)[1].content.map((b) => b.type), ['thinking', 'tool_use']);
    assert.equal(ours[ANTHROPIC_MESSAGES]!.thinking, false);
    const foreign = turn([{ type: 'thinking', thinking: 'plan', signature: 'EqQBCgIYAhIM1gbcDa9G' }, { type: 'redacted_thinking', data: 'xyz' }]);
    assert.equal(foreign.messages[1].reasoning_content, undefined);
    const altered = turn([{ type: 'thinking', thinking: 'plan B', signature: signThinking('plan') }]);
    assert.equal(altered.messages[1].reasoning_content, undefined);
  });

  it('reads a Claude Code-style turn into the core chat request', () => {
    const { chat, thinkingBudget } = parseMessagesRequest({
      model: 'claude-sonnet-4-5',
      max_tokens: 32000,
      system: [
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be brief.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'List files', cache_control: { type: 'ephemeral' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'text', text: 'Listing.' },
            { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a.txt' }] },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'denied', is_error: true },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          ],
        },
      ],
      tools: [{ name: 'Bash', description: 'Runs a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } }, cache_control: { type: 'ephemeral' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['STOP'],
      temperature: 1,
      metadata: { user_id: 'user_abc' },
      thinking: { type: 'enabled', budget_tokens: 8000 },
      stream: true,
    });
    assert.equal(thinkingBudget, 8000);
    const { [CHAT_TOOLS]: tools, [ANTHROPIC_MESSAGES]: origin, ...plain } = chat;
    assert.equal('stream' in origin!.body, false);
    assert.deepEqual(origin!.body.thinking, { type: 'enabled', budget_tokens: 8000 });
    assert.deepEqual((origin!.body.messages as Array<{ content: Array<{ type: string }> }>)[1].content.map((b) => b.type), ['thinking', 'text', 'tool_use']);
    assert.deepEqual(plain, {
      model: 'claude-sonnet-4-5',
      max_tokens: 32000,
      stream: true,
      stop: ['STOP'],
      temperature: 1,
      user: 'user_abc',
      parallel_tool_calls: false,
      tool_choice: 'required',
      tools: [{ type: 'function', function: { name: 'Bash', description: 'Runs a command', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }],
      messages: [
        { role: 'system', content: 'You are Claude Code.\n\nBe brief.' },
        { role: 'user', content: 'List files' },
        { role: 'assistant', content: 'Listing.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'a.txt' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: denied' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      ],
    });
    assert.deepEqual(tools?.choice, { type: 'required' });
    assert.equal(tools?.functions[0].name, 'Bash');
  });

  it('maps tool_choice tool and none, base64 images and PDF documents', () => {
    const { chat } = parseMessagesRequest({
      model: 'm',
      max_tokens: 10,
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'f' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QUJD' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'UERG' }, title: 'a.pdf' },
          ],
        },
      ],
    });
    assert.deepEqual(chat.tool_choice, { type: 'function', function: { name: 'f' } });
    assert.deepEqual(chat.messages[0].content, [
      { type: 'image_url', image_url: { url: 'data:image/png;base64,QUJD' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,UERG', filename: 'a.pdf' } },
    ]);
    assert.equal(parseMessagesRequest({ model: 'm', max_tokens: 1, tool_choice: { type: 'none' }, messages: [{ role: 'user', content: 'x' }] }).chat.tool_choice, 'none');
  });

  it('refuses what Anthropic refuses, naming the field', () => {
    const refused = (body: unknown, message: RegExp) => assert.throws(() => parseMessagesRequest(body), (e: unknown) => e instanceof ApiError && e.status === 400 && message.test(e.message));
    refused({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, /^max_tokens: Field required$/);
    refused({ model: 'm', max_tokens: 1, messages: [] }, /at least one message/);
    refused({ model: 'm', max_tokens: 1, messages: [{ role: 'system', content: 'x' }] }, /^messages\.0\.role/);
    refused({ model: 'm', max_tokens: 1, messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'x' }] }] }, /assistant message cannot hold/);
    refused({ model: 'm', max_tokens: 1, tool_choice: { type: 'tool', name: 'g' }, tools: [{ name: 'f' }], messages: [{ role: 'user', content: 'x' }] }, /not in 'tools'/);
  });
});

describe('parseMessagesRequest refusals', () => {
  it("a field of the wrong type is named as such, not as missing ('Field required' is for a field not sent)", () => {
    const refused = (body: unknown): string => {
      try {
        parseMessagesRequest(body);
      } catch (error) {
        assert.ok(error instanceof ApiError);
        return error.message;
      }
      return 'not refused';
    };
    const ok = { role: 'user', content: 'a' };
    assert.equal(refused({ model: 5, max_tokens: 5, messages: [ok] }), 'model: Invalid input: expected string, received number');
    assert.equal(refused({ max_tokens: 5, messages: [ok] }), 'model: Field required');
    assert.equal(refused({ model: 'm', messages: [ok] }), 'max_tokens: Field required');
    assert.equal(refused({ model: 'm', max_tokens: '5', messages: [ok] }), 'max_tokens: Invalid input: expected number, received string');
    assert.equal(refused({ model: 'm', max_tokens: 5, messages: [ok, { role: 7, content: 'a' }] }), 'messages.1.role: Invalid option: expected one of "user"|"assistant"');
  });
});
