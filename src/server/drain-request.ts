import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Whether a request says a body follows its head. */
export function declaresBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * For a body no one reads, or an answer sent before its request's body was all read (a 413, 415 or
 * 408): reads and discards what the client still sends, so a client busy writing its body reads our
 * answer rather than a reset connection, and keeps its connection when the body ends in time. Past
 * `maxBytes` or `timeoutMs` (a body that never ends, or ends too late) the connection is closed.
 * Resolves when either happens, or at once for a body declared larger than `maxBytes`.
 */
export function drainRequest(req: IncomingMessage, options: { maxBytes: number; timeoutMs: number }): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const close = (): void => {
      finish();
      req.socket.destroy();
    };
    const finish = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > options.maxBytes) close();
    };
    const timer = setTimeout(close, options.timeoutMs);
    req.on('data', onData);
    req.once('end', finish);
    req.once('error', finish);
    req.resume();
    // A body declared larger than the drain takes is cut short anyway: no use waiting for it.
    if (Number(req.headers['content-length']) > options.maxBytes) resolve();
  });
}

/**
 * Whether the connection closes once the answer is written (the client asked so, or speaks
 * HTTP/1.0): an answer sent before the body is read would then reset it under a client still
 * writing, so such an answer waits for the drain.
 */
export function closesAfterAnswer(req: IncomingMessage): boolean {
  return req.httpVersionMinor === 0 || (req.headers.connection?.toLowerCase().includes('close') ?? false);
}
