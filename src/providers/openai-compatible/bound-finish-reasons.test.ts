import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundFinishReasons, hasUnboundedFinishReason } from './bound-finish-reasons.js';

describe('hasUnboundedFinishReason / boundFinishReasons', () => {
  it('finds a finish reason of any length or characters, in any choice, spaced or not', () => {
    assert.equal(hasUnboundedFinishReason('{"choices":[{"finish_reason":"stop"},{"finish_reason":null}]}'), false);
    assert.equal(hasUnboundedFinishReason('{"choices":[{"message":{"content":"\\"finish_reason\\":\\"a b\\""},"finish_reason":"length"}]}'), false, 'text that looks like one in content is not one');
    assert.equal(hasUnboundedFinishReason(`{"choices":[{"finish_reason":"stop"},{"finish_reason" : "${'x'.repeat(100)}"}]}`), true);
    assert.equal(hasUnboundedFinishReason('{"choices":[{"finish_reason":"stop\\r\\n<b>"}]}'), true);
  });

  it('bounds string finish reasons in place and leaves the rest', () => {
    const choices = [{ finish_reason: 'x'.repeat(100) }, { finish_reason: 'stop' }, { finish_reason: null }, null];
    boundFinishReasons(choices);
    assert.deepEqual(choices, [{ finish_reason: 'unknown' }, { finish_reason: 'stop' }, { finish_reason: null }, null]);
  });
});
