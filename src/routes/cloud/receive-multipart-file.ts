import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy, { type FileInfo } from 'busboy';
import { ApiError } from '../../core/errors.js';
import { watchUploadPace } from './watch-upload-pace.js';

/**
 * Streams the multipart field `file` of a request into `store` without buffering it. Other fields
 * and files are skipped. A client that goes away mid-upload, or sends too slowly (see
 * watchUploadPace; a 408), makes the file stream fail, so `store` can throw away what it wrote;
 * the promise then rejects.
 */
export function receiveMultipartFile<T>(
  req: IncomingMessage,
  { store, periodMs }: { store: (file: Readable, info: FileInfo) => Promise<T>; periodMs: number },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // Browsers and curl send file names as raw UTF-8, not the latin1 busboy assumes by default.
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 32, fieldSize: 64 * 1024, parts: 64, headerPairs: 64 } });
    } catch (error) {
      reject(new ApiError('invalid_request', `The upload is not valid multipart/form-data: ${(error as Error).message}`));
      return;
    }
    let settled = false;
    let file: Readable | undefined;
    let stored: Promise<T> | undefined;
    const finish = (error: unknown, value?: T): void => {
      if (settled) return;
      settled = true;
      stopPace();
      req.off('close', onClose);
      req.unpipe(parser);
      if (error) reject(error);
      else resolve(value as T);
    };
    const onClose = (): void => {
      if (req.complete) return;
      const gone = new ApiError('invalid_request', 'The client closed the connection before the upload ended.', { status: 499 });
      file?.destroy(gone);
      finish(gone);
    };
    const stopPace = watchUploadPace(req, {
      periodMs,
      onSlow: () => {
        const slow = new ApiError('request_timeout', `The upload brought less than 64 KiB in ${periodMs / 1000} s.`);
        file?.destroy(slow);
        finish(slow);
      },
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || stored) {
        // Skipped, but still a stream that fails when the form ends early: its error must be heard
        // (the parser's own error settles the upload), or it would end the process.
        stream.on('error', () => undefined);
        stream.resume();
        return;
      }
      file = stream;
      stored = store(stream, info);
      stored.then((value) => finish(undefined, value), finish);
    });
    parser.on('error', (error) => {
      const invalid = new ApiError('invalid_request', `The upload is not valid multipart/form-data: ${(error as Error).message}`);
      file?.destroy(invalid);
      finish(invalid);
    });
    parser.on('close', () => {
      if (!stored) finish(new ApiError('invalid_request', 'The upload has no file: send it in a multipart field named "file".', { param: 'file' }));
    });
    req.on('close', onClose);
    req.pipe(parser);
  });
}
