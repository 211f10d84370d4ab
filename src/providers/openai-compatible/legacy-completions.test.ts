import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatCall, ChatStream } from '../types.js';
import { chatResultOfTextCompletion, legacyUpstreamBody, textChunksAsChat } from './legacy-completions.js';

const call = { id: 'cmpl-ours', created: 7, publicModel: 'public', upstreamModel: 'gpt-3.5-turbo-instruct' } as ChatCall;

describe('legacy completions at an OpenAI-compatible upstream', () => {
  it('the body: the client fields as sent, the upstream model, the gateway cap, usage asked for when streaming', () => {
    const legacy = { model: 'public', prompt: 'Hi', max_tokens: 50, suffix: '!', stream_options: { include_usage: false } };
    assert.deepEqual(legacyUpstreamBody(legacy, call, false), { model: 'gpt-3.5-turbo-instruct', prompt: 'Hi', max_tokens: 50, suffix: '!', stream: false });
    assert.deepEqual(legacyUpstreamBody(legacy, { ...call, maxAnswerTokens: 10 }, true), {
      model: 'gpt-3.5-turbo-instruct', prompt: 'Hi', max_tokens: 10, suffix: '!', stream: true, stream_options: { include_usage: true },
    });
  });

  it('a text_completion as a chat result under our id and model; the upstream id kept', () => {
    const result = chatResultOfTextCompletion(
      JSON.stringify({ id: 'cmpl-up', object: 'text_completion', choices: [{ text: 'Hello', index: 0, logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      call,
      'openai',
    );
    assert.equal(result.upstreamId, 'cmpl-up');
    assert.deepEqual(result.completion, {
      id: 'cmpl-ours', object: 'chat.completion', created: 7, model: 'public',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
    assert.throws(() => chatResultOfTextCompletion('<html>', call, 'openai'), /not JSON/);
  });

  it('relayed text_completion chunks as chat chunks, with the text for counting', async () => {
    const batches = [[JSON.stringify({ id: 'x', choices: [{ text: 'He', index: 0, finish_reason: null }] }), JSON.stringify({ id: 'x', choices: [{ text: 'y', index: 0, finish_reason: 'stop' }] })]];
    const relayed: ChatStream = { async *[Symbol.asyncIterator]() { yield* batches; }, usage: () => undefined, completionText: () => '' };
    const stream = textChunksAsChat(relayed, call);
    const out: string[] = [];
    for await (const batch of stream) out.push(...batch);
    assert.deepEqual(out.map((text) => JSON.parse(text).choices[0]), [
      { index: 0, delta: { content: 'He' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: 'y' }, logprobs: null, finish_reason: 'stop' },
    ]);
    assert.equal(JSON.parse(out[0]).id, 'cmpl-ours');
    assert.equal(stream.completionText(), 'Hey');
  });
});
