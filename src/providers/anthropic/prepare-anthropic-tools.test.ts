import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { JSON_RESPONSE_TOOL, prepareAnthropicTools } from './prepare-anthropic-tools.js';

const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather at a place', parameters: { type: 'object', properties: { latitude: { type: 'number' } }, required: ['latitude'] } } };
const weatherTool = { name: 'get_weather', description: 'Weather at a place', input_schema: { type: 'object', properties: { latitude: { type: 'number' } }, required: ['latitude'] } };
const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
const jsonTool = { name: JSON_RESPONSE_TOOL, description: 'Give the answer by calling this tool with the response as its input (answer).', input_schema: schema };

const prepare = (fields: Partial<ChatRequest>) => prepareAnthropicTools({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...fields });
const withSchema = { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } } };

function rejects400(fields: Partial<ChatRequest>, param: string, code = 'invalid_request'): void {
  assert.throws(() => prepare(fields), (error: unknown) => error instanceof ApiError && error.status === 400 && error.param === param && error.code === code);
}

describe('prepareAnthropicTools', () => {
  it('function tools become name, description and input_schema; a function without parameters gets an empty object schema', () => {
    const prepared = prepare({ tools: [weather, { type: 'function', function: { name: 'now' } }] });
    assert.deepEqual(prepared, {
      tools: [weatherTool, { name: 'now', input_schema: { type: 'object', properties: {} } }],
      jsonResponse: false,
      warnings: [],
    });
  });

  it('tool_choice: auto → auto, required → any, none → none, a named function → tool; absent → Anthropic default', () => {
    assert.deepEqual(prepare({ tools: [weather], tool_choice: 'auto' }).toolChoice, { type: 'auto' });
    assert.deepEqual(prepare({ tools: [weather], tool_choice: 'required' }).toolChoice, { type: 'any' });
    assert.deepEqual(prepare({ tools: [weather], tool_choice: 'none' }).toolChoice, { type: 'none' });
    assert.deepEqual(prepare({ tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } }).toolChoice, { type: 'tool', name: 'get_weather' });
    assert.equal('toolChoice' in prepare({ tools: [weather] }), false);
  });

  it('tool_choice allowed_tools: only the allowed functions are offered, with auto or any', () => {
    const now = { type: 'function', function: { name: 'now' } };
    const allowed = (mode: string) => prepare({ tools: [weather, now], tool_choice: { type: 'allowed_tools', allowed_tools: { mode, tools: [{ type: 'function', function: { name: 'now' } }] } } });
    assert.deepEqual(allowed('auto'), { tools: [{ name: 'now', input_schema: { type: 'object', properties: {} } }], toolChoice: { type: 'auto' }, jsonResponse: false, warnings: [] });
    assert.deepEqual(allowed('required').toolChoice, { type: 'any' });
  });

  it('parallel_tool_calls false disables parallel tool use on any choice but none', () => {
    assert.deepEqual(prepare({ tools: [weather], parallel_tool_calls: false }).toolChoice, { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(prepare({ tools: [weather], tool_choice: 'required', parallel_tool_calls: false }).toolChoice, { type: 'any', disable_parallel_tool_use: true });
    assert.deepEqual(prepare({ tools: [weather], tool_choice: 'none', parallel_tool_calls: false }).toolChoice, { type: 'none' });
  });

  it('json_schema alone: the JSON tool, forced', () => {
    assert.deepEqual(prepare(withSchema), { tools: [jsonTool], toolChoice: { type: 'tool', name: JSON_RESPONSE_TOOL }, jsonResponse: true, warnings: [] });
  });

  it('json_schema with tools: any tool must be called (auto), only the JSON tool (none), the named one (named)', () => {
    assert.deepEqual(prepare({ ...withSchema, tools: [weather], tool_choice: 'auto' }).tools, [weatherTool, jsonTool]);
    assert.deepEqual(prepare({ ...withSchema, tools: [weather], tool_choice: 'auto' }).toolChoice, { type: 'any' });
    assert.deepEqual(prepare({ ...withSchema, tools: [weather] }).toolChoice, { type: 'any' });
    assert.deepEqual(prepare({ ...withSchema, tools: [weather], tool_choice: 'none' }).toolChoice, { type: 'tool', name: JSON_RESPONSE_TOOL });
    assert.deepEqual(prepare({ ...withSchema, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } }).toolChoice, { type: 'tool', name: 'get_weather' });
  });

  it('json_object and strict schemas cannot be enforced: reported, not dropped silently', () => {
    assert.deepEqual(prepare({ response_format: { type: 'json_object' } }), {
      jsonResponse: false,
      warnings: [{ code: 'unenforced_parameter', message: 'response_format json_object is not enforced by provider anthropic (it has no JSON mode without a schema); ask for JSON in the prompt or use json_schema' }],
    });
    const strict = prepare({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } } });
    assert.deepEqual(strict.warnings, [{ code: 'unenforced_parameter', message: 'strict schemas are followed but not enforced by provider anthropic' }]);
    assert.deepEqual(prepare({ response_format: { type: 'text' } }), { jsonResponse: false, warnings: [] });
  });

  it('refuses what cannot be translated', () => {
    rejects400({ ...withSchema, tools: [{ type: 'function', function: { name: JSON_RESPONSE_TOOL } }] }, 'tools');
    rejects400({ tool_choice: 'required' }, 'tool_choice');
    rejects400({ tools: [{ type: 'custom', custom: { name: 'grammar' } }] }, 'tools', 'unsupported_parameter');
    rejects400({ tools: [weather, { type: 'web_search' }] }, 'tools', 'unsupported_parameter');
    rejects400({ response_format: { type: 'xml' } }, 'response_format.type');
    assert.deepEqual(prepare({ tool_choice: 'auto' }), { jsonResponse: false, warnings: [] }, 'auto or none without tools asks for nothing');
  });
});
