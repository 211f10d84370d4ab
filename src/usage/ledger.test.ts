import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../storage/database.js';
import { UsageLedger, type UsageRow } from './ledger.js';

describe('UsageLedger (SQLite)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opensq-ledger-'));
  const database = await openDatabase({ dataDir: dir });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ledger = new UsageLedger(database);

  it('writes every column of a row where it belongs (values are bound by position)', async () => {
    // A distinct value in every column, so two swapped positions cannot pass.
    const row: UsageRow = {
      ts: 1_700_000_000_001,
      request_id: 'chatcmpl-ledger-1',
      key_id: 'key_public',
      user_id: 0,
      endpoint: 'chat.completions',
      model: 'model-a',
      provider: 'provider-b',
      deployment: 'deployment-c',
      prompt_tokens: 11,
      completion_tokens: 12,
      cached_tokens: 13,
      cost: 0.25,
      latency_ms: 14,
      ttft_ms: 15,
      status: 'error',
      http_status: 502,
      error_code: 'upstream_error',
      stream: 1,
      attempts: '[{"provider":"p"}]',
      upstream_id: 'upstream-d',
      cache_write_tokens: 16,
      builtin_tool_calls: 17,
    };
    await ledger.record({ ...row }, { request_id: row.request_id, ts: row.ts, body: '{"model":"model-a"}' });
    const { id, ...stored } = await database.db.selectFrom('usage').selectAll().where('request_id', '=', row.request_id).executeTakeFirstOrThrow();
    assert.equal(typeof id, 'number');
    assert.deepEqual(stored, row);
    const body = await database.db.selectFrom('request_bodies').selectAll().where('request_id', '=', row.request_id).executeTakeFirstOrThrow();
    assert.deepEqual(body, { request_id: row.request_id, ts: row.ts, body: '{"model":"model-a"}' });
  });

  it('fills the optional columns of a row that leaves them out', async () => {
    const row = {
      ts: 1_700_000_000_002, request_id: 'chatcmpl-ledger-2', key_id: 'key_public', user_id: 0, endpoint: 'chat.completions', model: 'model-a',
      provider: null, deployment: null, prompt_tokens: 1, completion_tokens: 2, cached_tokens: 0, cost: 0, latency_ms: 3, ttft_ms: null,
      status: 'ok', http_status: 200, error_code: null, stream: 0, attempts: null,
    };
    await ledger.record({ ...row });
    const stored = await database.db.selectFrom('usage').select(['upstream_id', 'cache_write_tokens', 'builtin_tool_calls', 'provider']).where('request_id', '=', row.request_id).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { upstream_id: null, cache_write_tokens: 0, builtin_tool_calls: 0, provider: null });
  });
});
