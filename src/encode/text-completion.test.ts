import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatCompletion } from '../core/chat.js';
import { textCompletion, textCompletionChunk } from './text-completion.js';

describe('chat answers as legacy text_completion', () => {
  it('a completion: each choice content as text, usage kept', () => {
    const completion: ChatCompletion = {
      id: 'cmpl-1',
      object: 'chat.completion',
      created: 5,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'length', logprobs: null }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    assert.deepEqual(textCompletion(completion), {
      id: 'cmpl-1',
      object: 'text_completion',
      created: 5,
      model: 'm',
      choices: [{ text: 'Hi', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });

  it('chunks: content as text, the role-only chunk left out, finish and usage-only chunks kept', () => {
    const head = { id: 'cmpl-1', object: 'chat.completion.chunk', created: 5, model: 'm' };
    const chunk = (choices: unknown[], extra = {}) => JSON.stringify({ ...head, choices, ...extra });
    assert.equal(textCompletionChunk(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])), undefined);
    assert.deepEqual(JSON.parse(textCompletionChunk(chunk([{ index: 0, delta: { content: 'Hel' }, finish_reason: null }]))!), {
      id: 'cmpl-1', object: 'text_completion', created: 5, model: 'm', choices: [{ text: 'Hel', index: 0, logprobs: null, finish_reason: null }],
    });
    assert.equal(JSON.parse(textCompletionChunk(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]))!).choices[0].finish_reason, 'stop');
    assert.deepEqual(JSON.parse(textCompletionChunk(chunk([], { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }))!).usage, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
  });
});
