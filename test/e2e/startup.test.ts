/** Start-up as an operator meets it: guidance with no provider, clear config errors, the CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
