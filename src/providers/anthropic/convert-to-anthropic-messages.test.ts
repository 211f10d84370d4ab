import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { fetchImage } from '../shared/fetch-image.js';
import { convertToAnthropicMessages, type LoadImage } from './convert-to-anthropic-messages.js';

const noFetch: LoadImage = async (url) => {
  assert.fail(`no image should be loaded, got ${url}`);
};

const convert = (messages: ChatMessage[], loadImage: LoadImage = noFetch) => convertToAnthropicMessages(messages, loadImage);

async function rejects400(messages: ChatMessage[], param: string, pattern: RegExp): Promise<void> {
  await assert.rejects(convert(messages), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 400);
    assert.equal(error.param, param);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('convertToAnthropicMessages', () => {
  it('system and developer messages go to the top-level system; the rest alternate as they are', async () => {
    const result = await convert([
      { role: 'system', content: 'You are a neko-helper.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
      { role: 'user', content: "What's 5 + 5?" },
      { role: 'assistant', content: 'Nya~! 5 + 5 is 10' },
      { role: 'user', content: 'Say what do you like' },
    ]);
    assert.deepEqual(result, {
      system: [
        { type: 'text', text: 'You are a neko-helper.' },
        { type: 'text', text: 'Answer in English.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: "What's 5 + 5?" }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Nya~! 5 + 5 is 10' }] },
        { role: 'user', content: [{ type: 'text', text: 'Say what do you like' }] },
      ],
      warnings: [],
    });
  });

  it('assistant tool calls become tool_use blocks; tool results one user turn of tool_result blocks, merged with the next user text', async () => {
    const result = await convert([
      { role: 'user', content: 'Weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '12.3' },
      { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '-4' }] },
      { role: 'user', content: 'And tomorrow?' },
    ]);
    assert.deepEqual(result.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '12.3' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '-4' }] },
          { type: 'text', text: 'And tomorrow?' },
        ],
      },
    ]);
  });

  it('tool results go first in their user turn, as Anthropic requires, and text before a tool call stays', async () => {
    const result = await convert([
      { role: 'user', content: 'Time?' },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 't1', type: 'function', function: { name: 'now', arguments: '' } }] },
      { role: 'user', content: 'quickly please' },
      { role: 'tool', tool_call_id: 't1', content: '' },
    ]);
    assert.deepEqual(result.messages.slice(1), [
      { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 't1', name: 'now', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }, { type: 'text', text: 'quickly please' }] },
    ]);
  });

  it('consecutive same-role messages merge; empty texts and empty turns are left out', async () => {
    const result = await convert([
      { role: 'user', content: 'one' },
      { role: 'user', content: [{ type: 'text', text: 'two' }, { type: 'text', text: '' }] },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'three' },
    ]);
    assert.deepEqual(result.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
          { type: 'text', text: 'three' },
        ],
      },
    ]);
  });

  it('images: data: URLs inline as base64, https URLs by reference, other URLs loaded as bytes', async () => {
    const loaded: string[] = [];
    const loadImage: LoadImage = async (url) => {
      loaded.push(url);
      return fetchImage(url.startsWith('data:') ? url : 'data:image/gif;base64,R0lGOD==');
    };
    const result = await convert(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/AAEC' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            { type: 'image_url', image_url: { url: 'http://example.com/dog.gif', detail: 'low' } },
          ],
        },
      ],
      loadImage,
    );
    assert.deepEqual(result.messages[0].content, [
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/AAEC' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'R0lGOD==' } },
    ]);
    assert.deepEqual(loaded, ['data:image/jpeg;base64,/9j/AAEC', 'http://example.com/dog.gif']);
    assert.deepEqual(result.warnings, [{ code: 'dropped_content', message: 'image_url.detail low is not supported by provider anthropic' }]);
  });

  it('a system message after the first turn stays in place as a user turn wrapped in <system> tags, with one warning', async () => {
    const result = await convert([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'system', content: 'Answer in French.' },
      { role: 'developer', content: 'Be kind.' },
      { role: 'user', content: 'How are you?' },
    ]);
    assert.deepEqual(result.system, [{ type: 'text', text: 'Be brief.' }]);
    assert.deepEqual(result.messages, [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system>\nAnswer in French.\n</system>' },
          { type: 'text', text: '<system>\nBe kind.\n</system>' },
          { type: 'text', text: 'How are you?' },
        ],
      },
    ]);
    assert.deepEqual(result.warnings, [
      { code: 'moved_system_message', message: 'provider anthropic takes a system prompt only before the first turn; later system messages were sent in place as user turns wrapped in <system> tags' },
    ]);
  });

  it('refuses what Anthropic cannot take, naming the parameter', async () => {
    await rejects400([{ role: 'function', name: 'f', content: 'x' }], 'messages[0].role', /role "function" are not supported/);
    await rejects400(
      [
        { role: 'user', content: 'x' },
        { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"cut": ' } }] },
      ],
      'messages[1].tool_calls[0].function.arguments',
      /JSON object/,
    );
    await rejects400([{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }] }], 'messages[0].content[0]', /"input_audio" are not supported/);
    await rejects400([{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }], 'messages[0].content[0]', /only text/);
    await rejects400([{ role: 'tool', content: 'x' }], 'messages[0].tool_call_id', /tool_call_id/);
  });
});
