import { ApiError } from '../../core/errors.js';

/**
 * At most `size` espeak-ng processes at once: each takes a core for as long as it speaks, so one
 * per request would let a burst of requests start hundreds. The rest wait in order; a waiting
 * request whose client leaves gives up its place.
 */
export class ProcessSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  /** Resolves once a process may start; rejects as a cancelled synthesis if `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(cancelled(signal.reason));
    if (this.running < this.size) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = (): void => {
        signal.removeEventListener('abort', leave);
        resolve();
      };
      const leave = (): void => {
        this.waiting.splice(this.waiting.indexOf(start), 1);
        reject(cancelled(signal.reason));
      };
      signal.addEventListener('abort', leave, { once: true });
      this.waiting.push(start);
    });
  }

  /** Hands the slot to the next waiting request, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

function cancelled(cause: unknown): ApiError {
  return new ApiError('upstream_timeout', 'speech synthesis was aborted', { cause, status: 499 });
}
