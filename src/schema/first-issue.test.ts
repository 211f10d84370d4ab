import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ApiError } from '../core/errors.js';
import { parseChatRequest } from './chat-request.js';
import { parseListed } from './first-issue.js';
import { parseMessagesRequest } from './messages-request.js';

const ok = { role: 'user', content: 'a' };

function refusal(parse: () => unknown): ApiError {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return error;
  }
  assert.fail('not refused');
}

describe('parseListed', () => {
  it('reads the items only up to the first bad one, and names it by its place in the body', () => {
    let reads = 0;
    const item = z.unknown().superRefine((value, ctx) => {
      reads++;
      if (value !== 1) ctx.addIssue({ code: 'custom', message: 'not one', path: ['x'] });
    });
    const schema = z.looseObject({ model: z.string(), items: z.array(z.unknown()), after: z.number() });
    const result = parseListed({ schema, key: 'items', item, body: { model: 'm', items: [1, 1, 2, ...Array(100_000).fill(2)], after: 'x' } });
    assert.equal(reads, 3);
    assert.deepEqual(result.success ? undefined : result.issue.path, ['items', 2, 'x']);
    // A field before the list is the first issue, as zod puts it; after the list, it comes after the items.
    assert.deepEqual(parseListed({ schema, key: 'items', item, body: { model: 5, items: [2] } }), parseListed({ schema, key: 'items', item, body: { model: 5, items: [] } }));
    const later = parseListed({ schema, key: 'items', item, body: { model: 'm', items: [1], after: 'x' } });
    assert.deepEqual(later.success ? undefined : later.issue.path, ['after']);
    assert.deepEqual(parseListed({ schema, key: 'items', item, body: { model: 'm', items: [1, 1], after: 2 } }), { success: true, data: { model: 'm', items: [1, 1], after: 2 } });
  });

  // The answers the whole zod schema gave before the messages were read one by one.
  it('chat: the same param and message as the whole schema named', () => {
    const cases: Array<[unknown, string, string]> = [
      [{ model: 5, messages: [ok, { role: 'user', name: 5 }] }, 'model', "Invalid value for 'model': Invalid input: expected string, received number"],
      [{ model: 'm', stream: 'x', messages: [ok, ok, { role: 'robot' }, { role: 'user', name: 5 }] }, 'messages[2].role', `Invalid value for 'messages[2].role': Invalid option: expected one of "system"|"developer"|"user"|"assistant"|"tool"|"function"`],
      [{ model: 'm', messages: [] }, 'messages', "Invalid value for 'messages': Too small: expected array to have >=1 items"],
      [{ model: 'm', messages: 'hi' }, 'messages', "Invalid value for 'messages': Invalid input: expected array, received string"],
      [{ model: 'm', messages: [ok], temperature: 'hot' }, 'temperature', "Invalid value for 'temperature': Invalid input: expected number, received string"],
      [{ model: 'm', messages: [ok, { role: 'assistant', tool_calls: [{ id: 'c', function: { name: 1, arguments: '{}' } }] }] }, 'messages[1].tool_calls[0].function.name', "Invalid value for 'messages[1].tool_calls[0].function.name': Invalid input: expected string, received number"],
      [{ model: 'm', messages: [ok, 7] }, 'messages[1]', "Invalid value for 'messages[1]': Invalid input: expected object, received number"],
    ];
    for (const [body, param, message] of cases) {
      const error = refusal(() => parseChatRequest(body));
      assert.deepEqual([error.param, error.message], [param, message]);
    }
    const prefixed = refusal(() => parseChatRequest({ model: 'm', messages: [ok, { role: 'user', content: 5 }] }, 'body.'));
    assert.deepEqual([prefixed.param, prefixed.message], ['body.messages[1].content', "Invalid value for 'body.messages[1].content': Invalid input"]);
  });

  it('Messages API: the same words as the whole schema said', () => {
    const cases: Array<[unknown, string]> = [
      [{ model: 'm', messages: [ok, { role: 'user', content: 5 }] }, 'messages.1.content: Invalid input'],
      [{ model: 'm', max_tokens: 5, messages: [ok, { role: 'user' }] }, 'messages.1.content: Invalid input'],
      [{ model: 'm', max_tokens: 5 }, 'messages: Field required'],
      [{ model: 'm', messages: [ok], max_tokens: 0 }, 'max_tokens: Too small: expected number to be >=1'],
      [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ text: 'x' }] }] }, 'messages.0.content: Invalid input'],
    ];
    for (const [body, message] of cases) assert.equal(refusal(() => parseMessagesRequest(body)).message, message);
  });
});
