/** The `opensq` command as operators use it: keys, usage, chat, help, exit codes and --json. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http } from '../support/http.js';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { createTestBackend, type TestBackend } from '../support/test-backend.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

let upstream: FakeOpenAI;
let backend: TestBackend;
let server: ServerProcess;
let env: NodeJS.ProcessEnv;

before(async () => {
  upstream = await startFakeOpenAI();
  backend = await createTestBackend();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opensq-cli-'));
  const own = { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_DATA_DIR: dataDir, ...backend.env };
  server = await startServer({ env: own, dataDir });
  env = { ...server.env, PORT: undefined, HOST: undefined };
});

after(async () => {
  await server?.stop();
  await backend?.drop();
  await upstream?.close();
});

/** Runs the CLI without blocking this process, whose fake upstream must keep answering. */
function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('opensq keys', () => {
  it('create shows the key once; list never shows it; the key works against the running server; revoke makes it a 401', async () => {
    const created = await cli(['keys', 'create', '--name', 'ci bot', '--rpm', '50', '--credits', '3', '--json']);
    assert.equal(created.status, 0, created.stderr);
    const key = JSON.parse(created.stdout);
    assert.match(key.key, /^sq-/);
    assert.deepEqual([key.name, key.rpm, key.credits], ['ci bot', 50, 3]);
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key.key}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'from the cli' }] } });
    assert.equal(res.status, 200, res.text);

    const list = await cli(['keys', 'list']);
    assert.equal(list.status, 0);
    assert.ok(list.stdout.includes(key.id) && list.stdout.includes(key.prefix));
    assert.ok(!list.stdout.includes(key.key));
    const listed = JSON.parse((await cli(['keys', 'list', '--json'])).stdout);
    assert.ok(listed.data.some((k: { id: string }) => k.id === key.id));

    const revoked = await cli(['keys', 'revoke', key.id]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked/);
    const deadline = Date.now() + 8000;
    let status = 200;
    while (Date.now() < deadline && (status = (await http(`${server.url}/ai/models`, { headers: { authorization: `Bearer ${key.key}` } })).status) === 200) await new Promise((r) => setTimeout(r, 250));
    assert.equal(status, 401, 'the running server refuses it within its key cache time');
    assert.equal((await cli(['keys', 'revoke', 'key_nope'])).status, 1);
  });

  it('bad usage exits 2 with the command help', async () => {
    const run = await cli(['keys', 'create']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--name/);
    assert.match(run.stderr, /opensq keys create/);
    assert.equal((await cli(['keys', 'create', '--name', 'x', '--rpm', 'lots'])).status, 2);
    assert.equal((await cli(['keys', 'frob'])).status, 2);
  });
});

describe('opensq usage, chat, help', () => {
  it('usage totals and groups from the ledger', async () => {
    await http(`${server.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'counted' }] } });
    const json = await cli(['usage', '--by', 'model', '--json']);
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.ok(report.totals.requests >= 1);
    assert.ok(report.data.some((g: { model: string }) => g.model === 'gpt-4o-mini'));
    const text = await cli(['usage', '--by', 'key']);
    assert.match(text.stdout, /key_public/);
    assert.match(text.stdout, /^total\s+\d+ req/m);
    assert.equal((await cli(['usage', '--by', 'color'])).status, 2);
    const rollup = await cli(['usage', 'rollup', '--json']);
    assert.equal(rollup.status, 0, rollup.stderr);
    assert.equal(typeof JSON.parse(rollup.stdout).pruned, 'number');
    assert.equal(typeof JSON.parse(rollup.stdout).prunedBodies, 'number');
  });

  it('chat streams an answer from a running server (--url) and in-process', async () => {
    const remote = await cli(['chat', '-m', 'gpt-4o-mini', '--url', server.url, 'Hello there']);
    assert.equal(remote.status, 0, remote.stderr);
    assert.equal(remote.stdout, 'Echo: Hello there\n');
    const local = await cli(['chat', '-m', 'gpt-4o-mini', '--system', 'Be brief', 'in process']);
    assert.equal(local.status, 0, local.stderr);
    assert.equal(local.stdout, '[Be brief] Echo: in process\n');
    const json = await cli(['chat', '-m', 'gpt-4o-mini', '--url', server.url, '--json', 'as json']);
    assert.equal(JSON.parse(json.stdout).object, 'chat.completion');
  });

  it('chat reports a failed request with exit 1', async () => {
    const run = await cli(['chat', '-m', 'no-such-model', '--url', server.url, 'hi']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /HTTP 404/);
    assert.equal((await cli(['chat', 'no model given'])).status, 2);
  });

  it('every command has --help', async () => {
    for (const command of ['serve', 'keys', 'usage', 'chat', 'models', 'doctor']) {
      const run = await cli([command, '--help']);
      assert.equal(run.status, 0, command);
      assert.match(run.stdout, new RegExp(`opensq ${command}`));
    }
    assert.match((await cli(['help', 'keys'])).stdout, /keys create/);
  });

  it('doctor says whether the database and Redis answer', async () => {
    const run = await cli(['doctor', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.ok(report.services.find((s: { name: string; ok: boolean }) => s.name === 'database').ok);
    const broken = await cli(['doctor'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /FAILED\s+database/);
  });
});

describe('opensq serve --workers', () => {
  it('serves on one port from several processes, restarts a dead worker and drains on SIGTERM', async () => {
    const workers = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url }, args: ['--workers', '2'] });
    try {
      await new Promise((r) => setTimeout(r, 500));
      // New connections each time: a pooled one could lead to the worker killed below.
      const answers = await Promise.all(Array.from({ length: 8 }, () => http(`${workers.url}/v1/chat/completions`, { headers: { connection: 'close' }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } })));
      assert.ok(answers.every((r) => r.status === 200));
      const children = () => spawnSync('pgrep', ['-P', String(workers.proc.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
      const before = children();
      assert.equal(before.length, 2);
      process.kill(Number(before[0]), 'SIGKILL');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !(children().length === 2 && !children().includes(before[0]))) await new Promise((r) => setTimeout(r, 100));
      assert.equal(children().length, 2, 'a new worker replaced the dead one');
      const slow = http(`${workers.url}/v1/chat/completions`, { headers: { connection: 'close' }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: '#slow drain me' }], stream: true } });
      await new Promise((r) => setTimeout(r, 150));
      workers.proc.kill('SIGTERM');
      const drained = await slow;
      assert.match(drained.text, /data: \[DONE\]/);
      assert.equal(await workers.stop(), 0);
    } finally {
      if (workers.proc.exitCode === null) await workers.stop();
    }
  });

  it('without Redis the workers share one set of limits through the primary', async () => {
    const workers = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ANONYMOUS_RPM: '6' }, args: ['--workers', '2'] });
    try {
      const statuses: number[] = [];
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(Array.from({ length: 4 }, () => http(`${workers.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, headers: { connection: 'close' } })));
        statuses.push(...answers.map((r) => r.status));
      }
      assert.equal(statuses.filter((s) => s === 200).length, 6, statuses.join(','));
    } finally {
      await workers.stop();
    }
  });
});

