import { ApiError } from '../../core/errors.js';
import type { LimitStore } from '../../limits/limit-store.js';
import { clientOfAddress } from './client-of-address.js';

const WINDOW_MS = 60_000;

/**
 * Uploads per client per minute, in windows that open with a client's first upload. A client is an
 * IPv4 address or an IPv6 /64 (`clientOfAddress`). The counters live in the gateway's limit store:
 * Redis when REDIS_URL is set, the primary process for `serve --workers`, else this process. Past
 * the limit a 429 says when the window ends.
 */
export class UploadRateLimiter {
  constructor(
    private readonly store: LimitStore,
    private readonly perMinute: number,
  ) {}

  async take(address: string): Promise<void> {
    if (this.perMinute <= 0) return;
    const window = { key: `cloud-uploads:${clientOfAddress(address)}`, limit: this.perMinute, amount: 1, windowMs: WINDOW_MS };
    const taken = await this.store.take({ windows: [window] });
    if (taken.ok) return;
    const retryAfter = String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000)));
    throw new ApiError('rate_limit_exceeded', `Too many uploads from your address: at most ${this.perMinute} per minute.`, { retryAfter });
  }
}
