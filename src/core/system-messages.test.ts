import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from './chat.js';
import { systemPromptLength, wrapSystemText } from './system-messages.js';

describe('the rule for system messages', () => {
  it('leading system and developer messages are the system prompt; a later one is not', () => {
    const system = (content: string): ChatMessage => ({ role: 'system', content });
    assert.equal(systemPromptLength([system('a'), { role: 'developer', content: 'b' }, { role: 'user', content: 'c' }, system('d')]), 2);
    assert.equal(systemPromptLength([{ role: 'user', content: 'c' }, system('d')]), 0);
    assert.equal(systemPromptLength([system('a')]), 1);
  });

  it('a later one is wrapped in <system> tags when it must travel as a user turn', () => {
    assert.equal(wrapSystemText('Answer in French.'), '<system>\nAnswer in French.\n</system>');
  });
});
