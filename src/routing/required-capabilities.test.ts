import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { Catalog } from './catalog.js';
import { ProviderRegistry } from './provider-registry.js';
import { modelForRequest, requiredFeatures } from './required-capabilities.js';

const registry = new ProviderRegistry({ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', GEMINI_API_KEY: 'k', COHERE_API_KEY: 'k' });
const catalog = new Catalog(registry, {
  models: {
    mixed: { deployments: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'local', model: '/m/tiny.gguf' }] },
    'only-local': { deployments: [{ provider: 'local', model: '/m/tiny.gguf' }] },
    // Cohere's adapter does not think (Anthropic's does, through reasoning_effort budgets).
    'cohere-and-gemini': { deployments: [{ provider: 'cohere', model: 'command-a' }, { provider: 'gemini', model: 'gemini-2.5-flash' }] },
    'openai-and-claude': { deployments: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'anthropic', model: 'claude' }] },
    'text-only': { can_vision: false, deployments: [{ provider: 'openai', model: 'gpt-4o-mini' }] },
  },
});
const model = (id: string) => catalog.get(id)!;
const user = (content: ChatRequest['messages'][number]['content']): ChatRequest['messages'] => [{ role: 'user', content }];
const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages: user('hi'), ...extra });
const tool = { type: 'function', function: { name: 'f', parameters: { type: 'object' } } };
const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };

function refused(run: () => unknown, param: string, modelId: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'unsupported_parameter');
    assert.equal(error.status, 400);
    assert.equal(error.param, param);
    assert.ok(error.message.includes(`\`${modelId}\``), error.message);
    assert.ok(error.message.includes(`\`${param}\``), error.message);
    return true;
  });
}

