import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashKey } from '../../auth/hash-key.js';
import { ApiError } from '../../core/errors.js';
import type { Database } from '../database.js';
import type { CloudFilesTable } from '../schema.js';
import type { ByteRange, CloudBackend } from './cloud-backend.js';
import { CloudQuota, type QuotaReservation, storeFull } from './cloud-quota.js';
import type { CloudSettings } from './cloud-settings.js';
import { LimitBytes } from './limit-bytes.js';

export type CloudFile = CloudFilesTable;

/** Expired files are removed this many at a time. */
const SWEEP_BATCH = 500;

/** 128 random bits as 32 hex characters: unguessable, and safe in paths and object keys. */
const ID = /^[0-9a-f]{32}$/;

export function isCloudId(id: string): boolean {
  return ID.test(id);
}

export interface StoredFile {
  id: string;
  /** The owner key, shown to the uploader once; only its hash is kept. */
  owner: string;
  size: number;
}

/**
 * The Cloud file store: bytes in a backend (a folder or S3), metadata in the database. A file is
 * listed only after its bytes are completely stored, so nothing half-written is ever served. The
 * stored total is capped (`quota`) and, with a TTL, a file is gone once older than it.
 */
export class CloudStore {
  readonly quota: CloudQuota;

  constructor(
    readonly backend: CloudBackend,
    private readonly database: Database,
    readonly settings: CloudSettings,
  ) {
    this.quota = new CloudQuota(database, settings.maxTotalBytes);
  }

  /**
   * Streams `source` into the store, within `room` reserved by the caller (else its own); rejects
   * with a 413 past the size limit or a 507 past the total quota, leaving nothing behind.
   */
  async put(source: Readable | AsyncIterable<Buffer>, meta: { name: string; contentType: string }, room?: QuotaReservation): Promise<StoredFile> {
    if (room) return this.putWithin(source, meta, room);
    const own = await this.quota.reserve(0);
    try {
      return await this.putWithin(source, meta, own);
    } finally {
      own.release();
    }
  }

  private async putWithin(source: Readable | AsyncIterable<Buffer>, meta: { name: string; contentType: string }, room: QuotaReservation): Promise<StoredFile> {
    const id = randomBytes(16).toString('hex');
    const owner = randomBytes(24).toString('base64url');
    const limited = new LimitBytes(this.settings.maxBytes, room);
    // The limiter fails as soon as the source does, so the backend sees the failure and cleans up.
    const feeding = pipeline(source, limited).catch(() => undefined);
    let size: number;
    try {
      size = await this.backend.write(id, limited, meta.contentType);
    } catch (error) {
      limited.destroy();
      await feeding;
      throw error;
    }
    await feeding;
    try {
      await this.database.db
        .insertInto('cloud_files')
        .values({ id, owner_hash: hashKey(owner), name: meta.name, size, content_type: meta.contentType, created_at: Date.now() })
        .execute();
    } catch (error) {
      await this.backend.remove(id).catch(() => undefined);
      throw error;
    }
    // Uploads that finished meanwhile on other instances may have taken the room this one counted on.
    if (!(await this.quota.holds())) {
      await this.database.db.deleteFrom('cloud_files').where('id', '=', id).execute();
      await this.backend.remove(id).catch(() => undefined);
      throw storeFull();
    }
    return { id, owner, size };
  }

  /** A listed file that has not expired. */
  async find(id: string, now = Date.now()): Promise<CloudFile | undefined> {
    if (!isCloudId(id)) return undefined;
    let query = this.database.db.selectFrom('cloud_files').selectAll().where('id', '=', id);
    if (this.settings.ttlMs !== undefined) query = query.where('created_at', '>', now - this.settings.ttlMs);
    return query.executeTakeFirst();
  }

  open(file: CloudFile, range?: ByteRange): Promise<Readable> {
    return this.backend.read(file.id, range);
  }

  /** Deletes a file if `ownerKey` is its owner's: the listing first, so it is unreachable at once, then the bytes. */
  async remove(id: string, ownerKey: string | undefined): Promise<void> {
    if (!ownerKey) throw new ApiError('missing_api_key', 'Send the owner key given at upload in the Authorization header.');
    const file = await this.find(id);
    if (!file) throw new ApiError('not_found', 'No such file.');
    const presented = Buffer.from(hashKey(ownerKey));
    if (!timingSafeEqual(presented, Buffer.from(file.owner_hash))) throw new ApiError('wrong_owner_key', 'The owner key does not match this file.');
    await this.database.db.deleteFrom('cloud_files').where('id', '=', id).execute();
    await this.backend.remove(id);
  }

  /**
   * Removes files older than the TTL: bytes first, then the listing, so a removal that fails is
   * retried by the next sweep rather than leaving unlisted bytes. Safe to run on every instance at once.
   * Resolves to the number of files removed.
   */
  async removeExpired(now = Date.now()): Promise<number> {
    const ttlMs = this.settings.ttlMs;
    if (ttlMs === undefined) return 0;
    let removed = 0;
    for (;;) {
      const expired = await this.database.db.selectFrom('cloud_files').select('id').where('created_at', '<=', now - ttlMs).limit(SWEEP_BATCH).execute();
      if (expired.length === 0) return removed;
      const ids = expired.map((file) => file.id);
      for (const id of ids) await this.backend.remove(id);
      await this.database.db.deleteFrom('cloud_files').where('id', 'in', ids).execute();
      removed += ids.length;
      if (ids.length < SWEEP_BATCH) return removed;
    }
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
