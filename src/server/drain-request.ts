import type { IncomingMessage } from 'node:http';

/**
 * Reads and discards what is left of a request body, so a client still sending an oversized body
 * receives our 413 instead of a broken pipe. Bounded in bytes and time: past either, the
 * connection is closed as before.
 */
export function drainRequest(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    req.on('data', onData);
    req.once('end', finish);
    req.once('error', finish);
    req.resume();
  });
}
