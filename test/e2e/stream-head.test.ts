/**
 * The SSE head of a streamed answer leaves with the first events when they are at hand (one socket
 * write), but is never held back for them: an upstream that answers its head at once and its first
 * event later has the client see the gateway's head at once too.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { type ServerProcess, startServer } from '../support/server-process.js';

const FIRST_EVENT_MS = 1500;
const CHUNK = (delta: string, finish: string | null): string =>
  `data: {"id":"chatcmpl-late","object":"chat.completion.chunk","created":1750000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":${delta},"finish_reason":${JSON.stringify(finish)}}]}\n\n`;

let upstream: Server;
let server: ServerProcess;

before(async () => {
  // The head flushed at once; the first event FIRST_EVENT_MS later.
  upstream = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      res.flushHeaders();
      setTimeout(() => {
        res.write(CHUNK('{"role":"assistant","content":"late"}', null));
        res.end(`${CHUNK('{}', 'stop')}data: [DONE]\n\n`);
      }, FIRST_EVENT_MS);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  server = await startServer({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` } });
});

after(async () => {
  await server?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('the head of a streamed answer', () => {
  it('reaches the client when the upstream head does, not with the first event', async () => {
    const started = performance.now();
    const res = await request(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer openai' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    const headMs = performance.now() - started;
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.ok(headMs < FIRST_EVENT_MS / 2, `the head came after ${Math.round(headMs)} ms`);
    const text = await res.body.text();
    assert.ok(performance.now() - started >= FIRST_EVENT_MS - 50);
    assert.match(text, /^data: \{"id":"chatcmpl-[^"]+","object":"chat.completion.chunk".*"content":"late"/);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });
});
