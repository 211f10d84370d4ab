import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spliceCompletion } from './splice-completion.js';

const USAGE = '{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":0}}';
const answer = (head: string, tail = `,"usage":${USAGE}`) =>
  `{${head}"object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"He said \\"id\\":\\"x\\", \\"usage\\":{} and \\\\"},"finish_reason":"stop"}]${tail},"system_fingerprint":"fp_1"}`;

describe('spliceCompletion (a non-streamed answer relayed as text)', () => {
  it('puts our id and the public model in, keeps every other byte, and reads the top-level usage', () => {
    const text = answer('"id":"chatcmpl-up",');
    const spliced = spliceCompletion(text, 'chatcmpl-ours', 'my-model');
    assert.ok(spliced);
    assert.equal(spliced.json, text.replace('"chatcmpl-up"', '"chatcmpl-ours"').replace('"gpt-4o-mini-2024-07-18"', '"my-model"'));
    assert.equal(spliced.upstreamId, 'chatcmpl-up');
    assert.deepEqual(spliced.usage, JSON.parse(USAGE));
    const parsed = JSON.parse(spliced.json);
    assert.equal(parsed.id, 'chatcmpl-ours');
    assert.equal(parsed.choices[0].message.content, 'He said "id":"x", "usage":{} and \\', 'content that looks like a member is untouched');
  });

  it('matches what parsing and stringifying would give, whitespace aside', () => {
    for (const text of [answer('"id":"a",'), answer('"id" : "a" , '), `  ${answer('"id":"a",')}\n`, answer('"id":"a",', ''), answer('', ',"usage":null')]) {
      const spliced = spliceCompletion(text, 'ours', 'pub');
      assert.ok(spliced, text);
      const expected = { ...JSON.parse(text), id: 'ours', model: 'pub' };
      assert.deepEqual(JSON.parse(spliced.json), expected);
    }
  });

  it('puts our id first when the upstream gave none, and finds the model after the id or before it', () => {
    const none = spliceCompletion(answer(''), 'ours', 'pub');
    assert.ok(none);
    assert.ok(none.json.startsWith('{"id":"ours","object"'));
    assert.equal(none.upstreamId, undefined);
    const late = spliceCompletion('{"model":"m","choices":[],"id":"up"}', 'ours', 'pub');
    assert.equal(late?.json, '{"model":"pub","choices":[],"id":"ours"}');
    assert.equal(late.upstreamId, 'up');
  });

  it('leaves a usage object nested below the top level alone', () => {
    const spliced = spliceCompletion('{"id":"a","model":"m","choices":[{"x_groq":{"usage":{"prompt_tokens":99}}}]}', 'ours', 'pub');
    assert.ok(spliced);
    assert.equal(spliced.usage, undefined);
  });

  it('gives up (the caller parses) on what it cannot walk or relay as it is', () => {
    for (const text of [
      '',
      'not json',
      '[]',
      '{}',
      '{"id":"a","model":"m"}',
      '{"id":"a","model":"m","choices":{}}',
      '{"id":"a","model":"m","choices":[]',
      '{"id":"a","model":"m","choices":[]}}',
      '{"id":"a","model":"m","choices":[]} trailing',
      '{"id":"a","model":"m","choices":[[]}',
      '{"id":"a","model":"m","choices":["open}',
      '{"id":"a","choices":[]}',
      '{"id":7,"model":"m","choices":[]}',
      '{"id":"a\\u0041","model":"m","choices":[]}',
      '{"id":"a","model":"m","choices":[],"usage":{"prompt_tokens":}}',
      '{"id":"a" "model":"m","choices":[]}',
    ]) {
      assert.equal(spliceCompletion(text, 'ours', 'pub'), undefined, text);
    }
  });
});
