import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessSlots } from './process-slots.js';

describe('ProcessSlots', () => {
  it('lets `size` run at once and the rest in order as slots are released', async () => {
    const slots = new ProcessSlots(2);
    const never = new AbortController().signal;
    await slots.acquire(never);
    await slots.acquire(never);
    const order: number[] = [];
    const third = slots.acquire(never).then(() => order.push(3));
    const fourth = slots.acquire(never).then(() => order.push(4));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, []);
    slots.release();
    await third;
    slots.release();
    await fourth;
    assert.deepEqual(order, [3, 4]);
  });

  it('a waiter whose signal aborts leaves the queue with a 499, and its turn goes to the next', async () => {
    const slots = new ProcessSlots(1);
    await slots.acquire(new AbortController().signal);
    const leaving = new AbortController();
    const left = slots.acquire(leaving.signal);
    let nextStarted = false;
    const next = slots.acquire(new AbortController().signal).then(() => (nextStarted = true));
    leaving.abort();
    await assert.rejects(left, (error: { status: number }) => error.status === 499);
    slots.release();
    await next;
    assert.ok(nextStarted);
    slots.release();
    await slots.acquire(new AbortController().signal);
  });

  it('an aborted signal is refused at once', async () => {
    const slots = new ProcessSlots(1);
    await assert.rejects(slots.acquire(AbortSignal.abort()), (error: { status: number }) => error.status === 499);
  });
});
