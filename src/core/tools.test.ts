import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './errors.js';
import { callableFunctions, CHAT_TOOLS, chatTools, readChatTools, requireFunctionTools } from './tools.js';
import { parseChatRequest } from '../schema/chat-request.js';

const weather = { type: 'function', function: { name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true } };
const now = { type: 'function', function: { name: 'now' } };
const refused = (param: string, code = 'invalid_request') => (e: unknown) => e instanceof ApiError && e.code === code && e.status === 400 && e.param === param;

describe('readChatTools (tools and tool_choice read once, at validation)', () => {
  it('reads function tools and every tool_choice form into typed values', () => {
    assert.deepEqual(readChatTools([weather, now], undefined), {
      functions: [{ name: 'weather', description: 'Weather now', parameters: weather.function.parameters, strict: true }, { name: 'now' }],
    });
    for (const type of ['auto', 'none', 'required'] as const) assert.deepEqual(readChatTools([now], type).choice, { type });
    assert.deepEqual(readChatTools([now], { type: 'function', function: { name: 'now' } }).choice, { type: 'function', name: 'now' });
    const allowed = { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'now' } }] } };
    assert.deepEqual(readChatTools([weather, now], allowed).choice, { type: 'allowed', mode: 'required', names: ['now'] });
    assert.deepEqual(readChatTools(undefined, null), { functions: [] });
    assert.deepEqual(readChatTools([], 'auto'), { functions: [], choice: { type: 'auto' } });
  });

  it('keeps the first tool that is not a function, for the one refusal of translating providers', () => {
    const tools = readChatTools([now, { type: 'web_search' }, { type: 'custom', custom: { name: 'x' } }], 'auto');
    assert.deepEqual(tools.nonFunction, { type: 'web_search', param: 'tools', index: 1 });
    assert.throws(() => requireFunctionTools(tools, 'gemini'), (e: unknown) => refused('tools', 'unsupported_parameter')(e) && /tools\[1\] is a tool of type "web_search": provider gemini takes function tools only/.test((e as Error).message));
    const choice = readChatTools([now], { type: 'custom', custom: { name: 'x' } });
    assert.deepEqual(choice.nonFunction, { type: 'custom', param: 'tool_choice' });
    assert.throws(() => requireFunctionTools(choice, 'anthropic'), refused('tool_choice', 'unsupported_parameter'));
    assert.doesNotThrow(() => requireFunctionTools(readChatTools([now], 'auto'), 'cohere'));
  });

  it('refuses what no upstream takes: nameless functions, unknown choices, choices naming absent functions or needing tools', () => {
    assert.throws(() => readChatTools([{ type: 'function', function: { description: 'x' } }], undefined), refused('tools[0].function.name'));
    assert.throws(() => readChatTools([{ type: 'function', function: { name: 'f', parameters: 'x' } }], undefined), refused('tools[0].function.parameters'));
    assert.throws(() => readChatTools([now], 'sometimes'), refused('tool_choice'));
    assert.throws(() => readChatTools([now], { type: 'function', function: {} }), refused('tool_choice.function.name'));
    assert.throws(() => readChatTools([now], { type: 'function', function: { name: 'weather' } }), refused('tool_choice'));
    assert.throws(() => readChatTools([now], { type: 'allowed_tools', allowed_tools: { mode: 'sometimes', tools: [] } }), refused('tool_choice.allowed_tools'));
    assert.throws(() => readChatTools([now], { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [] } }), refused('tool_choice.allowed_tools.tools'));
    assert.throws(() => readChatTools(undefined, 'required'), refused('tool_choice'));
    assert.throws(() => readChatTools([], { type: 'function', function: { name: 'now' } }), refused('tool_choice'));
  });

  it('lists the functions a choice leaves callable', () => {
    const names = (choice: unknown) => callableFunctions(readChatTools([weather, now], choice)).map((fn) => fn.name);
    assert.deepEqual(names('auto'), ['weather', 'now']);
    assert.deepEqual(names({ type: 'function', function: { name: 'now' } }), ['now']);
    assert.deepEqual(names({ type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'weather' } }] } }), ['weather']);
  });

  it('are read by parseChatRequest under a symbol, so the relayed JSON is the client’s own', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [now], tool_choice: 'required' };
    const request = parseChatRequest(structuredClone(body));
    assert.deepEqual(request[CHAT_TOOLS], { functions: [{ name: 'now' }], choice: { type: 'required' } });
    assert.deepEqual(JSON.parse(JSON.stringify({ ...request })), body);
    assert.equal(chatTools(request), request[CHAT_TOOLS]);
    assert.throws(() => parseChatRequest({ ...body, tool_choice: 'sometimes' }, 'request.'), refused('request.tool_choice'));
    const built = { tools: [now] };
    assert.deepEqual(chatTools(built), { functions: [{ name: 'now' }] }, 'a request built in code is read when asked');
    assert.deepEqual(Object.getOwnPropertySymbols(built), [], 'and left unchanged');
  });
});
