import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLimitStore } from './memory-limit-store.js';

describe('in-process limit counters', () => {
  it('counts a request in every window only when all of them have room', () => {
    const store = new MemoryLimitStore();
    const request = { windows: [{ key: 'rpm', limit: 2, amount: 1, windowMs: 60_000 }, { key: 'tpm', limit: 100, amount: 60, windowMs: 60_000 }] };
    assert.deepEqual(store.take(request, 0), { ok: true });
    const refused = store.take(request, 1000);
    assert.deepEqual(refused, { ok: false, failed: 1, retryAfterMs: 59_000 });
    // The refusal counted nothing: after giving tokens back, the request fits once more, then rpm is full.
    store.giveBack({ adjust: [{ key: 'tpm', amount: -50 }] }, 2000);
    assert.deepEqual(store.take(request, 3000), { ok: true });
    assert.equal(store.take({ windows: [{ key: 'rpm', limit: 2, amount: 1, windowMs: 60_000 }] }, 4000).ok, false);
  });

  it('opens a new window after the old one ends; give-backs do not reopen one', () => {
    const store = new MemoryLimitStore();
    const hit = { windows: [{ key: 'k', limit: 1, amount: 1, windowMs: 1000 }] };
    assert.equal(store.take(hit, 0).ok, true);
    assert.equal(store.take(hit, 999).ok, false);
    store.giveBack({ adjust: [{ key: 'k', amount: 5 }] }, 1500);
    assert.equal(store.take(hit, 1500).ok, true);
  });

  it('holds concurrency slots until released', () => {
    const store = new MemoryLimitStore();
    const slot = { windows: [], concurrency: { key: 'c', limit: 2 } };
    assert.equal(store.take(slot).ok, true);
    assert.equal(store.take(slot).ok, true);
    assert.deepEqual(store.take(slot), { ok: false, failed: -1, retryAfterMs: 1000 });
    store.giveBack({ adjust: [], release: 'c' });
    assert.equal(store.take(slot).ok, true);
  });
});
