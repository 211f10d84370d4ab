/** One counter of a window: it opens with its first hit and lasts `windowMs`. */
export interface WindowHit {
  key: string;
  limit: number;
  /** How much this request adds: 1 for a request, its estimated tokens for tokens per minute. */
  amount: number;
  windowMs: number;
}

export interface TakeRequest {
  windows: WindowHit[];
  /** A concurrency slot to hold until settled. */
  concurrency?: { key: string; limit: number };
}

/** `failed` is the index of the window over its limit, or -1 for the concurrency slot. */
export type TakeResult = { ok: true } | { ok: false; failed: number; retryAfterMs: number };

export interface GiveBack {
  /** Added to windows still open (negative to give back): reconciles estimates with real usage. */
  adjust: Array<{ key: string; amount: number }>;
  /** A concurrency slot to free. */
  release?: string;
}

/**
 * Where rate-limit counters live: in this process by default, in Redis (REDIS_URL) when several
 * instances share the limits. `take` checks every window and the slot and, only if all pass,
 * counts the request in all of them, atomically.
 */
export interface LimitStore {
  take(request: TakeRequest): TakeResult | Promise<TakeResult>;
  giveBack(back: GiveBack): void | Promise<void>;
}
