/**
 * Threat: one big valid body holds the event loop. A body under the size limit can carry 400,000
 * tiny items: each item's work (a stored copy per Responses input item, a zod issue per bad chat
 * message) added up to seconds in which the gateway answered nobody. /health is probed from a
 * process of its own while one such request is served; the bound is generous for a loaded 2-core
 * machine (the old code held it for 1.5 to 7 s).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY } from '../support/admin.js';
import { startHealthProbe } from '../support/health-probe.js';
import { http, type HttpResult } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { MAX_INPUT_ITEMS } from '../../src/schema/responses-request.js';
import { MAX_CHAIN_ITEMS } from '../../src/storage/response-store.js';

const ITEMS = 400_000;
const MAX_STALL_MS = 1000;

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY } });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

/** Sends one anonymous body while /health is probed; the answer, and the slowest /health. */
async function sendProbed(path: string, body: string): Promise<{ answer: HttpResult; slowest: number }> {
  const probe = startHealthProbe(server.url);
  await probe.ready;
  const answer = await http(`${server.url}${path}`, { headers: { 'content-type': 'application/json' }, body });
  // The store writes after the answer, off its path: probe on while it does.
  await new Promise((r) => setTimeout(r, 500));
  const latencies = (await probe.stop()).sort((a, b) => a - b);
  const slowest = latencies.at(-1) ?? 0;
  process.stdout.write(`# ${path}: ${answer.status}, /health slowest ${slowest.toFixed(0)} ms over ${latencies.length} probes\n`);
  return { answer, slowest };
}

/** `count` copies of one item's JSON as a JSON array, built as text (no 400,000 objects in this process). */
const jsonArray = (item: string, count: number): string => `[${Array(count).fill(item).join(',')}]`;

