import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { parseHeaders, errors as undiciErrors } from './undici-parts.js';

/** An upstream's answer: status, headers, and its body as it arrives. */
export interface UpstreamExchange {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: UpstreamBody;
}

/** What a paused read waits for before undici reads the socket again: as much as request()'s Readable holds. */
const HIGH_WATER_BYTES = 64 * 1024;
/** How much of an unwanted body (a redirect's) is read so the socket can be kept; past it, the socket is closed. */
const DUMP_BYTES = 128 * 1024;

/**
 * One request on `dispatcher`, with the work undici's `request()` does per request and nothing
 * else: one handler object (no Readable, no AsyncResource), one listener on `signal` (the handler
 * itself), removed when the body is done. A body read in full as it arrives (non-streaming answers)
 * is concatenated once; a streaming reader pauses the socket past 64 KiB unread, as request() did.
 * undici's legacy handler callbacks are its native ones (the newer API is wrapped into them), and
 * `onConnect` is what the pool's socket-wait timer hooks.
 */
export function dispatchUpstream(dispatcher: Dispatcher, opts: Dispatcher.DispatchOptions, signal: AbortSignal): Promise<UpstreamExchange> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(opts, new UpstreamHandler(signal, resolve, reject));
  });
}

class UpstreamHandler implements Dispatcher.DispatchHandler {
  private abortRequest: ((reason?: Error) => void) | null = null;
  private reason: Error | null = null;
  private body: UpstreamBody | null = null;
  private settle: ((exchange: UpstreamExchange) => void) | null;

  constructor(
    private readonly signal: AbortSignal,
    resolve: (exchange: UpstreamExchange) => void,
    private reject: ((error: unknown) => void) | null,
  ) {
    this.settle = resolve;
    if (signal.aborted) this.reason = abortReason(signal);
    else signal.addEventListener('abort', this);
  }

  /** The client's signal fired: the request (or its body) ends with the signal's reason. */
  handleEvent(): void {
    this.reason = abortReason(this.signal);
    if (this.abortRequest) this.abortRequest(this.reason);
    // Not yet connected: onConnect aborts. Body complete but unread: its reader sees the abort.
    else this.body?.fail(this.reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.reason) {
      abort(this.reason);
      return;
    }
    this.abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    const body = new UpstreamBody(this, resume);
    this.body = body;
    const settle = this.settle;
    this.settle = null;
    this.reject = null;
    settle?.({ statusCode, headers: parseHeaders(rawHeaders) as IncomingHttpHeaders, body });
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.body ? this.body.push(chunk) : true;
  }

  onComplete(): void {
    this.abortRequest = null;
    this.body?.end();
  }

  onError(error: Error): void {
    this.abortRequest = null;
    if (this.reject) {
      const reject = this.reject;
      this.reject = null;
      this.settle = null;
      this.release();
      reject(error);
      return;
    }
    this.body?.fail(error);
  }

  /** Ends the exchange from the reader's side: the socket is closed unless the body was complete. */
  abort(): void {
    this.abortRequest?.(new undiciErrors.RequestAbortedError());
    this.abortRequest = null;
  }

  /** The body is done with (read to its end, failed, or dropped): the signal is no longer watched. */
  release(): void {
    this.signal.removeEventListener('abort', this);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new undiciErrors.RequestAbortedError();
}

/**
 * An upstream body: an async iterable of what arrived since the last read, for stream readers
 * (leaving the loop early closes the socket), or read whole. Chunks that arrive before anyone reads them are queued; past
 * 64 KiB queued, undici stops reading the socket until the reader catches up.
 */
export class UpstreamBody implements AsyncIterableIterator<Uint8Array> {
  private queue: Buffer[] = [];
  private queued = 0;
  private paused = false;
  private ended = false;
  private error: Error | null = null;
  private done = false;
  /** The pending read's settlers (two fields, not an object: one allocation less per chunk). */
  private waiting: ((r: IteratorResult<Uint8Array>) => void) | null = null;
  private waitingFailed: ((e: unknown) => void) | null = null;
  private readonly wait = (resolve: (r: IteratorResult<Uint8Array>) => void, reject: (e: unknown) => void): void => {
    this.waiting = resolve;
    this.waitingFailed = reject;
  };

  constructor(
    private readonly handler: UpstreamHandler,
    private readonly resume: () => void,
  ) {}

  /** A chunk from undici; false asks it to pause the socket. */
  push(chunk: Buffer): boolean {
    if (this.done) return true;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      this.waitingFailed = null;
      waiting({ value: chunk, done: false });
      return true;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued < HIGH_WATER_BYTES) return true;
    this.paused = true;
    return false;
  }

  end(): void {
    this.ended = true;
    if (this.waiting && this.queue.length === 0) this.finish();
  }

  fail(error: Error): void {
    if (this.done || this.error) return;
    this.error = error;
    this.queue = [];
    this.queued = 0;
    const failed = this.waitingFailed;
    this.waiting = null;
    this.waitingFailed = null;
    this.close();
    failed?.(error);
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.error) return Promise.reject(this.error);
    if (this.queued > 0) {
      // Everything that arrived since the last read, as one chunk (as a Readable's read() gives it):
      // the reader then answers it with one batch and one write to its client.
      const chunk = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue, this.queued);
      this.queue = [];
      this.queued = 0;
      if (this.paused) {
        this.paused = false;
        this.resume();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.ended || this.done) {
      this.close();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise(this.wait);
  }

  /** The reader left before the end: the rest is not read, and the socket is closed. */
  return(): Promise<IteratorResult<Uint8Array>> {
    this.destroy();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Drops the body: an unfinished exchange is aborted (its socket closed). */
  destroy(): void {
    if (this.done) return;
    if (!this.ended && !this.error) this.handler.abort();
    this.queue = [];
    this.queued = 0;
    this.close();
  }

  /** The body up to `limit` bytes; not `complete` when it was longer (the rest is not read). */
  async readUpTo(limit: number): Promise<{ data: Buffer; complete: boolean }> {
    // Most answers have arrived whole before they are read: one concatenation, no iteration.
    if (this.ended && !this.error && this.queued <= limit) {
      const data = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue, this.queued);
      this.queue = [];
      this.queued = 0;
      this.close();
      return { data, complete: true };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this) {
      chunks.push(chunk as Buffer);
      size += chunk.length;
      if (size > limit) {
        this.destroy();
        return { data: Buffer.concat(chunks).subarray(0, limit), complete: false };
      }
    }
    return { data: Buffer.concat(chunks, size), complete: true };
  }

  /** Reads and discards a short body so its socket is reused; a long one closes the socket. */
  async dump(): Promise<void> {
    await this.readUpTo(DUMP_BYTES);
  }

  private finish(): void {
    const waiting = this.waiting;
    this.waiting = null;
    this.waitingFailed = null;
    this.close();
    waiting?.({ value: undefined, done: true });
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    this.handler.release();
  }
}
