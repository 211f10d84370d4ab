import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../storage/database.js';
import { findUsageRow, SCAN_STEP_ROWS } from './find-usage-row.js';

describe('findUsageRow (SQLite: a scan by steps)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opensq-find-row-'));
  const database = await openDatabase({ dataDir: dir });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const rows = Math.round(SCAN_STEP_ROWS * 2.5);
  const insert = database.sqlite!.prepare(
    "INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, latency_ms, status, http_status, upstream_id) VALUES (?, ?, 'key_public', 0, 'chat.completions', 'm', 1, 'ok', 200, ?)",
  );
  // Every 1000th row names the same upstream id, so the newest of them must come back.
  database.sqlite!.transaction(() => {
    for (let i = 1; i <= rows; i++) insert.run(i, `chatcmpl-${i}`, i % 1000 === 0 ? 'up-shared' : `up-${i}`);
  })();

  it('finds a row in any step, the newest of several, and nothing for an unknown id', async () => {
    assert.equal((await findUsageRow(database, 'request_id', 'chatcmpl-1'))?.ts, 1);
    assert.equal((await findUsageRow(database, 'request_id', `chatcmpl-${rows}`))?.ts, rows);
    assert.equal((await findUsageRow(database, 'upstream_id', 'up-shared'))?.ts, Math.floor(rows / 1000) * 1000);
    assert.equal(await findUsageRow(database, 'request_id', 'chatcmpl-none'), undefined);
  });

  it('lets the event loop turn between steps, so a lookup of an unknown id does not hold up other requests', async () => {
    let turns = 0;
    let watching = true;
    const tick = () => {
      turns++;
      if (watching) setImmediate(tick);
    };
    setImmediate(tick);
    await findUsageRow(database, 'upstream_id', 'nobody');
    watching = false;
    assert.ok(turns >= Math.floor(rows / SCAN_STEP_ROWS), `the event loop turned ${turns} times during a scan of ${rows} rows`);
  });
});
