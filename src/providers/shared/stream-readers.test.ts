/**
 * The same bytes through each provider's stream reader, all running in the one loop
 * (stream-loop.ts): transport failures and early ends are the loop's and look alike; what an event
 * means, and so which error a malformed one is, stays each provider's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../core/errors.js';
import { readAnthropicStream } from '../anthropic/anthropic-stream.js';
import { readCohereStream } from '../cohere/cohere-stream.js';
import { readGeminiStream } from '../gemini/gemini-stream.js';
import { relayOpenAIStream } from '../openai-compatible/relay-stream.js';

type Reads = Array<string | Error>;
async function* body(reads: Reads): AsyncGenerator<Uint8Array> {
  for (const read of reads) {
    if (read instanceof Error) throw read;
    yield Buffer.from(read);
  }
}

const READERS: Record<string, (reads: Reads) => AsyncIterable<unknown[]>> = {
  openai: (reads) => relayOpenAIStream(body(reads), { provider: 'openai', publicModel: 'm', id: 'chatcmpl-1', created: 1, clientWantsUsage: false }),
  anthropic: (reads) => readAnthropicStream(body(reads), { provider: 'anthropic', jsonResponse: false }),
  gemini: (reads) => readGeminiStream(body(reads), { provider: 'gemini', requestId: 'chatcmpl-1' }),
  cohere: (reads) => readCohereStream(body(reads), { provider: 'cohere' }),
};

/** The parts before the failure, and the failure. */
async function outcome(provider: string, reads: Reads): Promise<{ parts: unknown[]; error: UpstreamError }> {
  const parts: unknown[] = [];
  try {
    for await (const batch of READERS[provider](reads)) parts.push(...batch);
  } catch (error) {
    assert.ok(error instanceof UpstreamError, `${provider}: ${String(error)}`);
    return { parts, error };
  }
  assert.fail(`${provider} read the stream without a failure`);
}

describe('every provider reader in the one loop', () => {
  it('a connection that breaks is the same transport error for all, naming the provider', async () => {
    for (const provider of Object.keys(READERS)) {
      const { error } = await outcome(provider, [Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })]);
      assert.equal(error.status, 502, provider);
      assert.equal(error.message, `connection to provider ${provider} failed: other side closed`);
    }
  });

  it("an empty body ends before each provider's own end of answer", async () => {
    const ends: Record<string, RegExp> = { openai: /before finishing/, anthropic: /before message_stop/, gemini: /before finishing/, cohere: /before message-end/ };
    for (const [provider, end] of Object.entries(ends)) {
      const { parts, error } = await outcome(provider, ['']);
      assert.deepEqual(parts, [], provider);
      assert.match(error.message, end, provider);
      assert.equal(error.status, 502, provider);
    }
  });

  it("the same malformed event is each provider's error; the relay passes it through unparsed, as it passes content", async () => {
    const malformed = ['data: {not json\n\n'];
    const expected: Record<string, RegExp> = {
      openai: /provider openai ended the stream before finishing/,
      anthropic: /provider anthropic sent a malformed stream event/,
      gemini: /provider gemini sent an event that is not JSON/,
      cohere: /provider cohere sent a stream event that is not JSON/,
    };
    for (const [provider, message] of Object.entries(expected)) {
      const { parts, error } = await outcome(provider, malformed);
      assert.match(error.message, message, provider);
      assert.equal(error.status, 502, provider);
      assert.deepEqual(parts, provider === 'openai' ? ['{not json'] : [], provider);
      if (provider !== 'openai') assert.equal(error.upstreamBody, '{not json', provider);
    }
  });

  it('`data: null` is no event for the translating readers', async () => {
    for (const provider of ['anthropic', 'gemini', 'cohere']) {
      const { error } = await outcome(provider, ['data: null\n\n']);
      assert.equal(error.status, 502, provider);
      assert.match(error.message, /malformed|not a JSON object/, provider);
    }
  });
});
