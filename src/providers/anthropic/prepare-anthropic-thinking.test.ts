import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signThinking } from '../../core/anthropic-messages.js';
import type { ChatRequest } from '../../core/chat.js';
import { convertToAnthropicRequest } from './convert-to-anthropic-request.js';

const loadImage = async (): Promise<never> => assert.fail('no image expected');
const convert = (fields: Partial<ChatRequest>) =>
  convertToAnthropicRequest({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], ...fields }, { model: 'claude-sonnet-4-5', stream: false, loadImage });
const codes = (plan: { warnings: Array<{ code: string; message: string }> }) => plan.warnings.map((w) => `${w.code}: ${w.message}`).join('\n');

describe('reasoning_effort as Anthropic extended thinking', () => {
  it('low, medium and high are budgets of 1024, 2048 and 4096, with room for the answer when no limit is asked', async () => {
    for (const [effort, budget] of [['minimal', 1024], ['low', 1024], ['medium', 2048], ['high', 4096]] as const) {
      const plan = await convert({ reasoning_effort: effort });
      assert.deepEqual(plan.body.thinking, { type: 'enabled', budget_tokens: budget }, effort);
      assert.equal(plan.body.max_tokens, budget + 4096);
      assert.deepEqual(plan.warnings, []);
    }
    const none = await convert({ reasoning_effort: 'none' });
    assert.equal(none.body.thinking, undefined);
    assert.equal(none.body.max_tokens, 4096);
  });

  it('a limit at or under the budget lowers the budget under it, or leaves thinking out below 1024; both reported', async () => {
    const lowered = await convert({ reasoning_effort: 'high', max_completion_tokens: 3000 });
    assert.deepEqual(lowered.body.thinking, { type: 'enabled', budget_tokens: 2999 });
    assert.equal(lowered.body.max_tokens, 3000);
    assert.match(codes(lowered), /adjusted_parameter: reasoning_effort high .* sent 2999/);
    const dropped = await convert({ reasoning_effort: 'low', max_tokens: 1024 });
    assert.equal(dropped.body.thinking, undefined);
    assert.match(codes(dropped), /dropped_parameter: reasoning_effort was ignored/);
    const unknown = await convert({ reasoning_effort: 'extreme' });
    assert.equal(unknown.body.thinking, undefined);
    assert.match(codes(unknown), /dropped_parameter: provider anthropic does not know reasoning_effort extreme/);
  });

  it("with thinking, a temperature other than 1, top_k and a top_p under 0.95 are not sent (reported), as Anthropic refuses them", async () => {
    const plan = await convert({ reasoning_effort: 'low', temperature: 0.2, top_k: 5, top_p: 0.5 });
    assert.equal(plan.body.temperature, undefined);
    assert.equal(plan.body.top_k, undefined);
    assert.equal(plan.body.top_p, undefined);
    assert.match(codes(plan), /temperature cannot be used/);
    assert.match(codes(plan), /top_k cannot be used/);
    const kept = await convert({ reasoning_effort: 'low', temperature: 1, top_p: 0.97 });
    assert.equal(kept.body.temperature, 1);
    assert.equal(kept.body.top_p, 0.97);
    assert.deepEqual(kept.warnings, []);
    const off = await convert({ temperature: 0.2, top_k: 5 });
    assert.equal(off.body.temperature, 0.2);
    assert.equal(off.body.top_k, 5);
  });

  it("an assistant turn's thinking_blocks Anthropic signed go back first in the turn with thinking on; the gateway's, unsigned ones, and all without thinking do not", async () => {
    const blocks = [
      { type: 'thinking', thinking: 'plan', signature: 'EvQBCkYICxgC' },
      { type: 'redacted_thinking', data: 'EmwKAhgB' },
      { type: 'thinking', thinking: 'mine', signature: signThinking('mine') },
      { type: 'thinking', thinking: 'unsigned' },
    ];
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, thinking_blocks: blocks, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'r' },
    ];
    const on = await convert({ reasoning_effort: 'low', messages });
    assert.deepEqual(on.body.messages[1].content, [blocks[0], blocks[1], { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }]);
    const off = await convert({ messages });
    assert.deepEqual(off.body.messages[1].content, [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }]);
  });

  it('a tool loop whose tool-calling turn came back without signed thinking_blocks is sent without thinking (reported), as Anthropic would refuse it', async () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'earlier', thinking_blocks: [{ type: 'thinking', thinking: 'old', signature: 'EvQBold' }] },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: null, thinking_blocks: [{ type: 'thinking', thinking: 'mine', signature: signThinking('mine') }], tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'r' },
    ];
    const plan = await convert({ reasoning_effort: 'high', messages });
    assert.equal(plan.body.thinking, undefined);
    assert.equal(plan.body.max_tokens, 4096);
    assert.deepEqual(plan.body.messages[1].content, [{ type: 'text', text: 'earlier' }]);
    assert.match(codes(plan), /dropped_parameter: reasoning_effort was ignored: the assistant turn with the tool calls/);
    const answered = await convert({ reasoning_effort: 'high', messages: messages.slice(0, 3) });
    assert.deepEqual(answered.body.thinking, { type: 'enabled', budget_tokens: 4096 });
    assert.equal(answered.body.messages[1].content[0].type, 'thinking');
  });
});
