import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cohereArgumentsText, cohereErrorText } from './cohere-values.js';

describe('cohereErrorText / cohereArgumentsText', () => {
  it("reads an error of any shape as text, never [object Object]", () => {
    assert.equal(cohereErrorText('overloaded'), 'overloaded');
    assert.equal(cohereErrorText({ message: 'the model crashed', code: 'internal' }), 'the model crashed');
    assert.equal(cohereErrorText({ code: 7 }), '{"code":7}');
    assert.equal(cohereErrorText(true), 'true');
  });

  it('gives tool-call arguments as a JSON string', () => {
    assert.equal(cohereArgumentsText('{"a":1}'), '{"a":1}');
    assert.equal(cohereArgumentsText({ city: 'Paris' }), '{"city":"Paris"}');
    assert.equal(cohereArgumentsText(42), '42');
    assert.equal(cohereArgumentsText(null), '');
    assert.equal(cohereArgumentsText(undefined), '');
  });
});
