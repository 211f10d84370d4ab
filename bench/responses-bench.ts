/**
 * `/v1/responses` next to `/v1/chat/completions`, both to the OpenAI-compatible fake upstream, in
 * one run: (a) latency added over calling the fake directly (p50/p99, sequential, the three targets
 * alternating), non-streaming and 20-chunk streams; (b) the gateway's CPU time per request under
 * BENCH_CONNECTIONS connections, in slices alternating the two routes. The goal: the Responses
 * route within 1.2× of the chat route's added latency and CPU per request.
 *
 * The OpenAI deployment is set to translate (`responses_api: false`): the fake upstream has no
 * Responses API, and the translation is what every other provider's Responses requests take.
 *
 * `npm run build && node --import tsx bench/responses-bench.ts` (BENCH_REQUESTS, BENCH_SLICES;
 * BENCH_PROFILE_DIR=dir writes the gateway's CPU profile there, for bench/profile-summary.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import { MODEL } from './config.js';
import { installCleanup, stopAll } from './processes.js';
import { cpuTicks, initClockTicks, ticksToMs } from './proc-stats.js';
import { CLIENT_OPTIONS, callJson, callStream, DIRECT, GATEWAY, MESSAGES, type Target } from './requests.js';
import { setUpPinning, startGateway, startUpstream } from './servers.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const SLICES = Number(process.env.BENCH_SLICES ?? 6);
const SLICE_MS = 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

const responsesBody = (stream: boolean): string =>
  JSON.stringify({ model: MODEL, instructions: MESSAGES[0].content, input: MESSAGES[1].content, temperature: 0.7, max_output_tokens: 64, ...(stream && { stream: true }), ...(process.env.BENCH_STORE === '0' && { store: false }) });

const RESPONSES: Target = {
  name: 'responses',
  side: 'gateway',
  json: { path: '/v1/responses', body: responsesBody(false) },
  stream: { path: '/v1/responses', body: responsesBody(true) },
  headers: GATEWAY.headers,
  doneMarker: 'response.completed',
};

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

async function cpuPerRequest(pool: Pool, gatewayPid: number, target: Target, stream: boolean): Promise<{ requests: number; cpuMs: number }> {
  const before = cpuTicks(gatewayPid);
  const until = performance.now() + SLICE_MS;
  let requests = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        if (stream) await callStream(pool, target);
        else await callJson(pool, target);
        requests++;
      }
    }),
  );
  return { requests, cpuMs: ticksToMs(cpuTicks(gatewayPid) - before) };
}

async function main(): Promise<void> {
  installCleanup();
  initClockTicks();
  const pinning = setUpPinning();
  const upstream = await startUpstream(pinning);
  // The translated Responses route, which every provider but OpenAI's own takes: the fake upstream speaks chat completions only.
  const profile = process.env.BENCH_PROFILE_DIR ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const gateway = await startGateway(pinning, upstream.origin, profile, undefined, (dataDir) => {
    const file = path.join(dataDir, 'responses-bench.yaml');
    writeFileSync(file, 'providers:\n  openai: { type: openai, options: { responses_api: false } }\n');
    return { OPENSQ_CONFIG: file };
  });
  const direct = new Pool(upstream.origin, { ...CLIENT_OPTIONS, connections: CONNECTIONS });
  const via = new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: CONNECTIONS });
  const pools = new Map<string, Pool>([[DIRECT.name, direct], [GATEWAY.name, via], [RESPONSES.name, via]]);
  console.log(`${pinning.note}; ${REQUESTS} sequential requests per target, ${SLICES} × ${SLICE_MS} ms load slices per route, ${CONNECTIONS} connections`);
  const lines: string[] = [];
  for (const stream of [false, true]) {
    const times = new Map<string, number[]>([[DIRECT.name, []], [GATEWAY.name, []], [RESPONSES.name, []]]);
    for (let i = 0; i < REQUESTS + 100; i++) {
      for (const target of [DIRECT, GATEWAY, RESPONSES]) {
        const pool = pools.get(target.name)!;
        const ms = stream ? (await callStream(pool, target)).done : await callJson(pool, target);
        if (i >= 100) times.get(target.name)!.push(ms);
      }
    }
    const p = (name: string, q: number) => quantile(times.get(name)!, q);
    const added = (name: string, q: number) => p(name, q) - p(DIRECT.name, q);
    const load = { chat: { requests: 0, cpuMs: 0 }, responses: { requests: 0, cpuMs: 0 } };
    for (let slice = 0; slice < SLICES; slice++) {
      for (const [key, target] of [['chat', GATEWAY], ['responses', RESPONSES]] as const) {
        const result = await cpuPerRequest(via, gateway.child.proc.pid!, target, stream);
        load[key].requests += result.requests;
        load[key].cpuMs += result.cpuMs;
      }
    }
    const cpu = (key: 'chat' | 'responses') => (load[key].cpuMs / load[key].requests) * 1000;
    const kind = stream ? 'stream (20 chunks, to the end)' : 'non-streaming';
    lines.push(
      `${kind}:`,
      `  added p50/p99 ms  chat ${added(GATEWAY.name, 0.5).toFixed(3)} / ${added(GATEWAY.name, 0.99).toFixed(3)}   responses ${added(RESPONSES.name, 0.5).toFixed(3)} / ${added(RESPONSES.name, 0.99).toFixed(3)}   ratio p50 ${(added(RESPONSES.name, 0.5) / added(GATEWAY.name, 0.5)).toFixed(2)}`,
      `  CPU µs/request    chat ${cpu('chat').toFixed(0)}   responses ${cpu('responses').toFixed(0)}   ratio ${(cpu('responses') / cpu('chat')).toFixed(2)}   (req/s at ${CONNECTIONS} conns: chat ${(load.chat.requests / SLICES).toFixed(0)}, responses ${(load.responses.requests / SLICES).toFixed(0)})`,
    );
  }
  console.log(lines.join('\n'));
  await direct.close();
  await via.close();
  await stopAll();
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
