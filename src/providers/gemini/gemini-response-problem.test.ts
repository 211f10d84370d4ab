import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GenerateContentResponse } from './gemini-api.js';
import { geminiResponseProblem } from './gemini-response-problem.js';

const problem = (response: unknown) => geminiResponseProblem(response as GenerateContentResponse);

describe('geminiResponseProblem', () => {
  it('reads answers Google sends: text, function calls, a blocked prompt, no content, no candidates', () => {
    assert.equal(problem({ candidates: [{ content: { parts: [{ text: 'hi' }, { functionCall: { name: 'f', args: {} } }], role: 'model' }, finishReason: 'STOP' }] }), undefined);
    assert.equal(problem({ candidates: [{ finishReason: 'SAFETY', safetyRatings: [] }] }), undefined);
    assert.equal(problem({ promptFeedback: { blockReason: 'SAFETY' } }), undefined);
    assert.equal(problem({ candidates: [] }), undefined);
  });

  it('names what it cannot read', () => {
    assert.equal(problem({ candidates: {} }), 'candidates that are not a list');
    assert.equal(problem({ candidates: [null] }), 'a candidate that is not an object');
    assert.equal(problem({ candidates: [{ finishReason: 7 }] }), 'a finish reason that is not a string');
    assert.equal(problem({ candidates: [{ content: { parts: [null] } }] }), 'parts that are not a list of objects');
    assert.equal(problem({ candidates: [{ content: { parts: 'text' } }] }), 'parts that are not a list of objects');
    assert.equal(problem({ candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] }), 'a function call without a name');
  });
});
