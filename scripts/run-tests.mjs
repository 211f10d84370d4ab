// Runs every *.test.ts under test/ and src/ with node's test runner (Node 20 has no glob for --test).
// A file that runs longer than FILE_TIMEOUT_MS is cancelled, so one stuck file cannot hold the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { servicesMissing } from '../test/support/reachable.mjs';

const FILE_TIMEOUT_MS = 180_000;

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) find(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

if (process.env.TEST_DATABASE === 'postgres') {
  const missing = await servicesMissing();
  const reason = missing.postgres ?? missing.redis;
  if (reason) {
    console.log(`skipped: ${reason} — the whole suite on Postgres and Redis (TEST_DATABASE=postgres)`);
    process.exit(0);
  }
}

const filter = process.argv.slice(2);
let files = [...find('src'), ...find('test')].sort();
if (filter.length) files = files.filter((f) => filter.some((pattern) => f.includes(pattern)));
const args = [
  '--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${FILE_TIMEOUT_MS}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/skip-summary-reporter.mjs', '--test-reporter-destination=stdout',
  ...files,
];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
