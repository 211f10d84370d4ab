/**
 * Stop sequences on /v1/messages over Cohere, with the official `@anthropic-ai/sdk`: Cohere says
 * only `STOP_SEQUENCE` and cuts the sequence from the text, so the gateway can name the sequence
 * (`stop_reason: "stop_sequence"`) when the client sent one alone, and otherwise ends the turn
 * without one, as for other providers that do not say which sequence matched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { type FourProviderGateway, startFourProviderGateway } from '../support/four-providers.js';

let gateway: FourProviderGateway;
let client: Anthropic;

before(async () => {
  gateway = await startFourProviderGateway({ models: { 't-cohere': 'cohere/command-r-plus' } });
  client = new Anthropic({ baseURL: gateway.server.url, apiKey: 'openai', maxRetries: 0 });
});

after(async () => {
  await gateway?.stop();
});

const ask = (stop_sequences: string[]) => ({ model: 't-cohere', max_tokens: 256, stop_sequences, messages: [{ role: 'user' as const, content: 'it is over now' }] });

describe('stop sequences over Cohere', () => {
  it('one sequence sent: Cohere ended on it, so stop_reason stop_sequence names it, answered and streamed', async () => {
    for (const message of [await client.messages.create(ask(['over'])), await client.messages.stream(ask(['over'])).finalMessage()]) {
      assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: it is ' }]);
      assert.equal(message.stop_reason, 'stop_sequence');
      assert.equal(message.stop_sequence, 'over');
    }
    const sent = gateway.cohere.requests.at(-1)!.body;
    assert.deepEqual(sent.stop_sequences, ['over']);
  });

  it('several sequences sent: which one matched is not known, so the turn ends without one', async () => {
    for (const message of [await client.messages.create(ask(['never', 'over'])), await client.messages.stream(ask(['never', 'over'])).finalMessage()]) {
      assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: it is ' }]);
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.stop_sequence, null);
    }
  });

  it('a sequence sent but not met: the answer is complete and ends the turn', async () => {
    const message = await client.messages.create(ask(['elsewhere']));
    assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: it is over now' }]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.stop_sequence, null);
  });
});
