import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cohereFinishPart, mapCohereFinishReason } from './map-cohere-finish-reason.js';

describe('mapCohereFinishReason', () => {
  it("maps Cohere's reasons and keeps unknown ones in lower case", () => {
    const cases: Array<[string | undefined, string]> = [
      ['COMPLETE', 'stop'],
      ['STOP_SEQUENCE', 'stop'],
      ['MAX_TOKENS', 'length'],
      ['ERROR_LIMIT', 'length'],
      ['TOOL_CALL', 'tool_calls'],
      ['ERROR', 'error'],
      ['ERROR_TOXIC', 'content_filter'],
      ['TIMEOUT', 'timeout'],
      ['SOMETHING_NEW', 'something_new'],
      [undefined, 'stop'],
    ];
    for (const [reason, expected] of cases) assert.equal(mapCohereFinishReason(reason), expected, String(reason));
  });

  it('names the stop sequence of a STOP_SEQUENCE finish only when the request sent one alone', () => {
    assert.deepEqual(cohereFinishPart('STOP_SEQUENCE', ['END']), { type: 'finish', reason: 'stop', stopSequence: 'END' });
    assert.deepEqual(cohereFinishPart('STOP_SEQUENCE', ['END', 'STOP']), { type: 'finish', reason: 'stop' });
    assert.deepEqual(cohereFinishPart('STOP_SEQUENCE', undefined), { type: 'finish', reason: 'stop' });
    assert.deepEqual(cohereFinishPart('COMPLETE', ['END']), { type: 'finish', reason: 'stop' });
    assert.deepEqual(cohereFinishPart('MAX_TOKENS', ['END']), { type: 'finish', reason: 'length' });
  });
});