describe('required capabilities', () => {
  it('needs nothing for plain text, tool_choice none/auto, json_object or reasoning_effort none', () => {
    assert.equal(requiredFeatures(request()), 0);
    assert.equal(requiredFeatures(request({ tools: [], tool_choice: 'auto', response_format: { type: 'json_object' }, reasoning_effort: 'none', modalities: ['text'] })), 0);
    assert.equal(requiredFeatures(request({ tool_choice: 'none', reasoning_effort: null, audio: null })), 0);
  });

  it('reads each feature from its own parameter', () => {
    const features = [
      request({ tools: [tool] }),
      request({ tool_choice: 'required' }),
      request({ messages: user([{ type: 'text', text: 'what is it' }, image]) }),
      request({ response_format: { type: 'json_schema', json_schema: { name: 'a', schema: {} } } }),
      request({ messages: user([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }]) }),
      request({ modalities: ['text', 'audio'] }),
      request({ reasoning_effort: 'low' }),
      request({ messages: user([{ type: 'file', file: { file_data: 'data:application/pdf;base64,AAAA', filename: 'a.pdf' } }]) }),
    ].map(requiredFeatures);
    assert.deepEqual(features, [1, 2, 4, 8, 16, 32, 64, 128]);
    assert.equal(requiredFeatures(request({ tool_choice: { type: 'function', function: { name: 'f' } } })), 2);
    assert.equal(requiredFeatures(request({ functions: [{ name: 'f' }], function_call: { name: 'f' } })), 3);
    assert.equal(requiredFeatures(request({ audio: { voice: 'alloy', format: 'wav' } })), 32);
  });

  it('keeps the model as it is when every deployment serves the request', () => {
    const mixed = model('mixed');
    assert.equal(modelForRequest(mixed, request()), mixed);
    assert.equal(modelForRequest(mixed, request({ response_format: { type: 'json_schema', json_schema: { name: 'a', schema: {} } } })), mixed);
  });

  it('narrows a model to the deployments that serve what the request needs, once per combination', () => {
    const mixed = model('mixed');
    const narrowed = modelForRequest(mixed, request({ tools: [tool] }));
    assert.notEqual(narrowed, mixed);
    assert.equal(narrowed.id, 'mixed');
    assert.deepEqual(narrowed.usable.map((d) => d.provider.name), ['openai']);
    assert.equal(narrowed.usable[0], mixed.usable.find((d) => d.provider.name === 'openai'), 'the same deployment, so its health is shared');
    assert.equal(modelForRequest(mixed, request({ tools: [tool] })), narrowed);
    assert.deepEqual(modelForRequest(model('cohere-and-gemini'), request({ reasoning_effort: 'high' })).usable.map((d) => d.provider.name), ['gemini']);
  });

  it('refuses with 400 unsupported_parameter naming the parameter and the model when no deployment can', () => {
    const local = model('only-local');
    refused(() => modelForRequest(local, request({ tools: [tool] })), 'tools', 'only-local');
    refused(() => modelForRequest(local, request({ tool_choice: 'required' })), 'tool_choice', 'only-local');
    refused(() => modelForRequest(local, request({ messages: [{ role: 'system', content: 'be brief' }, ...user([{ type: 'text', text: 'see' }, image])] })), 'messages[1].content[1]', 'only-local');
    refused(() => modelForRequest(local, request({ messages: user([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }]) })), 'messages[0].content[0]', 'only-local');
    refused(() => modelForRequest(local, request({ modalities: ['text', 'audio'] })), 'modalities', 'only-local');
    refused(() => modelForRequest(local, request({ reasoning_effort: 'medium' })), 'reasoning_effort', 'only-local');
    refused(() => modelForRequest(local, request({ messages: user([{ type: 'text', text: 'read' }, { type: 'file', file: { file_data: 'data:,' } }]) })), 'messages[0].content[1]', 'only-local');
    refused(() => modelForRequest(model('cohere-and-gemini'), request({ modalities: ['audio'], audio: { voice: 'alloy' } })), 'modalities', 'cohere-and-gemini');
  });

  it('sends a tool that is not a function only where it is relayed as sent (OpenAI-wire), whichever deployment the router would pick', () => {
    const search = { type: 'web_search' };
    assert.equal(requiredFeatures(request({ tools: [tool] })) & 256, 0);
    assert.equal(requiredFeatures(request({ tools: [tool, search] })) & 256, 256);
    assert.deepEqual(modelForRequest(model('openai-and-claude'), request({ tools: [tool, search] })).usable.map((d) => d.provider.name), ['openai']);
    assert.equal(modelForRequest(model('openai-and-claude'), request({ tools: [tool] })), model('openai-and-claude'));
    refused(() => modelForRequest(model('cohere-and-gemini'), request({ tools: [search] })), 'tools', 'cohere-and-gemini');
    const allowedSearch = { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [search] } };
    refused(() => modelForRequest(model('cohere-and-gemini'), request({ tools: [tool], tool_choice: allowedSearch })), 'tool_choice', 'cohere-and-gemini');
  });

  it("follows the catalog's own word on a model: a text-only model of a vision provider takes no images", () => {
    refused(() => modelForRequest(model('text-only'), request({ messages: user([image]) })), 'messages[0].content[0]', 'text-only');
    refused(() => modelForRequest(model('o3-mini'), request({ messages: user([image]) })), 'messages[0].content[0]', 'o3-mini');
    refused(() => modelForRequest(model('gpt-4o-mini'), request({ reasoning_effort: 'low' })), 'reasoning_effort', 'gpt-4o-mini');
    assert.equal(modelForRequest(model('o3-mini'), request({ reasoning_effort: 'low' })), model('o3-mini'));
  });

  it('names the first missing feature when a request needs several', () => {
    const both = model('cohere-and-gemini');
    assert.deepEqual(modelForRequest(both, request({ reasoning_effort: 'low', messages: user([image]) })).usable.map((d) => d.provider.name), ['gemini']);
    refused(() => modelForRequest(both, request({ reasoning_effort: 'low', modalities: ['audio'] })), 'modalities', 'cohere-and-gemini');
    refused(() => modelForRequest(model('only-local'), request({ reasoning_effort: 'low', tools: [tool], messages: user([image]) })), 'tools', 'only-local');
  });

  it('derives the can_* flags of a config model without them from its providers', () => {
    assert.equal(model('mixed').canTools, true);
    assert.equal(model('only-local').canTools, false);
    assert.equal(model('only-local').canVision, false);
    assert.equal(model('cohere-and-gemini').canThink, true);
    assert.equal(model('text-only').canVision, false);
  });
});
