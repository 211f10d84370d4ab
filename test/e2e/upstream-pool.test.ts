/**
 * The pool to a provider holds no hidden queue: by default every concurrent stream gets its own
 * socket at once; with OPENSQ_UPSTREAM_CONNECTIONS=N the (N+1)th waits, and /metrics shows it
 * waiting (queued, connections, socket wait).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStreams } from '../../bench/open-streams.js';
import { http } from '../support/http.js';
import { metricValue } from '../support/metrics.js';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';

interface SlowUpstream {
  origin: string;
  proc: ChildProcess;
}

/** The bench's fake upstream, streaming 10 chunks `delayMs` apart. */
async function startSlowUpstream(delayMs: number): Promise<SlowUpstream> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/fake-upstream.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, FAKE_PORT: '0', FAKE_CHUNK_DELAY_MS: String(delayMs), FAKE_STREAM_CHUNKS: '10' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    proc.once('exit', (code) => reject(new Error(`fake upstream exited with ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, proc };
}

const STREAM = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true };

async function gatewayTo(upstream: SlowUpstream, env: Record<string, string> = {}): Promise<ServerProcess> {
  return await startServer({ env: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${upstream.origin}/v1`, ...env } });
}

describe('the pool to a provider', () => {
  let upstream: SlowUpstream;
  before(async () => {
    // 10 chunks 300 ms apart: each stream holds its socket for 3 s.
    upstream = await startSlowUpstream(300);
  });
  after(() => {
    upstream?.proc.kill();
  });

  it('capped at N sockets, the (N+1)th stream waits for one, and /metrics shows it waiting', async () => {
    const gateway = await gatewayTo(upstream, { OPENSQ_UPSTREAM_CONNECTIONS: '4' });
    try {
      const labels = { origin: upstream.origin };
      const streams = openStreams(gateway.url, 5, STREAM);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await metricValue(gateway.url, 'opensq_upstream_pool_queued', labels), 1);
      assert.equal(await metricValue(gateway.url, 'opensq_upstream_pool_connections', labels), 4);
      assert.equal(await metricValue(gateway.url, 'opensq_upstream_pool_running', labels), 4);
      const timings = await streams;
      assert.ok(timings.every((t) => t.status === 200 && t.complete), JSON.stringify(timings));
      const firsts = timings.map((t) => t.firstByteMs).sort((a, b) => a - b);
      assert.ok(firsts[4] > 2500, `the fifth stream started after one of the four ended: ${firsts.join(', ')}`);
      assert.equal(await metricValue(gateway.url, 'opensq_upstream_socket_wait_seconds_count', labels), 5);
      assert.equal(await metricValue(gateway.url, 'opensq_upstream_socket_wait_seconds_bucket', { ...labels, le: '1' }), 4, 'four got a socket at once');
      assert.ok((await metricValue(gateway.url, 'opensq_upstream_socket_wait_seconds_sum', labels)) > 2.5);
      assert.equal(await metricValue(gateway.url, 'opensq_upstream_pool_queued', labels), 0);
    } finally {
      await gateway.stop();
    }
  });

  it('by default, 600 concurrent slow streams all get a socket and their first token at once', async () => {
    // 10-second streams: a stream that waited for a socket would start a whole stream late.
    const tenSeconds = await startSlowUpstream(1000);
    const gateway = await gatewayTo(tenSeconds);
    try {
      const labels = { origin: tenSeconds.origin };
      // A cold process (code not yet compiled, modules loading) needs a round to warm up.
      await openStreams(gateway.url, 200, STREAM);
      const streams = openStreams(gateway.url, 600, STREAM);
      await new Promise((r) => setTimeout(r, 4000));
      assert.equal(await metricValue(gateway.url, 'opensq_upstream_pool_queued', labels), 0);
      assert.equal(await metricValue(gateway.url, 'opensq_upstream_pool_running', labels), 600);
      const timings = await streams;
      const failed = timings.filter((t) => t.status !== 200 || !t.complete);
      assert.equal(failed.length, 0, JSON.stringify(failed.slice(0, 3)));
      const slowest = Math.max(...timings.map((t) => t.firstByteMs));
      // About a second on an idle machine; the bound leaves room for a busy one, and is still far
      // below the 10 s a stream waiting behind another would take (the old cap of 256 did that).
      assert.ok(slowest < 4000, `slowest first token after ${Math.round(slowest)} ms`);
      assert.ok((await metricValue(gateway.url, 'opensq_upstream_socket_wait_seconds_bucket', { ...labels, le: '1' })) >= 800, 'no request waited a second for a socket');
    } finally {
      await gateway.stop();
      tenSeconds.proc.kill();
    }
  });

  it('refuses a bad OPENSQ_UPSTREAM_CONNECTIONS at startup with a clear message', async () => {
    await assert.rejects(gatewayTo(upstream, { OPENSQ_UPSTREAM_CONNECTIONS: '0' }), /OPENSQ_UPSTREAM_CONNECTIONS must be a whole number ≥ 1 or "unlimited", got "0"/);
    const ok = await http(`${upstream.origin}/health`);
    assert.equal(ok.status, 200);
  });
});
