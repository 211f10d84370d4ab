/**
 * Added latency of `POST /v1/messages` next to `POST /v1/chat/completions`, both to the same
 * OpenAI-compatible fake upstream, in one run: one connection, sequential, the three calls (direct,
 * chat via the gateway, messages via the gateway) alternating, non-streaming and streamed (20
 * chunks, timed to the last byte). Prints p50/p99 of the added time and the messages/chat ratio.
 *
 *   node --import tsx bench/messages-latency.ts   (after `npm run build`; BENCH_REQUESTS, default 2000)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'undici';
import { startServer } from '../test/support/server-process.js';

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
const fake = spawn(process.execPath, ['--import', 'tsx', 'bench/fake-upstream.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(fake.stdout!, 'data')) as [Buffer];
const port = /listening (\d+)/.exec(line.toString())![1];
const upstream = `http://127.0.0.1:${port}/v1`;
const server = await startServer({
  env: { FAKE_UPSTREAM_KEY: 'bench' },
  config: ['providers:', '  fake:', '    type: openai-compatible', `    base_url: ${upstream}`, '    api_key: ${FAKE_UPSTREAM_KEY}', 'models:', '  bench-model:', '    deployments: [ { provider: fake, model: bench-model } ]', ''].join('\n'),
});
const dispatcher = new Agent({ connections: 1 });
const messages = [{ role: 'user', content: 'Say something.' }];

async function time(url: string, body: unknown, headers: Record<string, string>): Promise<number> {
  const start = performance.now();
  const res = await request(url, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  return performance.now() - start;
}

const pct = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

for (const stream of [false, true]) {
  const direct: number[] = [];
  const chat: number[] = [];
  const msgs: number[] = [];
  for (let i = 0; i < N + 200; i++) {
    const d = await time(`${upstream}/chat/completions`, { model: 'bench-model', messages, stream }, { authorization: 'Bearer bench' });
    const c = await time(`${server.url}/v1/chat/completions`, { model: 'bench-model', messages, stream }, { authorization: 'Bearer openai' });
    const m = await time(`${server.url}/v1/messages`, { model: 'bench-model', max_tokens: 256, messages, stream }, { 'x-api-key': 'openai', 'anthropic-version': '2023-06-01' });
    if (i < 200) continue; // warm-up
    direct.push(d);
    chat.push(c);
    msgs.push(m);
  }
  const added = (xs: number[]) => xs.map((x, i) => x - direct[i]);
  const chatAdded = added(chat);
  const msgAdded = added(msgs);
  const row = (name: string, xs: number[]) => `${name.padEnd(28)} p50 ${pct(xs, 0.5).toFixed(3)} ms  p99 ${pct(xs, 0.99).toFixed(3)} ms`;
  console.log(`${stream ? 'streamed (20 chunks)' : 'non-streaming'}, ${N} requests each, direct p50 ${pct(direct, 0.5).toFixed(3)} ms`);
  console.log(row('  added by /v1/chat/completions', chatAdded));
  console.log(row('  added by /v1/messages', msgAdded));
  console.log(`  ratio messages/chat (p50 added): ${(pct(msgAdded, 0.5) / pct(chatAdded, 0.5)).toFixed(2)}`);
}
await server.stop();
fake.kill();
