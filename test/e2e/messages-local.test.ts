/**
 * The Anthropic Messages API over the local provider (a real GGUF model, stories260K, in-process):
 * plain text with `@anthropic-ai/sdk`, answered and streamed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { fixturePath } from '../support/fixtures.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
let client: Anthropic;
const model = 'stories260K';

before(async () => {
  server = await startServer({ env: { OPENSQ_LOCAL_MODEL: fixturePath('models/stories260K.gguf'), OPENSQ_LOCAL_THREADS: '1' } });
  client = new Anthropic({ baseURL: server.url, apiKey: 'openai', maxRetries: 0 });
});

after(async () => {
  await server?.stop();
});

describe('@anthropic-ai/sdk over the local deployment (stories260K)', () => {
  it('messages.create: the model writes text, within max_tokens', async () => {
    const message = await client.messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'Once upon a time' }] });
    assert.equal(message.model, model);
    assert.equal(message.content.length, 1);
    assert.equal(message.content[0].type, 'text');
    assert.ok(message.content[0].type === 'text' && message.content[0].text.trim().length > 0);
    assert.ok(message.stop_reason === 'max_tokens' || message.stop_reason === 'end_turn', String(message.stop_reason));
    assert.ok(message.usage.output_tokens > 0 && message.usage.output_tokens <= 16, JSON.stringify(message.usage));
  });

  it('messages.stream(): text deltas that finalMessage() accumulates', async () => {
    const stream = client.messages.stream({ model, max_tokens: 16, messages: [{ role: 'user', content: 'Once upon a time' }] });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const message = await stream.finalMessage();
    assert.ok(text.trim().length > 0);
    assert.deepEqual(message.content, [{ type: 'text', text }]);
    assert.ok(message.usage.output_tokens > 0);
  });
});

describe('stop sequences on the local deployment', () => {
  it('the matched stop sequence is named: stop_reason stop_sequence, answered and streamed', async () => {
    // The tiny model writes common letters within a few tokens; 'e' stops it (greedy, so both answers agree).
    const params = { model, max_tokens: 64, temperature: 0, stop_sequences: ['e', 'zzzz'], messages: [{ role: 'user' as const, content: 'Once upon a time' }] };
    for (const message of [await client.messages.create(params), await client.messages.stream(params).finalMessage()]) {
      assert.equal(message.stop_reason, 'stop_sequence', JSON.stringify(message.content));
      assert.equal(message.stop_sequence, 'e');
      assert.ok(message.content.every((b) => b.type !== 'text' || !b.text.includes('e')));
    }
  });
});
