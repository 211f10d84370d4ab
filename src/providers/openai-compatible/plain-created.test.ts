import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkCreatedIsPlain, isPlainCreated } from './plain-created.js';
import { spliceCompletion } from './splice-completion.js';

describe('plain created times', () => {
  it('takes whole seconds from 0, and nothing else', () => {
    for (const good of [0, 1, 1_700_000_000]) assert.equal(isPlainCreated(good), true);
    for (const bad of [-5, 1e308, 1.5, '1700000000', null, undefined, Number.NaN]) assert.equal(isPlainCreated(bad), false, String(bad));
  });

  it("judges a chunk's created by its text, spaced or not, and passes a chunk without one", () => {
    assert.equal(chunkCreatedIsPlain('{"id":"c","object":"chat.completion.chunk","created":1700000000,"model":"m"}'), true);
    assert.equal(chunkCreatedIsPlain('{"id":"c","created": 17}'), true);
    assert.equal(chunkCreatedIsPlain('{"id":"c","choices":[]}'), true);
    for (const bad of ['"soon"', '1e+308', '-5', '1.5', '1234567890123', 'null']) assert.equal(chunkCreatedIsPlain(`{"id":"c","created":${bad},"model":"m"}`), false, bad);
    assert.equal(chunkCreatedIsPlain('{"id":"c","choices":[{"delta":{"content":"\\"created\\":\\"x\\""}}],"created":5}'), true, 'content that looks like the key is not it');
  });

  it('sends a non-streamed answer whose created is no time to the parsing path', () => {
    const answer = (created: string) => `{"id":"x","object":"chat.completion","created":${created},"model":"m","choices":[]}`;
    assert.ok(spliceCompletion(answer('1700000000'), 'ours', 'pub'));
    for (const bad of ['"soon"', '1e+308', '-5']) assert.equal(spliceCompletion(answer(bad), 'ours', 'pub'), undefined, bad);
  });
});
