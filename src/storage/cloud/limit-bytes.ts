import { Transform, type TransformCallback } from 'node:stream';
import { ApiError } from '../../core/errors.js';

/** Passes bytes through until more than `maxBytes` have gone by, then fails with a 413. */
export class LimitBytes extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) done(new ApiError('request_too_large', `The file is larger than the limit of ${this.maxBytes} bytes.`));
    else done(null, chunk);
  }
}
