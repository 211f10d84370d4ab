import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedFinishReason } from './bounded-finish-reason.js';

describe('boundedFinishReason', () => {
  it('keeps a short plain word raw', () => {
    for (const reason of ['stop', 'timeout', 'malformed_function_call', 'FUTURE-REASON.2']) assert.equal(boundedFinishReason(reason), reason);
  });

  it('shows anything else as unknown', () => {
    for (const reason of ['', 'x'.repeat(41), 'stop\r\n<b>', 'a b', '"quoted"', 'ü']) assert.equal(boundedFinishReason(reason), 'unknown', JSON.stringify(reason));
  });
});
