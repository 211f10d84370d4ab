/**
 * A scripted Claude Code-style session against a non-Anthropic model, through model aliases: the
 * request sequence Claude Code sends (`?beta=true`, `anthropic-beta` headers, system blocks with
 * `cache_control`, many tools, a small-model background request through a wildcard alias, a
 * streamed main turn with thinking asked for, the tool result going back), with
 * `@anthropic-ai/sdk`'s beta client; and aliases on the OpenAI chat route too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;
let client: Anthropic;

const MAIN = 'claude-sonnet-4-5-20250929';
const SMALL = 'claude-3-5-haiku-20241022';

before(async () => {
  upstream = await startFakeOpenAI();
  const config = [
    'providers:',
    '  fake:',
    '    type: openai-compatible',
    `    base_url: ${upstream.url}`,
    '    api_key: ${FAKE_UPSTREAM_KEY}',
    'models:',
    '  gpt-4o-mini:',
    '    deployments: [ { provider: fake, model: gpt-4o-mini } ]',
    '  gpt-4.1-nano:',
    '    paid: false',
    '    deployments: [ { provider: fake, model: gpt-4.1 } ]',
    'aliases:',
    '  "claude-*": gpt-4o-mini',
    '  "claude-*-haiku-*": gpt-4.1-nano',
    '  opus: gpt-4o-mini',
    '',
  ].join('\n');
  server = await startServer({ env: { FAKE_UPSTREAM_KEY: FAKE_KEY }, config });
  client = new Anthropic({ baseURL: server.url, apiKey: null, authToken: 'openai', maxRetries: 0, defaultHeaders: { 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14' } });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const TOOL_NAMES = ['Task', 'Bash', 'Glob', 'Grep', 'LS', 'ExitPlanMode', 'Read', 'Edit', 'MultiEdit', 'Write', 'NotebookEdit', 'WebFetch', 'TodoWrite', 'WebSearch', 'BashOutput', 'KillShell'];
const tools: Anthropic.Beta.BetaTool[] = TOOL_NAMES.map((name, i) => ({
  name,
  description: `The ${name} tool.`,
  input_schema: { type: 'object', properties: { argument: { type: 'string' } }, required: ['argument'], additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#' },
  ...(i === TOOL_NAMES.length - 1 ? { cache_control: { type: 'ephemeral' as const } } : {}),
}));
const system: Anthropic.Beta.BetaTextBlockParam[] = [
  { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
  { type: 'text', text: 'You are an interactive CLI tool that helps users with software engineering tasks.', cache_control: { type: 'ephemeral' } },
];
const metadata = { user_id: 'user_0123_account__session_4567' };

describe('a Claude Code-style session over an OpenAI-compatible model', () => {
  it('the background small-model request goes through the most specific wildcard alias', async () => {
    const { data: message, response } = await client.beta.messages
      .create({
        model: SMALL,
        max_tokens: 512,
        system: [{ type: 'text', text: 'Analyze if this message indicates a new conversation topic.' }],
        messages: [{ role: 'user', content: 'fix the failing test' }],
        metadata,
      })
      .withResponse();
    assert.equal(response.headers.get('x-opensq-deployment'), 'fake/gpt-4.1');
    assert.equal(message.model, SMALL, 'the answer reports the id the client asked for');
    assert.deepEqual(message.content, [{ type: 'text', text: '[Analyze if this message indicates a new conversation topic.] Echo: fix the failing test' }]);
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.body.model, 'gpt-4.1');
    assert.equal(sent.body.user, metadata.user_id);
  });

  it('the main turn streams a tool call, and the tool result goes back', async () => {
    const messages: Anthropic.Beta.BetaMessageParam[] = [
      { role: 'user', content: [{ type: 'text', text: '<system-reminder>context</system-reminder>' }, { type: 'text', text: 'run the tests', cache_control: { type: 'ephemeral' } }] },
    ];
    const first = await client.beta.messages
      .stream({ model: MAIN, max_tokens: 32000, system, tools, messages, metadata, thinking: { type: 'enabled', budget_tokens: 31999 } })
      .finalMessage();
    assert.equal(first.model, MAIN);
    assert.equal(first.stop_reason, 'tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use');
    assert.equal(use.name, 'Task');
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.body.model, 'gpt-4o-mini');
    assert.equal((sent.body.tools as unknown[]).length, TOOL_NAMES.length);
    assert.equal(sent.body.reasoning_effort, undefined, 'a model without reasoning answers without it');
    assert.deepEqual((sent.body.messages as Array<{ role: string; content: unknown }>)[0], {
      role: 'system',
      content: "You are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool that helps users with software engineering tasks.",
    });

    messages.push({ role: 'assistant', content: first.content.map((b) => (b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: b.input } : b)) as Anthropic.Beta.BetaContentBlockParam[] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'all 12 tests pass', is_error: false }] });
    const stream = client.beta.messages.stream({ model: MAIN, max_tokens: 32000, system, tools, messages, metadata });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const second = await stream.finalMessage();
    assert.equal(text, 'The tool answered: all 12 tests pass');
    assert.equal(second.stop_reason, 'end_turn');
    const back = upstream.requests.at(-1)!.body.messages as Array<Record<string, unknown>>;
    assert.deepEqual(back.at(-1), { role: 'tool', tool_call_id: use.id, content: 'all 12 tests pass' });
    assert.equal((back.at(-2)!.tool_calls as Array<{ id: string }>)[0].id, use.id);
  });

  it('usage rows name the model served, the answers the alias', async () => {
    const rows = await server.query("SELECT model FROM usage WHERE endpoint = 'messages' ORDER BY id");
    assert.deepEqual([...new Set(rows.map((r) => r.model))].sort(), ['gpt-4.1-nano', 'gpt-4o-mini']);
  });
});

describe('model aliases on other routes', () => {
  it('the OpenAI chat route resolves an exact alias and reports it', async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'openai', maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'opus', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(completion.model, 'opus');
    assert.equal(completion.choices[0].message.content, 'Echo: hi');
    const stream = await openai.chat.completions.create({ model: 'claude-opus-4-1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const chunk of stream) assert.equal(chunk.model, 'claude-opus-4-1');
  });

  it('an id that matches no alias is still a 404', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { authorization: 'Bearer openai' }, json: { model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(res.status, 404);
    assert.equal(res.json.error.code, 'model_not_found');
  });
});
