import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../../core/errors.js';
import type { ByteRange, CloudBackend } from './cloud-backend.js';
import { processAlive } from '../../core/process-alive.js';

/** A temp file not written to for this long belongs to an upload that is gone. */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * Files in a folder: `files/<first two characters of the id>/<id>`. An upload is written to
 * `tmp/<id>.<pid>.<random>.part` and renamed into place only when complete, so a reader never
 * sees a half-written file. A failed upload's temp file is removed at once; the sweep (at start-up
 * and every ten minutes) removes those of processes that died, and any left unwritten for ten
 * minutes, so instances sharing the folder never remove each other's uploads in progress.
 */
export class LocalFolderBackend implements CloudBackend {
  readonly kind = 'local' as const;
  private readonly filesDir: string;
  private readonly tmpDir: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(dir: string) {
    this.filesDir = path.join(dir, 'files');
    this.tmpDir = path.join(dir, 'tmp');
  }

  async start(): Promise<void> {
    await mkdir(this.filesDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    await this.sweep();
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), STALE_TEMP_MS);
    this.timer.unref();
  }

  /** Ids are checked by the caller (hex only), so they cannot leave the folder. */
  private fileOf(id: string): string {
    return path.join(this.filesDir, id.slice(0, 2), id);
  }

  async write(id: string, source: AsyncIterable<Buffer>): Promise<number> {
    const temp = path.join(this.tmpDir, `${id}.${process.pid}.${randomBytes(6).toString('hex')}.part`);
    let size = 0;
    try {
      const out = createWriteStream(temp, { flags: 'wx' });
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            yield chunk;
          }
        },
        out,
      );
      const final = this.fileOf(id);
      await mkdir(path.dirname(final), { recursive: true });
      await rename(temp, final);
      return size;
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    let handle;
    try {
      handle = await open(this.fileOf(id), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('not_found', 'No such file.');
      throw error;
    }
    return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: 256 * 1024 });
  }

  async remove(id: string): Promise<void> {
    await rm(this.fileOf(id), { force: true });
  }

  async sweep(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      const file = path.join(this.tmpDir, name);
      const pid = Number(name.split('.')[1]);
      const info = await stat(file).catch(() => undefined);
      if (info && (!processAlive(pid) || now - info.mtimeMs > STALE_TEMP_MS)) await rm(file, { force: true });
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}
