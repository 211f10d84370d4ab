import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AnthropicMessagesOrigin, signThinking } from '../../core/anthropic-messages.js';
import { passthroughRequest } from './anthropic-passthrough.js';

const anthropicSigned = { type: 'thinking', thinking: 'plan', signature: 'EvQBCkYICxgCKkAxhD4NUKFz' };
const redacted = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' };
const gatewaySigned = { type: 'thinking', thinking: 'other model', signature: signThinking('other model') };
const edited = { type: 'thinking', thinking: 'edited', signature: signThinking('other model') };
const use = { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} };

function origin(thinking: boolean, extra: Record<string, unknown> = {}): AnthropicMessagesOrigin {
  return {
    body: {
      model: 'claude-sonnet-4-5',
      max_tokens: 8000,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [anthropicSigned, redacted, gatewaySigned, edited, use] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }] },
      ],
      ...extra,
    },
    betas: ['interleaved-thinking-2025-05-14', 'files-api-2025-04-14'],
    thinking,
  };
}

const assistant = (body: Record<string, unknown>) => (body.messages as Array<{ content: unknown[] }>)[1].content;

describe('passthroughRequest and thinking', () => {
  it("with thinking: the client's thinking, and its Anthropic-signed and redacted blocks unchanged; never a block in the gateway's signature form", () => {
    const plan = passthroughRequest(origin(true), { model: 'claude-sonnet-4-5-20250929', stream: true, thinking: true });
    const body = plan.body as unknown as Record<string, unknown>;
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.deepEqual(assistant(body), [anthropicSigned, redacted, use]);
    assert.equal(plan.beta, 'interleaved-thinking-2025-05-14');
  });

  it('without thinking (not asked, or the model does not serve it): no thinking field and no thinking block', () => {
    for (const [asked, served] of [[false, false], [true, false]]) {
      const body = passthroughRequest(origin(asked), { model: 'm', stream: false, thinking: served }).body as unknown as Record<string, unknown>;
      assert.equal('thinking' in body, false);
      assert.deepEqual(assistant(body), [use]);
    }
  });

  it("the client's messages array is sent as it is when nothing is left out", () => {
    const plain = origin(true, { messages: [{ role: 'user', content: 'q' }] });
    assert.equal(passthroughRequest(plain, { model: 'm', stream: false, thinking: true }).body.messages, plain.body.messages);
  });

  it("a gateway cap at or under the budget lowers the budget below it (reported), or leaves thinking out when under 1024 tokens (reported); the client's own mistake goes to Anthropic", () => {
    const lowered = passthroughRequest(origin(true), { model: 'm', stream: false, thinking: true, maxAnswerTokens: 2000 });
    assert.equal(lowered.body.max_tokens, 2000);
    assert.deepEqual(lowered.body.thinking, { type: 'enabled', budget_tokens: 1999 });
    assert.match(lowered.warnings.map((w) => `${w.code}: ${w.message}`).join('\n'), /adjusted_parameter: thinking.budget_tokens 2048 .* sent 1999/);

    const dropped = passthroughRequest(origin(true), { model: 'm', stream: false, thinking: true, maxAnswerTokens: 1000 });
    assert.equal(dropped.body.thinking, undefined);
    assert.deepEqual(assistant(dropped.body as unknown as Record<string, unknown>), [use]);
    assert.match(dropped.warnings.map((w) => w.code).join(), /dropped_parameter/);

    const own = passthroughRequest(origin(true, { max_tokens: 2048 }), { model: 'm', stream: false, thinking: true });
    assert.deepEqual(own.body.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.equal(own.warnings.some((w) => w.message.includes('thinking')), false);
  });
});
