import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapCohereFinishReason } from './map-cohere-finish-reason.js';

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
});
