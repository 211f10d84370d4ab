import { Transform, type TransformCallback } from 'node:stream';
import { ApiError } from '../../core/errors.js';
import { type QuotaReservation, storeFull } from './cloud-quota.js';

/**
 * Passes bytes through until more than `maxBytes` have gone by (a 413) or the store's quota has no
 * room for them (a 507), then fails.
 */
export class LimitBytes extends Transform {
  private seen = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly room: QuotaReservation,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) done(new ApiError('request_too_large', `The file is larger than the limit of ${this.maxBytes} bytes.`));
    else if (!this.room.cover(this.seen)) done(storeFull());
    else done(null, chunk);
  }
}
