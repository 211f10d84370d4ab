/**
 * Extended thinking on /v1/messages over models that are not Anthropic's, with the official
 * `@anthropic-ai/sdk`: reasoning (DeepSeek-style `reasoning_content`, Gemini thought parts,
 * Cohere's tool plan) comes back as signed thinking blocks when the client turned thinking on, and
 * a second turn sending them back works on each provider — the gateway's own blocks return to the
 * model as its reasoning, and Anthropic is never sent a signature it did not issue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { type FourProviderGateway, ONE_MODEL_A_PROVIDER as MODELS, startFourProviderGateway } from '../support/four-providers.js';
import { http } from '../support/http.js';

let gateway: FourProviderGateway;
let client: Anthropic;

before(async () => {
  gateway = await startFourProviderGateway({ models: MODELS });
  client = new Anthropic({ baseURL: gateway.server.url, apiKey: 'openai', maxRetries: 0 });
});

after(async () => {
  await gateway?.stop();
});

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Get the current weather for a given location',
  input_schema: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] },
};
const question = "What's the weather like in Paris today? #think";
const thinking = { type: 'enabled' as const, budget_tokens: 2048 };

/** The reasoning each fake answers: DeepSeek's and Gemini's think about the question; Cohere plans its tool call. */
const REASONING: Record<string, string> = {
  't-openai': `Thinking about: ${question}`,
  't-gemini': `Thinking about: ${question}`,
  't-cohere': 'I will use get_weather.',
};

function sseEvents(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  for (const frame of text.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(frame)?.[1];
    const data = /^data: (.*)$/m.exec(frame)?.[1];
    if (event && data) events.push({ event, data: JSON.parse(data) });
  }
  return events;
}

for (const model of ['t-openai', 't-gemini', 't-cohere'] as const) {
  describe(`extended thinking over ${MODELS[model]}`, () => {
    it('streamed: finalMessage() has the signed thinking block first, and sending it back continues the tool loop', async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: question }];
      const first = await client.messages.stream({ model, max_tokens: 4096, thinking, tools: [weatherTool], messages }).finalMessage();
      assert.equal(first.stop_reason, 'tool_use');
      assert.deepEqual(first.content.map((b) => b.type), ['thinking', 'tool_use']);
      const block = first.content[0];
      assert.ok(block.type === 'thinking');
      assert.equal(block.thinking, REASONING[model]);
      assert.match(block.signature, /^opensq\.v1\.[\w-]{43}$/);

      const use = first.content[1];
      assert.ok(use.type === 'tool_use');
      messages.push({ role: 'assistant', content: first.content });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '12.3' }] });
      const second = await client.messages.create({ model, max_tokens: 4096, thinking, tools: [weatherTool], messages });
      assert.equal(second.content.at(-1)?.type === 'text' && second.content.at(-1)!.type === 'text' ? (second.content.at(-1) as Anthropic.TextBlock).text : '', 'The tool answered: 12.3');
      // The gateway's thinking went back to the model as the turn's reasoning, where its provider takes it.
      if (model === 't-openai') {
        const assistant = (gateway.openai.requests.at(-1)!.body.messages as Array<Record<string, unknown>>).find((m) => m.role === 'assistant');
        assert.equal(assistant?.reasoning_content, REASONING[model]);
      }
      if (model === 't-cohere') {
        const assistant = (gateway.cohere.requests.at(-1)!.body.messages as Array<Record<string, unknown>>).find((m) => m.role === 'assistant');
        assert.equal(assistant?.tool_plan, REASONING[model]);
      }
    });

    it('raw events: thinking_delta pieces, then its signature_delta, then content_block_stop', async () => {
      const res = await http(`${gateway.server.url}/v1/messages`, {
        headers: { 'x-api-key': 'openai', 'anthropic-version': '2023-06-01' },
        json: { model, max_tokens: 4096, thinking, tools: [weatherTool], stream: true, messages: [{ role: 'user', content: question }] },
      });
      assert.equal(res.status, 200);
      const events = sseEvents(res.text).filter((e) => e.data.index === 0);
      assert.deepEqual(events[0].data.content_block, { type: 'thinking', thinking: '', signature: '' });
      const kinds = events.slice(1).map((e) => (e.event === 'content_block_delta' ? (e.data.delta as { type: string }).type : e.event));
      assert.match(kinds.join(' '), /^(thinking_delta )+signature_delta content_block_stop$/);
    });

    it('without thinking asked for, no thinking block, as Anthropic answers', async () => {
      const message = await client.messages.create({ model, max_tokens: 4096, tools: [weatherTool], messages: [{ role: 'user', content: question }] });
      assert.deepEqual(message.content.map((b) => b.type), ['tool_use']);
      const streamed = await client.messages.stream({ model, max_tokens: 4096, tools: [weatherTool], messages: [{ role: 'user', content: question }] }).finalMessage();
      assert.deepEqual(streamed.content.map((b) => b.type), ['tool_use']);
    });
  });
}

describe('thinking sent back to another model', () => {
  it("an Anthropic deployment is never sent the gateway's signature (nor another provider's)", async () => {
    const first = await client.messages.create({ model: 't-openai', max_tokens: 4096, thinking, tools: [weatherTool], messages: [{ role: 'user', content: question }] });
    assert.equal(first.content[0].type, 'thinking');
    const use = first.content.find((b) => b.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use');
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: question },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '12.3' }] },
    ];
    const second = await client.messages.create({ model: 't-anthropic', max_tokens: 4096, tools: [weatherTool], messages });
    assert.deepEqual(second.content, [{ type: 'text', text: 'The tool answered: 12.3' }]);
    const sent = gateway.anthropic.requests.at(-1)!.body.messages as Array<{ role: string; content: Array<{ type: string }> }>;
    assert.deepEqual(sent[1].content.map((b) => b.type), ['tool_use']);
  });
});
