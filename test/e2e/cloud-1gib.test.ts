/**
 * A 1 GiB file through the Cloud store, up and down, with the server's resident memory sampled
 * from /proc while it streams: memory must stay flat whatever the file size.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { BOUNDARY, multipartFrame, upload } from '../support/cloud-client.js';
import { startServer } from '../support/server-process.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** How much the server's memory may grow while streaming 1 GiB: a few buffers, nothing proportional to the file. */
const ALLOWED_GROWTH = 64 * MIB;

/** VmRSS and VmHWM (peak) of a process, in bytes. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** 1 GiB generated as it is sent: a random MiB, each copy stamped with its index. */
function* gibibyte(hash: ReturnType<typeof createHash>): Generator<Buffer> {
  const block = randomBytes(MIB);
  for (let i = 0; i < GIB / MIB; i++) {
    const chunk = Buffer.from(block);
    chunk.writeUInt32LE(i, 0);
    hash.update(chunk);
    yield chunk;
  }
}

const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

describe('Cloud with a 1 GiB file', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('uploads and downloads it with the server\'s memory flat', { timeout: 240_000 }, async (t) => {
    const server = await startServer({ env: { OPENSQ_CLOUD_MAX_BYTES: String(GIB) } });
    try {
      const pid = server.proc.pid!;
      // Warm up every code path first, so the baseline includes what any upload loads.
      const warm = await upload(server.url, 'warm.bin', randomBytes(4 * MIB));
      await (await fetch(warm.json.url)).arrayBuffer();
      const baseline = memory(pid).rss;
      let highest = baseline;
      const sampler = setInterval(() => (highest = Math.max(highest, memory(pid).rss)), 20);

      const sent = createHash('sha256');
      const { head, tail } = multipartFrame('one-gibibyte.bin', 'application/octet-stream');
      const started = performance.now();
      const res = await request(`${server.url}/cloud/upload`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(head.length + GIB + tail.length) },
        body: Readable.from((function* () {
          yield head;
          yield* gibibyte(sent);
          yield tail;
        })()),
      });
      const answer = (await res.body.json()) as { ok: boolean; url: string };
      const uploadSeconds = (performance.now() - started) / 1000;
      assert.equal(res.statusCode, 200, JSON.stringify(answer));
      const afterUpload = highest;

      const downloadStarted = performance.now();
      const file = await request(answer.url);
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-length'], String(GIB));
      const received = createHash('sha256');
      let bytes = 0;
      for await (const chunk of file.body) {
        received.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      const downloadSeconds = (performance.now() - downloadStarted) / 1000;
      clearInterval(sampler);

      assert.equal(bytes, GIB);
      assert.equal(received.digest('hex'), sent.digest('hex'));
      const report =
        `1 GiB upload ${uploadSeconds.toFixed(1)} s, download ${downloadSeconds.toFixed(1)} s; server RSS baseline ${mib(baseline)}, ` +
        `peak during upload ${mib(afterUpload)}, peak overall ${mib(highest)} (growth ${mib(highest - baseline)}), VmHWM ${mib(memory(pid).peak)}`;
      t.diagnostic(report);
      assert.ok(highest - baseline < ALLOWED_GROWTH, report);
    } finally {
      await server.stop();
    }
  });
});
