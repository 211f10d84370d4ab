import type { Readable } from 'node:stream';
import type { ByteRange, CloudBackend } from './cloud-backend.js';
import type { S3Settings } from './cloud-settings.js';
import { S3Client } from './s3-client.js';

/**
 * Files as objects in S3-compatible storage, keyed by id (after `S3_PREFIX`). Uploads stream in
 * parts of `S3_PART_SIZE` bytes, one part held in memory at a time; an object exists only once its
 * multipart upload is completed, and a failed upload is aborted. Small files take one PUT. The
 * parts of uploads a crash interrupted stay invisible; a bucket lifecycle rule
 * (AbortIncompleteMultipartUpload) reclaims their space.
 */
export class S3Backend implements CloudBackend {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client(settings);
  }

  async write(id: string, source: AsyncIterable<Buffer>, contentType: string): Promise<number> {
    const partSize = this.settings.partSize;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let total = 0;
    let uploadId: string | undefined;
    const etags: string[] = [];
    const flush = async (): Promise<void> => {
      const part = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      uploadId ??= await this.client.createMultipartUpload(id, contentType);
      etags.push(await this.client.uploadPart({ key: id, uploadId, partNumber: etags.length + 1, body: part }));
    };
    try {
      for await (const chunk of source) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        total += chunk.length;
        if (pendingBytes >= partSize) await flush();
      }
      if (uploadId === undefined) {
        await this.client.putObject(id, Buffer.concat(pending, pendingBytes), contentType);
      } else {
        if (pendingBytes > 0) await flush();
        await this.client.completeMultipartUpload(id, uploadId, etags);
      }
      return total;
    } catch (error) {
      if (uploadId !== undefined) await this.client.abortMultipartUpload(id, uploadId).catch(() => undefined);
      throw error;
    }
  }

  read(id: string, range?: ByteRange): Promise<Readable> {
    return this.client.getObject(id, range);
  }

  remove(id: string): Promise<void> {
    return this.client.deleteObject(id);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
