import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatCompletion, Usage } from '../core/chat.js';
import { UpstreamError } from '../core/errors.js';
import type { ChatCall, ChatStream, ProviderAdapter, ProviderConfig } from '../providers/types.js';
import { guardedAdapter } from './guarded-adapter.js';

const SECRET = 'sk-guarded-secret-4711';
const config = (apiKey?: string) => ({ name: 'p', type: 'openai-compatible', apiKey, options: {}, timeouts: {} }) as unknown as ProviderConfig;
const usage = (completion: number): Usage => ({ prompt_tokens: 5, completion_tokens: completion, total_tokens: 5 + completion });
const completion = (u: Usage): ChatCompletion => ({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [], usage: u });
const call = {} as ChatCall;

function fake(apiKey: string | undefined, answer: Usage, failure?: Error): ProviderAdapter {
  return {
    config: config(apiKey),
    chat: async () => {
      if (failure) throw failure;
      return { completion: completion(answer), usage: answer, json: JSON.stringify(completion(answer)) };
    },
    stream: async () => {
      const stream: ChatStream = {
        async *[Symbol.asyncIterator]() {
          yield ['{"a":1}'];
          if (failure) throw failure;
        },
        usage: () => answer,
        completionText: () => 'hello',
      };
      return stream;
    },
    embed: async () => ({ vectors: [[0.1]], usage: { prompt_tokens: answer.completion_tokens, total_tokens: answer.completion_tokens } }),
  };
}

describe('guardedAdapter', () => {
  for (const apiKey of [SECRET, undefined]) {
    it(`refuses impossible usage in answers, streams and embeddings (${apiKey ? 'with' : 'without'} credentials)`, async () => {
      const adapter = guardedAdapter(fake(apiKey, usage(1e308)));
      const result = await adapter.chat(call);
      assert.equal(result.usage, undefined);
      assert.equal(result.json, undefined, 'the upstream JSON with its usage is not relayed');
      assert.equal(result.completion.usage, undefined, 'the answer shows no usage the route does not bill');
      const stream = await adapter.stream(call);
      for await (const _ of stream);
      assert.equal(stream.usage(), undefined);
      assert.deepEqual((await adapter.embed!({} as never)).usage, { prompt_tokens: 0, total_tokens: 0 });
      const fine = guardedAdapter(fake(apiKey, usage(3)));
      assert.deepEqual((await fine.chat(call)).completion.usage, usage(3));
      assert.deepEqual((await fine.stream(call)).usage(), usage(3));
    });
  }

  it('scrubs the credentials from what an answer or a stream under way throws', async () => {
    const failure = new UpstreamError('upstream_error', `bad key ${SECRET}`, { provider: 'p' });
    const adapter = guardedAdapter(fake(SECRET, usage(3), failure));
    await assert.rejects(adapter.chat(call), (e: Error) => !e.message.includes(SECRET) && e.message.includes('[redacted]'));
    const stream = await adapter.stream(call);
    await assert.rejects(
      (async () => {
        for await (const _ of stream);
      })(),
      (e: Error) => !e.message.includes(SECRET) && e.message.includes('[redacted]'),
    );
  });
});
