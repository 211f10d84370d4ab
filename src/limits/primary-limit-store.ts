import cluster, { type Worker } from 'node:cluster';
import type { GiveBack, LimitStore, TakeRequest, TakeResult } from './limit-store.js';
import { MemoryLimitStore } from './memory-limit-store.js';

const TYPE = 'opensq-limits';

type Message =
  | { type: typeof TYPE; op: 'take'; id: number; request: TakeRequest }
  | { type: typeof TYPE; op: 'giveBack'; back: GiveBack }
  | { type: typeof TYPE; op: 'taken'; id: number; result: TakeResult };

/**
 * A worker of `serve --workers N` without Redis keeps its counters in the primary process, over
 * the cluster's IPC channel, so the limits hold across the workers of one machine.
 */
export class PrimaryLimitStore implements LimitStore {
  /** Shared by the stores of a process: each one's listener sees every answer, and keeps only its own ids. */
  private static next = 0;
  private readonly waiting = new Map<number, (result: TakeResult) => void>();

  constructor() {
    process.on('message', (message: Message) => {
      if (message?.type !== TYPE || message.op !== 'taken') return;
      const resolve = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      resolve?.(message.result);
    });
  }

  take(request: TakeRequest): Promise<TakeResult> {
    return new Promise((resolve) => {
      const id = ++PrimaryLimitStore.next;
      this.waiting.set(id, resolve);
      process.send!({ type: TYPE, op: 'take', id, request } satisfies Message);
    });
  }

  giveBack(back: GiveBack): void {
    process.send!({ type: TYPE, op: 'giveBack', back } satisfies Message);
  }
}

/** In the primary: answers the workers' limit requests from one set of counters. */
export function serveLimitsToWorkers(): void {
  const store = new MemoryLimitStore();
  // Slots held by each worker, freed if it dies holding them.
  const held = new Map<Worker, Map<string, number>>();
  cluster.on('message', (worker: Worker, message: Message) => {
    if (message?.type !== TYPE) return;
    if (message.op === 'take') {
      const result = store.take(message.request);
      const slot = message.request.concurrency?.key;
      if (result.ok && slot !== undefined) {
        const mine = held.get(worker) ?? new Map<string, number>();
        mine.set(slot, (mine.get(slot) ?? 0) + 1);
        held.set(worker, mine);
      }
      if (worker.isConnected()) worker.send({ type: TYPE, op: 'taken', id: message.id, result } satisfies Message);
    } else if (message.op === 'giveBack') {
      store.giveBack(message.back);
      const slot = message.back.release;
      const mine = slot === undefined ? undefined : held.get(worker);
      if (mine && slot !== undefined) mine.set(slot, (mine.get(slot) ?? 1) - 1);
    }
  });
  cluster.on('exit', (worker) => {
    for (const [slot, count] of held.get(worker) ?? []) for (let i = 0; i < count; i++) store.giveBack({ adjust: [], release: slot });
    held.delete(worker);
  });
}
