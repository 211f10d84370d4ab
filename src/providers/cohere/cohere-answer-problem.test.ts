import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CohereChatResponse } from './cohere-api.js';
import { cohereAnswerProblem, isCohereFinishReason } from './cohere-answer-problem.js';

const problem = (answer: unknown) => cohereAnswerProblem(answer as CohereChatResponse);

describe('cohereAnswerProblem', () => {
  it('reads answers Cohere sends: text, tool calls, no content', () => {
    assert.equal(problem({ finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'hi' }] } }), undefined);
    assert.equal(problem({ finish_reason: 'TOOL_CALL', message: { role: 'assistant', tool_plan: 'p', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] } }), undefined);
    assert.equal(problem({ finish_reason: null, message: { role: 'assistant' } }), undefined);
  });

  it('names what it cannot read', () => {
    assert.equal(problem(null), 'a chat answer without a message');
    assert.equal(problem({ message: 'hi' }), 'a chat answer without a message');
    assert.equal(problem({ message: { content: [null] } }), 'a chat answer whose content is not a list of objects');
    assert.equal(problem({ message: { content: { text: 'hi' } } }), 'a chat answer whose content is not a list of objects');
    assert.equal(problem({ message: { tool_calls: [1] } }), 'a chat answer whose tool calls are not a list of objects');
    assert.equal(problem({ finish_reason: 7, message: {} }), 'a chat answer whose finish reason is not a string');
  });

  it('isCohereFinishReason: a string or none', () => {
    for (const reason of ['COMPLETE', undefined, null]) assert.ok(isCohereFinishReason(reason));
    for (const reason of [7, {}, []]) assert.ok(!isCohereFinishReason(reason));
  });
});
