import { ApiError } from '../../core/errors.js';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 100_000;

/**
 * Uploads per client address per minute, counted in fixed one-minute windows in this process. Past
 * the limit a 429 says when the window ends.
 */
export class UploadRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  take(address: string, now = Date.now()): void {
    if (this.perMinute <= 0) return;
    let window = this.windows.get(address);
    if (!window || now - window.start >= WINDOW_MS) {
      if (this.windows.size >= MAX_TRACKED) this.prune(now);
      window = { start: now, count: 0 };
      this.windows.set(address, window);
    }
    if (window.count >= this.perMinute) {
      const retryAfter = String(Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000)));
      throw new ApiError('rate_limit_exceeded', `Too many uploads from your address: at most ${this.perMinute} per minute.`, { retryAfter });
    }
    window.count++;
  }

  private prune(now: number): void {
    for (const [address, window] of this.windows) if (now - window.start >= WINDOW_MS) this.windows.delete(address);
    if (this.windows.size >= MAX_TRACKED) this.windows.clear();
  }
}
