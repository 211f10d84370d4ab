/** Start-up as an operator meets it: guidance with no provider, clear config errors, the CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { http } from '../support/http.js';
import { REPO_ROOT, startServer } from '../support/server-process.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

describe('start-up', () => {
  it('with no provider it says what to set, and still serves the catalog', async () => {
    const server = await startServer();
    try {
      assert.match(server.output(), /No model provider is configured/);
      assert.match(server.output(), /OPENAI_API_KEY/);
      assert.match(server.output(), /OPENSQ_LOCAL_MODEL/);
      const catalog = await http(`${server.url}/ai/models`);
      assert.equal(catalog.status, 200);
      assert.equal(catalog.json.models['gpt-4o-mini'].status, 'down');
      assert.ok(catalog.json.classified.image.flux);
      assert.ok(catalog.json.classified.sound.gtts);
      assert.equal((await http(`${server.url}/health`)).json.status, 'ok');
      assert.equal((await http(`${server.url}/ready`)).json.status, 'ready');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('a config mistake stops start-up with the file and key named', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'opensq-badcfg-'));
    const file = path.join(dir, 'opensq.yaml');
    writeFileSync(file, 'models:\n  x:\n    deployments: [ { provider: openai } ]\n');
    const run = spawnSync(process.execPath, [CLI, 'serve'], { env: { ...process.env, OPENSQ_CONFIG: file, OPENSQ_DATA_DIR: dir, PORT: '0' }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: models\\.x\\.deployments\\.0\\.model`));
  });

  it('an unknown OPENSQ_TIMEZONE stops start-up with the variable named', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'opensq-badtz-'));
    const run = spawnSync(process.execPath, [CLI, 'serve'], { env: { ...process.env, OPENSQ_TIMEZONE: 'Mars/Olympus_Mons', OPENSQ_DATA_DIR: dir, PORT: '0' }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /OPENSQ_TIMEZONE must be an IANA time zone .*"Mars\/Olympus_Mons"/);
  });

  it('opensq doctor and opensq models describe the configuration', () => {
    const env = { ...process.env, OPENAI_API_KEY: 'sk-x', OPENSQ_DATA_DIR: '/nonexistent' };
    const doctor = spawnSync(process.execPath, [CLI, 'doctor', '--json'], { env, encoding: 'utf8' });
    assert.equal(doctor.status, 0, doctor.stderr);
    const report = JSON.parse(doctor.stdout);
    assert.equal(report.providers.find((p: { name: string }) => p.name === 'openai').configured, true);
    assert.match(report.providers.find((p: { name: string }) => p.name === 'groq').missing, /GROQ_API_KEY/);
    const text = spawnSync(process.execPath, [CLI, 'doctor'], { env: { ...env, OPENAI_API_KEY: '' }, encoding: 'utf8' });
    assert.match(text.stdout, /down: set OPENAI_API_KEY to use provider openai: gpt-4o-mini, .*\(\d+ models\)/, 'doctor says what each missing variable would bring up');
    const models = spawnSync(process.execPath, [CLI, 'models'], { env, encoding: 'utf8' });
    assert.match(models.stdout, /work\s+gpt-4o-mini\s/);
    const unknown = spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' });
    assert.equal(unknown.status, 2);
  });
});

describe('the first start lets a newcomer in', () => {
  it('makes an admin key in the data folder (mode 0600), says where, and the key opens the admin API; a second start reuses it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opensq-first-'));
    const file = path.join(dataDir, 'admin-key');
    try {
      const first = await startServer({ dataDir });
      let key: string;
      try {
        assert.ok(existsSync(file), 'the key file exists');
        assert.equal(statSync(file).mode & 0o777, 0o600);
        key = readFileSync(file, 'utf8').trim();
        assert.match(key, /^sq-admin-[A-Za-z0-9_-]{43}$/);
        assert.match(first.output(), new RegExp(`dashboard: http://127\\.0\\.0\\.1:\\d+/ \\(sign in with the admin key: cat ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
        assert.match(first.output(), /made on this first start/);
        assert.ok(!first.output().includes(key), 'the key itself is not printed');
        const overview = await http(`${first.url}/admin/overview`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(overview.status, 200, overview.text);
        assert.equal((await http(`${first.url}/admin/overview`, { headers: { authorization: 'Bearer sq-admin-wrong' } })).status, 403);
      } finally {
        await first.stop();
      }
      const second = await startServer({ dataDir });
      try {
        assert.equal(readFileSync(file, 'utf8').trim(), key);
        assert.doesNotMatch(second.output(), /made on this first start/);
        assert.equal((await http(`${second.url}/admin/overview`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('OPENSQ_ADMIN_KEY is used exactly, with no file; =off keeps the admin API disabled', async () => {
    const chosen = await startServer({ env: { OPENSQ_ADMIN_KEY: 'my-own-admin-key-123' } });
    try {
      assert.ok(!existsSync(path.join(chosen.dataDir, 'admin-key')), 'no key file');
      assert.equal((await http(`${chosen.url}/admin/keys`, { headers: { authorization: 'Bearer my-own-admin-key-123' } })).status, 200);
      assert.match(chosen.output(), /sign in with the value of OPENSQ_ADMIN_KEY/);
    } finally {
      await chosen.stop();
    }
    const off = await startServer({ env: { OPENSQ_ADMIN_KEY: 'off' } });
    try {
      assert.ok(!existsSync(path.join(off.dataDir, 'admin-key')), 'no key file');
      const res = await http(`${off.url}/admin/keys`, { headers: { authorization: 'Bearer off' } });
      assert.equal(res.status, 404);
      assert.equal(res.json.error.code, 'admin_disabled');
    } finally {
      await off.stop();
    }
  });
});
