import { sql } from 'kysely';
import { ApiError } from '../../core/errors.js';
import type { Database } from '../database.js';

/** The error of an upload that does not fit: 507, the server's storage is the problem, not the request. */
export function storeFull(): ApiError {
  return new ApiError('insufficient_storage', 'The Cloud store is full: there is no room left for this file. Try again later or with a smaller file.');
}

/**
 * OPENSQ_CLOUD_MAX_TOTAL_BYTES, a cap on the bytes of all stored files. The stored total is summed
 * from the database's `cloud_files`, so every instance sees the same one; the bytes of uploads in
 * flight in this process are reserved on top of it (the declared size at once, a chunked upload's
 * bytes as they arrive). Once a file is listed the total is summed again and the file withdrawn if
 * uploads on other instances took the room meanwhile, so the cap holds across instances too.
 */
export class CloudQuota {
  private inFlight = 0;

  constructor(
    private readonly database: Database,
    readonly maxTotalBytes: number,
  ) {}

  /** Room for an upload of `declared` bytes (0 when unknown: it grows as the bytes arrive), or a 507. */
  async reserve(declared: number): Promise<QuotaReservation> {
    if (this.maxTotalBytes === 0) return new QuotaReservation(this, 0);
    const reservation = new QuotaReservation(this, await this.storedBytes());
    if (!reservation.cover(declared)) throw storeFull();
    return reservation;
  }

  /** Whether the stored total, every instance's files included, is within the cap. */
  async holds(): Promise<boolean> {
    return this.maxTotalBytes === 0 || (await this.storedBytes()) <= this.maxTotalBytes;
  }

  async storedBytes(): Promise<number> {
    const row = await this.database.db
      .selectFrom('cloud_files')
      .select(sql<number | string>`coalesce(sum(size), 0)`.as('total'))
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /** Adds `bytes` to this process's reservations if the total with `stored` stays within the cap. */
  grow(stored: number, bytes: number): boolean {
    if (this.maxTotalBytes !== 0 && stored + this.inFlight + bytes > this.maxTotalBytes) return false;
    this.inFlight += bytes;
    return true;
  }

  shrink(bytes: number): void {
    this.inFlight -= bytes;
  }
}

/** The room one upload holds until it is released (listed or failed). */
export class QuotaReservation {
  private bytes = 0;

  constructor(
    private readonly quota: CloudQuota,
    /** The stored total when the upload started. */
    private readonly stored: number,
  ) {}

  /** Whether `total` bytes fit: in what is held already, or by holding more. */
  cover(total: number): boolean {
    if (total <= this.bytes) return true;
    if (!this.quota.grow(this.stored, total - this.bytes)) return false;
    this.bytes = total;
    return true;
  }

  release(): void {
    this.quota.shrink(this.bytes);
    this.bytes = 0;
  }
}
