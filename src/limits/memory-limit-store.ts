import type { GiveBack, LimitStore, TakeRequest, TakeResult } from './limit-store.js';

interface Counter {
  count: number;
  until: number;
}

const SWEEP_AT = 50_000;

/** Counters in this process's memory: the embedded default, exact for one process. */
export class MemoryLimitStore implements LimitStore {
  private readonly counters = new Map<string, Counter>();
  private readonly slots = new Map<string, number>();

  take(request: TakeRequest, now = Date.now()): TakeResult {
    const { windows, concurrency } = request;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
      const counter = this.live(w.key, now);
      if ((counter?.count ?? 0) + w.amount > w.limit) return { ok: false, failed: i, retryAfterMs: counter ? counter.until - now : w.windowMs };
    }
    if (concurrency && (this.slots.get(concurrency.key) ?? 0) >= concurrency.limit) return { ok: false, failed: -1, retryAfterMs: 1000 };
    if (this.counters.size > SWEEP_AT) this.sweep(now);
    for (const w of windows) {
      let counter = this.live(w.key, now);
      if (!counter) this.counters.set(w.key, (counter = { count: 0, until: now + w.windowMs }));
      counter.count += w.amount;
    }
    if (concurrency) this.slots.set(concurrency.key, (this.slots.get(concurrency.key) ?? 0) + 1);
    return { ok: true };
  }

  giveBack(back: GiveBack, now = Date.now()): void {
    for (const { key, amount } of back.adjust) {
      const counter = this.live(key, now);
      if (counter) counter.count = Math.max(0, counter.count + amount);
    }
    if (back.release !== undefined) {
      const held = (this.slots.get(back.release) ?? 0) - 1;
      if (held > 0) this.slots.set(back.release, held);
      else this.slots.delete(back.release);
    }
  }

  private live(key: string, now: number): Counter | undefined {
    const counter = this.counters.get(key);
    return counter && counter.until > now ? counter : undefined;
  }

  private sweep(now: number): void {
    for (const [key, counter] of this.counters) if (counter.until <= now) this.counters.delete(key);
  }
}
