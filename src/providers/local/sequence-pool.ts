/**
 * A fixed set of items handed out first come, first served: a request arriving when every context
 * sequence is busy waits for one instead of failing.
 */
export class SequencePool<T> {
  private readonly free: T[];
  private readonly waiting: Array<(item: T) => void> = [];

  constructor(items: T[]) {
    this.free = [...items];
  }

  /** Resolves with a free item; rejects with the signal's reason if aborted while waiting. */
  acquire(signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const item = this.free.pop();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const grant = (granted: T): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(granted);
      };
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(item: T): void {
    const next = this.waiting.shift();
    if (next) next(item);
    else this.free.push(item);
  }
}
