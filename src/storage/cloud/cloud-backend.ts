import type { Readable } from 'node:stream';

/** Inclusive byte offsets, as in `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where Cloud file bytes live. A file becomes visible under its id only once completely written:
 * a failed or abandoned write leaves nothing that could be read.
 */
export interface CloudBackend {
  readonly kind: 'local' | 's3';
  /** Stores everything `source` yields under `id`; rejects, leaving nothing, if `source` fails. Resolves to the byte count. */
  write(id: string, source: AsyncIterable<Buffer>, contentType: string): Promise<number>;
  /** The bytes of `id` (or of `range` within it); rejects with a 404 ApiError when missing. */
  read(id: string, range?: ByteRange): Promise<Readable>;
  remove(id: string): Promise<void>;
  /** Removes what writes interrupted by a crash left behind, where the backend can see it. */
  sweep?(): Promise<void>;
  close(): Promise<void>;
}
