import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { TakeResult } from './limit-store.js';
import { PrimaryLimitStore } from './primary-limit-store.js';

describe('PrimaryLimitStore', () => {
  it('two stores of one worker (the API limits and Cloud uploads) each get their own answers', async () => {
    const sent: Array<{ id: number }> = [];
    const send = process.send;
    process.send = ((message: { id: number }) => sent.push(message) > 0) as typeof process.send;
    try {
      const api = new PrimaryLimitStore().take({ windows: [] });
      const uploads = new PrimaryLimitStore().take({ windows: [] });
      const answers: TakeResult[] = [{ ok: true }, { ok: false, failed: 0, retryAfterMs: 5000 }];
      // The primary answers the second request first.
      for (const i of [1, 0]) (process as EventEmitter).emit('message', { type: 'opensq-limits', op: 'taken', id: sent[i].id, result: answers[i] });
      assert.deepEqual(await api, answers[0]);
      assert.deepEqual(await uploads, answers[1]);
    } finally {
      process.send = send;
    }
  });
});
