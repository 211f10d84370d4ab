/**
 * When each request body being read must be whole. One interval checks them all, so a request
 * pays a map entry rather than a timer of its own (setting and clearing a timer cost four times
 * as much); a late body is found within an eighth of the timeout (at most a second).
 */
export class BodyDeadlines {
  /** Insertion order is deadline order: every body gets the same timeout. */
  private readonly pending = new Map<() => void, number>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Calls `expire` once the timeout has passed, unless `clear`ed before. */
  watch(expire: () => void): void {
    this.pending.set(expire, Date.now() + this.timeoutMs);
    this.sweep ??= setInterval(() => this.expireLate(), Math.min(1000, Math.max(50, this.timeoutMs / 8))).unref();
  }

  clear(expire: () => void): void {
    this.pending.delete(expire);
  }

  private expireLate(): void {
    const now = Date.now();
    for (const [expire, deadline] of this.pending) {
      if (deadline > now) return;
      this.pending.delete(expire);
      expire();
    }
  }
}