describe('one big valid body does not hold the event loop', () => {
  it(`POST /v1/responses with ${ITEMS} tiny input items (store on) is refused as too many items, quickly`, async () => {
    const body = `{"model":"gpt-4o-mini","input":${jsonArray('{"role":"user","content":"a"}', ITEMS)}}`;
    const { answer, slowest } = await sendProbed('/v1/responses', body);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.equal(answer.status, 400, answer.text.slice(0, 300));
    assert.equal(answer.json.error.type, 'invalid_request_error');
    assert.equal(answer.json.error.param, 'input');
    assert.match(answer.json.error.message, new RegExp(`at most ${MAX_INPUT_ITEMS} items`));
  });

  it(`POST /v1/responses with ${MAX_INPUT_ITEMS} input items (the most, store on) is answered and stored without holding it`, async () => {
    const body = `{"model":"gpt-4o-mini","input":${jsonArray('{"role":"user","content":"a"}', MAX_INPUT_ITEMS)}}`;
    const { answer, slowest } = await sendProbed('/v1/responses', body);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    const listed = await http(`${server.url}/v1/responses/${answer.json.id}/input_items?order=asc&limit=1`);
    assert.equal(listed.status, 200, listed.text.slice(0, 300));
    assert.deepEqual(listed.json.data[0].content, [{ type: 'input_text', text: 'a' }]);
    assert.equal(listed.json.has_more, true);
  });

  it('a continuation of a chain of stored responses as long as may be continued, each of the most items, does not hold it', async () => {
    const ids: string[] = [];
    const input = jsonArray('{"role":"user","content":"a"}', MAX_INPUT_ITEMS);
    // Turns until the chain is longer than a continuation may be: the one before the last is the longest continued.
    let refused: HttpResult | undefined;
    for (let turn = 0; turn < 60 && !refused; turn++) {
      const previous = ids.length > 0 ? `,"previous_response_id":"${ids.at(-1)}"` : '';
      const answer = await http(`${server.url}/v1/responses`, { headers: { 'content-type': 'application/json' }, body: `{"model":"gpt-4o-mini","input":${input}${previous}}` });
      if (answer.status === 400 && answer.json.error.param === 'previous_response_id') refused = answer;
      else assert.equal(answer.status, 200, answer.text.slice(0, 300));
      if (answer.status === 200) ids.push(answer.json.id);
    }
    // 32 MiB of stored items (about 29 turns of the most) held the event loop for about a second.
    assert.match(refused?.json.error.message ?? 'not refused', new RegExp(`too long to continue here \\(more than ${MAX_CHAIN_ITEMS} items\\)`));
    assert.equal(ids.length, Math.ceil(MAX_CHAIN_ITEMS / (MAX_INPUT_ITEMS + 1)));
    const { answer, slowest } = await sendProbed('/v1/responses', `{"model":"gpt-4o-mini","input":"go on","previous_response_id":"${ids.at(-2)}"}`);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
  });

  it(`${MAX_INPUT_ITEMS} item_references to the items of one stored response are found without holding it`, async () => {
    const stored = await http(`${server.url}/v1/responses`, { headers: { 'content-type': 'application/json' }, body: `{"model":"gpt-4o-mini","input":${jsonArray('{"role":"user","content":"a"}', MAX_INPUT_ITEMS)}}` });
    assert.equal(stored.status, 200, stored.text.slice(0, 300));
    const hex = String(stored.json.id).slice('resp_'.length);
    const references = Array.from({ length: MAX_INPUT_ITEMS }, (_, i) => `{"type":"item_reference","id":"msg_${hex}_in${MAX_INPUT_ITEMS - 1 - i}"}`);
    const { answer, slowest } = await sendProbed('/v1/responses', `{"model":"gpt-4o-mini","store":false,"input":[${references.join(',')}]}`);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
  });

  it(`${MAX_INPUT_ITEMS - 1} item_references naming as many different responses, none stored, are looked up without holding it`, async () => {
    // Each names a response id of our form: the old code read the store once per id, 10,000 queries in one turn of the loop.
    const references = Array.from({ length: MAX_INPUT_ITEMS - 1 }, (_, i) => `{"type":"item_reference","id":"msg_${i.toString(16).padStart(32, '0')}_0"}`);
    const started = performance.now();
    const { answer, slowest } = await sendProbed('/v1/responses', `{"model":"gpt-4o-mini","store":false,"input":[{"role":"user","content":"a"},${references.join(',')}]}`);
    process.stdout.write(`# answered in ${(performance.now() - started).toFixed(0)} ms: ${answer.text.slice(0, 200)}\n`);
    assert.ok(slowest < MAX_STALL_MS / 4, `/health waited ${slowest.toFixed(0)} ms`);
    assert.ok(answer.status < 500, answer.text.slice(0, 300));
  });

  it(`POST /v1/chat/completions with ${ITEMS} tiny messages does not hold it`, async () => {
    const body = `{"model":"gpt-4o-mini","messages":${jsonArray('{"role":"user","content":"a"}', ITEMS)}}`;
    const { answer, slowest } = await sendProbed('/v1/chat/completions', body);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.ok(answer.status < 500, answer.text.slice(0, 300));
  });

  it(`POST /v1/chat/completions with ${ITEMS} bad messages names the first, quickly`, async () => {
    const messages = jsonArray('{"role":"user","content":"a","name":5}', ITEMS).replace('{"role":"user","content":"a","name":5}', '{"role":"user","content":"a"}');
    const body = `{"model":"gpt-4o-mini","messages":${messages}}`;
    const { answer, slowest } = await sendProbed('/v1/chat/completions', body);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.equal(answer.status, 400, answer.text.slice(0, 300));
    assert.equal(answer.json.error.param, 'messages[1].name');
    assert.match(answer.json.error.message, /^Invalid value for 'messages\[1\]\.name': /);
  });

  it(`POST /v1/messages with ${ITEMS} tiny messages does not hold it`, async () => {
    const body = `{"model":"gpt-4o-mini","max_tokens":16,"messages":${jsonArray('{"role":"user","content":"a"}', ITEMS)}}`;
    const { answer, slowest } = await sendProbed('/v1/messages', body);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.ok(answer.status < 500, answer.text.slice(0, 300));
  });

  it(`POST /v1/messages with ${ITEMS} bad messages names the first, quickly, in Anthropic's shape`, async () => {
    const body = `{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"a"},${jsonArray('{"role":"user","content":5}', ITEMS).slice(1)}}`;
    const { answer, slowest } = await sendProbed('/v1/messages', body);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.equal(answer.status, 400, answer.text.slice(0, 300));
    assert.equal(answer.json.type, 'error');
    assert.equal(answer.json.error.type, 'invalid_request_error');
    assert.match(answer.json.error.message, /messages\.1\.content|messages\[1\]\.content/);
  });

  it(`POST /v1/responses with ${ITEMS} bad input items names the first, quickly`, async () => {
    const body = `{"model":"gpt-4o-mini","input":[{"role":"user","content":"a"},${jsonArray('{"type":5}', ITEMS).slice(1)}}`;
    const { answer, slowest } = await sendProbed('/v1/responses', body);
    assert.ok(slowest < MAX_STALL_MS, `/health waited ${slowest.toFixed(0)} ms`);
    assert.equal(answer.status, 400, answer.text.slice(0, 300));
    assert.equal(answer.json.error.param, 'input');
  });
});
