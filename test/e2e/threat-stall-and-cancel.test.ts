/**
 * Threats: (1) one anonymous request freezes the gateway: a stream that ends without upstream usage
 * (its client left) had its whole prompt run through the BPE tokenizer on the event loop, which is
 * quadratic on long runs without a break. (2) cancelled requests were billed only the visible text
 * seen so far, or nothing, while the provider bills the operator for the whole prompt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY } from '../support/admin.js';
import { startHealthProbe } from '../support/health-probe.js';
import { cancelledChat } from '../support/cancelled-chat.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

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

async function rowsWhere(condition: string): Promise<Array<Record<string, any>>> {
  return server.query(`SELECT * FROM usage WHERE ${condition}`);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('no request holds the event loop', () => {
  it('/health answers within 100 ms (p99) while 20 cancelled streams with 400 KB prompts are settled', async () => {
    const before = (await rowsWhere("status = 'cancelled'")).length;
    const hostile = [
      'a'.repeat(400_000),
      Array.from({ length: 130_000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 5000))).join(''),
    ];
    // Probed from a process of its own: this one also runs the fake upstream, whose work would count.
    const probe = startHealthProbe(server.url);
    await probe.ready;
    const probeStarted = performance.now();
    // One request every 25 ms, each left 100 ms after its answer began (on a loaded machine admitting
    // a 400 KB prompt can take longer than that, and a client gone before its answer began leaves
    // no row to wait for): what is measured is their settling, not the
    // parsing of 8 MB of bodies arriving in the same instant (about 6 ms of JSON.parse each).
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, 25 * i));
        // The hostile text is an earlier turn: the fake upstream (in this process) echoes only the last one.
        await cancelledChat(server.url, { stream: true, messages: [{ role: 'user', content: hostile[i % 2] }, { role: 'assistant', content: 'Noted.' }, { role: 'user', content: 'Go on. #slow #no-usage' }] }, 100, 15_000);
      }),
    );
    await waitFor(async () => (await rowsWhere("status = 'cancelled'")).length >= before + 20, 60_000);
    // At least 3 s of probes, so that the p99 is not one unlucky scheduling of a busy machine.
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (performance.now() - probeStarted))));
    const latencies = (await probe.stop()).sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)];
    assert.ok(latencies.length >= 20, `${latencies.length} probes`);
    process.stdout.write(`# /health p50 ${latencies[latencies.length >> 1].toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${latencies.length} probes\n`);
    assert.ok(p99 < 100, `/health p99 ${p99.toFixed(1)} ms, slowest ${latencies.slice(-5).map((l) => l.toFixed(0)).join(', ')} ms over ${latencies.length} probes`);
    const rows = (await rowsWhere("status = 'cancelled'")).slice(-20);
    assert.ok(rows.every((row) => row.prompt_tokens > 10_000), `cancelled rows bill their prompts: ${rows.map((r) => r.prompt_tokens).join(', ')}`);
  });
});

describe('cancelled requests are billed their prompt and what was generated', () => {
  const tools = [{ type: 'function', function: { name: 'lookup_order', description: 'Finds an order by its number and returns its lines, prices and delivery state.', parameters: { type: 'object', properties: { number: { type: 'string', description: 'The order number' } } } } }];
  const prompt = 'Summarise the following carefully. '.repeat(300);

  it('a stream its client leaves is billed the prompt (tools included) and the answer seen so far', async () => {
    await cancelledChat(server.url, { stream: true, tools, tool_choice: 'none', messages: [{ role: 'user', content: `${prompt} #slow #no-usage` }] }, 400);
    let row: Record<string, any> | undefined;
    await waitFor(async () => (row = (await rowsWhere("status = 'cancelled' AND stream = 1 AND prompt_tokens < 10000 ORDER BY id DESC")).at(0)) !== undefined, 10_000);
    assert.ok(row!.prompt_tokens >= 1_800 + 30, `prompt tokens ${row!.prompt_tokens}: the prompt is ~1,800 tokens plus the tool`);
    assert.ok(row!.completion_tokens > 0, 'the answer seen so far is billed');
    assert.ok(row!.cost > 0);
  });

  it('a non-streamed request its client leaves before the answer is billed its prompt, not nothing', async () => {
    await cancelledChat(server.url, { stream: false, messages: [{ role: 'user', content: `${prompt} #hang` }] }, 300);
    let row: Record<string, any> | undefined;
    await waitFor(async () => (row = (await rowsWhere("status = 'cancelled' AND stream = 0 ORDER BY id DESC")).at(0)) !== undefined, 10_000);
    assert.ok(row!.prompt_tokens >= 1_800, `prompt tokens ${row!.prompt_tokens}`);
    assert.equal(row!.completion_tokens, 0);
    assert.ok(row!.cost > 0, 'the prompt has a price');
  });
});
