/**
 * The usage ledger as an operator relies on it: one row per request with tokens and status, rows of
 * completed requests surviving `kill -9`, and SIGTERM draining a stream in flight.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http, sseDataLines } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { createTestBackend } from '../support/test-backend.js';

let upstream: FakeOpenAI;

before(async () => {
  upstream = await startFakeOpenAI();
});
after(async () => {
  await upstream?.close();
});

const rows = (server: ServerProcess) => server.query('SELECT * FROM usage ORDER BY id');

const env = () => ({ OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url });
const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });

describe('usage ledger', () => {
  it('records one row per request with upstream tokens, status and the key\'s user', async () => {
    const server = await startServer({ env: env() });
    try {
      const ok = await http(`${server.url}/v1/chat/completions`, { json: chat('hello there') });
      const streamed = await http(`${server.url}/ai/v2`, { json: { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'stream me' }], stream: true } } });
      const failed = await http(`${server.url}/v1/chat/completions`, { json: chat('#fail-500') });
      const noUsage = await http(`${server.url}/v1/chat/completions`, { json: chat('#no-usage counted by tokenizer', { stream: true }) });
      assert.equal(ok.status, 200);
      assert.equal(failed.status, 502);
      assert.equal(sseDataLines(streamed.text).at(-1), '[DONE]');
      assert.equal(sseDataLines(noUsage.text).at(-1), '[DONE]');

      const ledger = await rows(server);
      assert.equal(ledger.length, 4);
      const [a, b, c, d] = ledger;
      assert.deepEqual([a.endpoint, a.status, a.http_status, a.stream, a.key_id, a.user_id], ['chat.completions', 'ok', 200, 0, 'key_public', 0]);
      assert.equal(a.prompt_tokens, ok.json.usage.prompt_tokens);
      assert.equal(a.completion_tokens, ok.json.usage.completion_tokens);
      assert.equal(a.provider, 'openai');
      assert.equal(a.model, 'gpt-4o-mini');
      assert.deepEqual([b.endpoint, b.status, b.stream], ['v2', 'ok', 1]);
      assert.ok(b.completion_tokens > 0 && b.ttft_ms !== null);
      assert.deepEqual([c.status, c.http_status, c.error_code], ['error', 502, 'upstream_error']);
      assert.equal(d.status, 'ok');
      assert.ok(d.completion_tokens > 0, 'a stream without upstream usage is counted with the tokenizer');
      assert.ok(d.prompt_tokens > 0);
    } finally {
      await server.stop();
    }
  });

  it('rows of completed requests survive kill -9, and the restarted server counts them', async () => {
    const backend = await createTestBackend();
    const dataDir = mkdtempSync('/tmp/opensq-crash-');
    const server = await startServer({ env: { ...env(), ...backend.env }, dataDir });
    const completed: string[] = [];
    const inFlight: Array<Promise<unknown>> = [];
    try {
      for (let i = 0; i < 60; i++) {
        const p = http(`${server.url}/v1/chat/completions`, { json: chat(`request ${i}`, { stream: i % 2 === 0 }) })
          .then((res) => {
            if (res.status === 200 && (i % 2 === 1 || res.text.endsWith('data: [DONE]\n\n'))) completed.push(String(res.headers['x-request-id']));
          })
          .catch(() => undefined);
        inFlight.push(p);
        if (i === 45) {
          await Promise.all(inFlight.slice(0, 40));
          await server.kill9();
        }
      }
      await Promise.all(inFlight);
      assert.ok(completed.length >= 40, `completed ${completed.length}`);
      const restarted = await startServer({ env: { ...env(), ...backend.env }, dataDir });
      try {
        const recorded = new Set((await rows(restarted)).map((row) => row.request_id));
        const lost = completed.filter((id) => !recorded.has(id));
        assert.deepEqual(lost, [], `${lost.length} of ${completed.length} completed responses have no ledger row`);
        const after = await http(`${restarted.url}/v1/chat/completions`, { json: chat('after the crash') });
        assert.equal(after.status, 200);
        assert.ok((await rows(restarted)).some((row) => row.request_id === after.headers['x-request-id']));
      } finally {
        await restarted.stop();
      }
    } finally {
      await backend.drop();
    }
  });

  it('SIGTERM lets a stream in flight finish, records it, then exits 0', async () => {
    const server = await startServer({ env: env() });
    const pending = http(`${server.url}/v1/chat/completions`, { json: chat('#slow a slow answer to drain', { stream: true }) });
    await new Promise((r) => setTimeout(r, 150));
    const code = server.proc.kill('SIGTERM');
    assert.ok(code);
    const res = await pending;
    assert.equal(sseDataLines(res.text).at(-1), '[DONE]');
    const content = sseDataLines(res.text).slice(0, -1).map((l) => JSON.parse(l).choices[0]?.delta?.content ?? '').join('');
    assert.equal(content, 'Echo: #slow a slow answer to drain');
    const ledgerBefore = await rows(server);
    assert.equal(await server.stop(), 0);
    assert.equal(ledgerBefore.length, 1);
    assert.equal(ledgerBefore[0].status, 'ok');
  });
});
