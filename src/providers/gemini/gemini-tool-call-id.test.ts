import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitToolCallId, toolCallId } from './gemini-tool-call-id.js';

describe('tool call ids that carry a thought signature', () => {
  it('carry any base64 signature losslessly, within [A-Za-z0-9_-]', () => {
    for (const signature of ['CiIBVKhc7vB+vaaq6rA/KC79Ts7i', 'Cg==', 'Cgo=', 'Cgo+', '+/+/']) {
      const id = toolCallId('call_x_0', signature);
      assert.match(id, /^call_x_0__thought__[A-Za-z0-9_-]*$/);
      assert.deepEqual(splitToolCallId(id), { id: 'call_x_0', signature });
    }
  });

  it('carry a signature that is not base64 as its UTF-8 bytes', () => {
    const id = toolCallId('call_x_1', 'not base64: ü');
    assert.match(id, /^call_x_1__thoughtraw__[A-Za-z0-9_-]+$/);
    assert.deepEqual(splitToolCallId(id), { id: 'call_x_1', signature: 'not base64: ü' });
  });

  it('leave ids without a signature alone, both ways', () => {
    assert.equal(toolCallId('call_x_2', undefined), 'call_x_2');
    assert.deepEqual(splitToolCallId('call_x_2'), { id: 'call_x_2' });
    assert.deepEqual(splitToolCallId('toolu_01A09q90qw90lq917835lq9'), { id: 'toolu_01A09q90qw90lq917835lq9' });
  });
});
