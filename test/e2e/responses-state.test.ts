/**
 * Stored Responses (`store`, OpenAI's default): `GET` and `DELETE /v1/responses/{id}`,
 * `GET /v1/responses/{id}/input_items` and `previous_response_id`, with the OpenAI SDK, visible to
 * the key's user only and for the retention setting; on SQLite and (TEST_DATABASE=postgres) Postgres.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { ADMIN_KEY, createKey } from '../support/admin.js';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { assertOpenAISchema } from '../support/openai-schemas.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let server: ServerProcess;
let alice: OpenAI;
let bob: OpenAI;

const CONFIG = [
  // The `openai` preset at a fake gets chat completions: the translated path (the Responses pass-through has its own tests).
  'models:',
  '  t-openai: { paid: false, deployments: [ { provider: openai, model: gpt-4o-mini } ] }',
  '  t-anthropic: { paid: false, deployments: [ { provider: anthropic, model: claude-3-5-sonnet-latest } ] }',
  '',
].join('\n');
const ENV = (o: FakeOpenAI, a: FakeAnthropic) => ({ OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: o.url, ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, ANTHROPIC_BASE_URL: a.url, OPENSQ_ADMIN_KEY: ADMIN_KEY });

before(async () => {
  [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  server = await startServer({ env: ENV(openai, anthropic), config: CONFIG });
  const [a, b] = [await createKey(server.url, { name: 'alice' }), await createKey(server.url, { name: 'bob' })];
  assert.notEqual(a.user, b.user, 'two users');
  alice = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: a.key });
  bob = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: b.key });
});

after(async () => {
  await server?.stop();
  await Promise.all([openai?.close(), anthropic?.close()]);
});

const weatherTool = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { latitude: { type: 'number' } } }, strict: false };

async function notFound(call: Promise<unknown>): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof OpenAI.NotFoundError, String(error));
    return true;
  });
}

describe('stored responses', () => {
  it('a response is stored by default: retrieve gives it back as answered, input_items lists its input', async () => {
    const created = await alice.responses.create({ model: 't-openai', input: 'Remember me', instructions: 'Be short.', metadata: { topic: 'x' } });
    const got = await alice.responses.retrieve(created.id);
    assertOpenAISchema('Response', got);
    assert.deepEqual({ ...got, output_text: undefined }, { ...created, output_text: undefined });
    const items = await alice.responses.inputItems.list(created.id);
    assert.equal(items.data.length, 1);
    const [item] = items.data;
    assert.ok(item.type === 'message' && item.role === 'user');
    assert.deepEqual(item.content, [{ type: 'input_text', text: 'Remember me' }]);
    assert.match(item.id, /^msg_/);
  });

  it('previous_response_id continues the conversation on every provider, the earlier turns sent upstream, instructions not carried', async () => {
    const first = await alice.responses.create({ model: 't-openai', input: 'My name is Ada.', instructions: 'Be short.' });
    const second = await alice.responses.create({ model: 't-openai', input: 'What is my name?', previous_response_id: first.id });
    assert.equal(second.previous_response_id, first.id);
    assert.deepEqual(openai.requests.at(-1)!.body.messages, [
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: first.output_text },
      { role: 'user', content: 'What is my name?' },
    ]);
    const third = await alice.responses.create({ model: 't-anthropic', input: 'And again?', previous_response_id: second.id });
    assert.equal(third.output_text, 'Echo: And again?');
    const sent = anthropic.requests.at(-1)!.body.messages as Array<{ role: string }>;
    assert.deepEqual(sent.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('a function-tool loop through previous_response_id and function_call_output (Anthropic: the tool call is carried over)', async () => {
    const first = await alice.responses.create({ model: 't-anthropic', input: 'Weather in Paris?', tools: [weatherTool] });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    const second = await alice.responses.create({
      model: 't-anthropic',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
      tools: [weatherTool],
    });
    assert.equal(second.output_text, 'The tool answered: sunny');
    const streamed = alice.responses.stream({ model: 't-openai', previous_response_id: second.id, input: 'Thanks, stream please' });
    const final = await streamed.finalResponse();
    assert.equal(final.output_text, 'Echo: Thanks, stream please');
    assert.equal((await alice.responses.retrieve(final.id)).output_text, 'Echo: Thanks, stream please', 'a streamed response is stored too');
  });

  it('another user sees nothing: retrieve, input_items, delete and previous_response_id are 404s; the owner can delete', async () => {
    const mine = await alice.responses.create({ model: 't-openai', input: 'Private' });
    await notFound(bob.responses.retrieve(mine.id));
    await notFound(bob.responses.inputItems.list(mine.id));
    await notFound(bob.responses.delete(mine.id));
    await assert.rejects(bob.responses.create({ model: 't-openai', input: 'x', previous_response_id: mine.id }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal((error as InstanceType<typeof OpenAI.NotFoundError>).param, 'previous_response_id');
      return true;
    });
    await assert.rejects(bob.responses.create({ model: 't-openai', input: [{ type: 'item_reference', id: mine.output[0].id! }] }), OpenAI.BadRequestError);
    await alice.responses.retrieve(mine.id);
    await alice.responses.delete(mine.id);
    await notFound(alice.responses.retrieve(mine.id));
    await notFound(alice.responses.delete(mine.id));
  });

  it('a 30-turn chain is stored linearly: each row holds its own turn; the 30th continuation sends every earlier turn', async (t) => {
    const ids: string[] = [];
    let previous: string | undefined;
    for (let turn = 1; turn <= 30; turn++) {
      const created = await alice.responses.create({ model: 't-openai', input: `Turn ${String(turn).padStart(2, '0')}: tell me more.`, previous_response_id: previous });
      ids.push(created.id);
      previous = created.id;
    }
    assert.equal((openai.requests.at(-1)!.body.messages as unknown[]).length, 59, '29 earlier turns of two messages, and this one');
    const rows = await server.query(`SELECT id, length(response) + length(input) + length(conversation) AS size FROM responses WHERE id IN (${ids.map((id) => `'${id}'`).join(',')})`);
    const sizes = ids.map((id) => Number(rows.find((r) => r.id === id)!.size));
    const total = sizes.reduce((a, b) => a + b, 0);
    t.diagnostic(`stored characters: turn 1 ${sizes[0]}, turn 15 ${sizes[14]}, turn 30 ${sizes[29]}, all 30 ${total}`);
    // Quadratic storage would make the 30th row about 30 times the first.
    assert.ok(Math.max(...sizes) < 1.2 * Math.min(...sizes), sizes.join(','));
  });

  it('a chain with a deleted response cannot be continued past it (a 400 naming it); a row stored before the chain column still continues', async () => {
    const first = await alice.responses.create({ model: 't-openai', input: 'One' });
    const second = await alice.responses.create({ model: 't-openai', input: 'Two', previous_response_id: first.id });
    const third = await alice.responses.create({ model: 't-openai', input: 'Three', previous_response_id: second.id });
    await alice.responses.delete(second.id);
    await assert.rejects(alice.responses.create({ model: 't-openai', input: 'Four', previous_response_id: third.id }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.param, 'previous_response_id');
      assert.match(error.message, new RegExp(second.id));
      return true;
    });

    const [owner] = await server.query(`SELECT user_id, key_id FROM responses WHERE id = '${first.id}'`);
    const legacyId = `resp_${'ab'.repeat(16)}`;
    const conversation = [
      { type: 'message', role: 'user', content: 'Old question' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Old answer' }] },
    ];
    const response = { id: legacyId, object: 'response', output: [conversation[1]] };
    await server.query(
      `INSERT INTO responses (id, user_id, key_id, created_at, response, input, conversation) VALUES ('${legacyId}', ${owner.user_id}, '${owner.key_id}', ${Date.now()}, '${JSON.stringify(response)}', '[]', '${JSON.stringify(conversation)}')`,
    );
    await alice.responses.create({ model: 't-openai', input: 'New question', previous_response_id: legacyId });
    assert.deepEqual(openai.requests.at(-1)!.body.messages, [
      { role: 'user', content: 'Old question' },
      { role: 'assistant', content: 'Old answer' },
      { role: 'user', content: 'New question' },
    ]);
  });

  it('retrieve with stream: true replays a stored response as its events (from starting_after); cancel is a 400, as OpenAI answers for a response that is not a background one', async () => {
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
    for (const created of [await alice.responses.create({ model: 't-openai', input: 'Replay me' }), await alice.responses.create({ model: 't-anthropic', input, tools: [weatherTool] })]) {
      const events: Array<Record<string, any>> = [];
      for await (const event of await alice.responses.retrieve(created.id, { stream: true })) events.push(event as unknown as Record<string, any>);
      events.forEach((event, i) => {
        assertOpenAISchema('ResponseStreamEvent', event);
        assert.equal(event.sequence_number, i);
      });
      assert.deepEqual(events.slice(0, 2).map((e) => e.type), ['response.created', 'response.in_progress']);
      assert.equal(events.at(-1)!.type, 'response.completed');
      assert.deepEqual({ ...events.at(-1)!.response, output_text: undefined }, { ...created, output_text: undefined });
      const deltas = events.filter((e) => e.type === 'response.output_text.delta' || e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('');
      const item = created.output[0];
      assert.equal(deltas, item.type === 'message' && item.content[0].type === 'output_text' ? item.content[0].text : item.type === 'function_call' ? item.arguments : undefined);
      const later: Array<Record<string, any>> = [];
      for await (const event of await alice.responses.retrieve(created.id, { stream: true, starting_after: 2 })) later.push(event as unknown as Record<string, any>);
      assert.deepEqual(later.map((e) => e.sequence_number), events.slice(3).map((e) => e.sequence_number));
    }

    const mine = await alice.responses.create({ model: 't-openai', input: 'Cancel me' });
    await assert.rejects(alice.responses.cancel(mine.id), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.match(error.message, /Cannot cancel a synchronous response/);
      return true;
    });
    await notFound(bob.responses.cancel(mine.id));
    await notFound(bob.responses.retrieve(mine.id, { stream: true }));
  });

  it('store: false keeps nothing', async () => {
    const unstored = await alice.responses.create({ model: 't-openai', input: 'Forget me', store: false });
    assert.equal((unstored as unknown as { store: boolean }).store, false);
    await notFound(alice.responses.retrieve(unstored.id));
    const rows = await server.query(`SELECT id FROM responses WHERE id = '${unstored.id}'`);
    assert.equal(rows.length, 0);
  });

  it('input_items pages with limit, order and after', async () => {
    const created = await alice.responses.create({
      model: 't-openai',
      input: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
        { role: 'user', content: 'three' },
      ],
    });
    const page = await alice.responses.inputItems.list(created.id, { limit: 2, order: 'asc' });
    const texts = (items: typeof page.data) => items.map((item) => (item.type === 'message' && 'text' in item.content[0] ? item.content[0].text : undefined));
    assert.deepEqual(texts(page.data), ['one', 'two']);
    assert.equal(page.has_more, true);
    const rest = await alice.responses.inputItems.list(created.id, { limit: 2, order: 'asc', after: page.data[1].id });
    assert.equal(rest.data.length, 1);
    assert.equal(rest.has_more, false);
    const asc = await alice.responses.inputItems.list(created.id, { order: 'asc' });
    const desc = await alice.responses.inputItems.list(created.id);
    assert.deepEqual(desc.data.map((item) => item.id), asc.data.map((item) => item.id).reverse(), 'newest first by default');
  });
});

describe('retention', () => {
  it('a stored response past OPENSQ_RESPONSES_RETENTION_DAYS is not served, and is pruned', async () => {
    const short = await startServer({ env: { ...ENV(openai, anthropic), OPENSQ_RESPONSES_RETENTION_DAYS: '0', OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '300' }, config: CONFIG });
    try {
      const client = new OpenAI({ baseURL: `${short.url}/v1`, apiKey: 'openai' });
      const created = await client.responses.create({ model: 't-openai', input: 'Gone soon' });
      await notFound(client.responses.retrieve(created.id));
      await new Promise((resolve) => setTimeout(resolve, 800));
      assert.equal((await short.query('SELECT id FROM responses')).length, 0);
    } finally {
      await short.stop();
    }
  });
});
