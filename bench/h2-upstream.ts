/**
 * HTTP/1.1 or HTTP/2 to a provider? The gateway's side of it: undici's CPU per streamed request
 * and its throughput, against the same OpenAI-style stream (20 chunks, one event-loop turn each)
 * served once over HTTP/1.1 (node:http) and once over HTTP/2 (node:http2, h2c, one session),
 * measured in alternating slices in one run. Both servers run in a child process; this process is
 * the client, so its CPU per request is what the pool costs.
 *
 *   node --import tsx bench/h2-upstream.ts        (H2_SECONDS per slice, default 2; H2_CONCURRENCY, default 32)
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, type Dispatcher, H2CClient, request } from 'undici';

const CHUNKS = 20;
const chunk = (i: number): string => `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"piece ${i}"},"finish_reason":null}]}\n\n`;

/** Writes the stream a chunk per event-loop turn, to either server's response. */
function stream(res: { writeHead(s: number, h: Record<string, string>): unknown; write(s: string): unknown; end(s: string): unknown }): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let i = 0;
  const next = (): void => {
    if (i < CHUNKS) {
      res.write(chunk(i++));
      setImmediate(next);
    } else res.end('data: [DONE]\n\n');
  };
  next();
}

function serve(): void {
  const h1 = createServer((req, res) => req.resume().on('end', () => stream(res)));
  const h2 = createH2Server({}, (req, res) => req.resume().on('end', () => stream(res as never)));
  h1.listen(0, '127.0.0.1', 4096, () =>
    h2.listen(0, '127.0.0.1', () => process.send!({ h1: (h1.address() as AddressInfo).port, h2: (h2.address() as AddressInfo).port })),
  );
}

interface Slice {
  requests: number;
  cpuMs: number;
  wallMs: number;
}

async function slice(agent: Dispatcher, origin: string, concurrency: number, ms: number, totals: Slice): Promise<void> {
  const end = performance.now() + ms;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const res = await request(`${origin}/v1/chat/completions`, { method: 'POST', body: '{"stream":true}', dispatcher: agent });
      for await (const _ of res.body);
      totals.requests++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(cpu);
  totals.cpuMs += (used.user + used.system) / 1000;
  totals.wallMs += performance.now() - start;
}

async function main(): Promise<void> {
  const seconds = Number(process.env.H2_SECONDS || 2);
  const concurrency = Number(process.env.H2_CONCURRENCY || 32);
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'] });
  const ports = await new Promise<{ h1: number; h2: number }>((resolve) => child.once('message', resolve as never));
  const h1 = { agent: new Agent({ connections: null, pipelining: 1 }), origin: `http://127.0.0.1:${ports.h1}`, totals: { requests: 0, cpuMs: 0, wallMs: 0 } };
  // undici offers h2 by ALPN on TLS only (`allowH2`; an Agent's or Pool's `useH2c` does not reach
  // its connector); plain http speaks HTTP/2 only through H2CClient (prior knowledge): one session,
  // as many concurrent streams as its `pipelining`.
  const h2 = { agent: new H2CClient(`http://127.0.0.1:${ports.h2}`, { pipelining: 100, maxConcurrentStreams: 100 }), origin: `http://127.0.0.1:${ports.h2}`, totals: { requests: 0, cpuMs: 0, wallMs: 0 } };
  try {
    for (const side of [h1, h2]) await slice(side.agent, side.origin, concurrency, 1000, { requests: 0, cpuMs: 0, wallMs: 0 });
    for (let i = 0; i < 6; i++) for (const side of i % 2 ? [h2, h1] : [h1, h2]) await slice(side.agent, side.origin, concurrency, (seconds * 1000) / 2, side.totals);
    const line = (name: string, t: Slice): string => `  ${name}: ${Math.round((t.requests / t.wallMs) * 1000)} streams/s, client CPU ${(t.cpuMs / t.requests).toFixed(3)} ms per stream`;
    process.stdout.write(`${CHUNKS}-chunk streams, ${concurrency} at a time (machine shared: read the ratio)\n${line('HTTP/1.1', h1.totals)}\n${line('HTTP/2  ', h2.totals)}\n`);
    process.stdout.write(`  HTTP/2 ÷ HTTP/1.1: throughput ${(h2.totals.requests / h2.totals.wallMs / (h1.totals.requests / h1.totals.wallMs)).toFixed(2)}×, CPU per stream ${(h2.totals.cpuMs / h2.totals.requests / (h1.totals.cpuMs / h1.totals.requests)).toFixed(2)}×\n`);
  } finally {
    child.kill();
    await Promise.all([h1.agent.close(), h2.agent.close()]);
  }
}

if (process.argv.includes('--serve')) serve();
else await main();
