/**
 * A bounded soak: 2,000 requests, a fifth of them hitting injected faults, across two deployments,
 * streaming and not. Every request that could be served is served, every other one ends with a
 * proper error, none hangs past its timeout, and the server's sockets, file handles and memory
 * come back to their starting level.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { sseDataLines } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { POSTGRES_ADMIN_URL } from '../support/services.js';

const TOTAL = Number(process.env.SOAK_TOTAL ?? 2000);
const WARMUP = Number(process.env.SOAK_WARMUP ?? 1000);
const CONCURRENCY = 32;
/** Each fault, and whether a client can still get an answer despite it. */
const FAULTS: Array<{ marker: string; servable: boolean }> = [
  { marker: '#flaky1', servable: true },
  { marker: '#fail-500', servable: false },
  { marker: '#midstream-error', servable: false },
  { marker: '#reset', servable: false },
  { marker: '#stall', servable: false },
  { marker: '#hang', servable: false },
  { marker: '#bad-json', servable: false },
];

/** Socket inodes connected to the Postgres port: the database pool grows with load up to its own bound. */
function databaseSockets(): Set<string> {
  const port = (Number(new URL(POSTGRES_ADMIN_URL).port) || 5432).toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[2]?.endsWith(`:${port}`)) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The server's file handles and sockets, its pooled database connections left out, and its RSS. */
function resources(pid: number): { fds: number; sockets: number; rssMB: number } {
  const database = databaseSockets();
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link = '';
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const socket = /^socket:\[(\d+)\]$/.exec(link);
    if (socket && database.has(socket[1])) continue;
    fds++;
    if (socket) sockets++;
  }
  const rssKB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { fds, sockets, rssMB: Math.round(rssKB / 1024) };
}

describe('soak', () => {
  let a: FakeOpenAI;
  let b: FakeOpenAI;
  let server: ServerProcess;

  before(async () => {
    a = await startFakeOpenAI();
    b = await startFakeOpenAI();
    const provider = (name: string, fake: FakeOpenAI) =>
      `  ${name}:\n    type: openai-compatible\n    base_url: ${fake.url}\n    api_key: ${FAKE_KEY}\n    timeouts: { first_byte_ms: 2000, idle_ms: 2000, total_ms: 6000 }\n`;
    server = await startServer({
      config: `providers:\n${provider('a', a)}${provider('b', b)}models:\n  duo:\n    deployments: [ { provider: a, model: gpt-4o-mini }, { provider: b, model: gpt-4o-mini } ]\n`,
      env: { OPENSQ_MAX_ATTEMPTS: '2' },
    });
  });
  after(async () => {
    await server?.stop();
    await a?.close();
    await b?.close();
  });

  it(`serves ${TOTAL} requests with a fifth faulty, without leaks`, { timeout: 120_000 }, async (t) => {
    const pid = server.proc.pid!;
    let pool = new Pool(server.url, { connections: CONCURRENCY, headersTimeout: 20_000, bodyTimeout: 20_000 });
    const outcomes = { served: 0, failedProperly: 0, unservedServable: [] as string[], malformed: [] as string[], slow: [] as string[] };
    let next = 0;
    let last = 0;
    async function worker(): Promise<void> {
      while (next < last) {
        const i = next++;
        const fault = i % 5 === 0 ? FAULTS[(i / 5) % FAULTS.length] : undefined;
        const stream = i % 2 === 1;
        const text = `soak ${i} ${fault?.marker ?? ''}`;
        const t0 = performance.now();
        const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'duo', stream, messages: [{ role: 'user', content: text }] }) });
        const body = await res.body.text();
        const elapsed = performance.now() - t0;
        if (elapsed > 7_000) outcomes.slow.push(`${text}: ${Math.round(elapsed)} ms`);
        let ok = false;
        let properError = false;
        if (stream && res.statusCode === 200) {
          const lines = sseDataLines(body);
          if (lines.at(-1) !== '[DONE]') outcomes.malformed.push(`${text}: stream without [DONE]`);
          const last = lines.at(-2);
          if (last && JSON.parse(last).error) properError = true;
          else ok = lines.slice(0, -1).map((l) => JSON.parse(l).choices[0]?.delta?.content ?? '').join('') === `Echo: ${text}`;
        } else if (res.statusCode === 200) {
          ok = JSON.parse(body).choices[0].message.content === `Echo: ${text}`;
        } else {
          properError = typeof JSON.parse(body).error?.message === 'string';
        }
        if (ok) outcomes.served++;
        else if (properError) outcomes.failedProperly++;
        else outcomes.malformed.push(`${text}: ${res.statusCode} ${body.slice(0, 200)}`);
        if (!ok && (!fault || fault.servable)) outcomes.unservedServable.push(`${text}: ${res.statusCode} ${body.slice(0, 200)}`);
      }
    }
    const round = async (count: number): Promise<void> => {
      last = next + count;
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };
    // A first round of the same traffic lets the heap, pools and JIT reach their working size,
    // so what is measured after the soak is growth, not warm-up.
    // Connections the warm-up opened to the database and the upstreams stay pooled; the client's
    // close, so the baseline holds only what a server keeps while idle.
    await round(WARMUP);
    await pool.close();
    pool = new Pool(server.url, { connections: CONCURRENCY, headersTimeout: 20_000, bodyTimeout: 20_000 });
    await new Promise((r) => setTimeout(r, 1500));
    const start = resources(pid);
    const idle = start;
    Object.assign(outcomes, { served: 0, failedProperly: 0 });
    const started = performance.now();
    await round(TOTAL);
    const seconds = (performance.now() - started) / 1000;
    await pool.close();
    await new Promise((r) => setTimeout(r, 1500));
    const end = resources(pid);

    t.diagnostic(`${TOTAL} requests in ${seconds.toFixed(1)} s: ${outcomes.served} served, ${outcomes.failedProperly} failed with a proper error`);
    t.diagnostic(`server idle before / after: fds ${idle.fds}/${end.fds}, sockets ${idle.sockets}/${end.sockets}; RSS after warm-up ${start.rssMB} MB, after the soak ${end.rssMB} MB`);
    assert.deepEqual(outcomes.unservedServable, [], 'every request that could be served was served');
    assert.deepEqual(outcomes.malformed, [], 'every failure was a proper error');
    assert.deepEqual(outcomes.slow, [], 'none outlived its timeout');
    assert.equal(outcomes.served + outcomes.failedProperly, TOTAL);
    // Idle keep-alive sockets to the two upstreams may remain open (two per upstream at most here).
    assert.ok(end.fds <= idle.fds + 4, `file handles back to their level: ${idle.fds} → ${end.fds}`);
    assert.ok(end.sockets <= idle.sockets + 4, `sockets back to their level: ${idle.sockets} → ${end.sockets}`);
    assert.ok(end.rssMB <= start.rssMB * 1.2 + 15, `memory back near its level: ${start.rssMB} → ${end.rssMB} MB`);
  });
});
