import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../core/errors.js';
import { MAX_INPUT_ITEMS, parseResponsesRequest } from './responses-request.js';

describe('parseResponsesRequest', () => {
  it(`takes at most ${MAX_INPUT_ITEMS} input items; more is a 400 naming input, before any item is read`, () => {
    const item = { role: 'user', content: 'a' };
    assert.equal(parseResponsesRequest({ model: 'm', input: Array(MAX_INPUT_ITEMS).fill(item) }).input?.length, MAX_INPUT_ITEMS);
    // The items past the first are not items at all: had they been read, the 400 would be zod's "Invalid input".
    const over = [item, ...Array(MAX_INPUT_ITEMS).fill(5)];
    let refused: unknown;
    try {
      parseResponsesRequest({ model: 'm', input: over });
    } catch (error) {
      refused = error;
    }
    assert.ok(refused instanceof ApiError);
    assert.deepEqual([refused.status, refused.param], [400, 'input']);
    assert.match(refused.message, /at most 10000 items in one request \(got 10001\)/);
  });
});
