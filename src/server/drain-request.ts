import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Whether a request says a body follows its head. */
export function declaresBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * For a body no one reads, or an answer sent before its request's body was all read (a 413, 415 or 408): reads and
 * discards what the client still sends, so a client busy writing its body reads our answer rather
 * than a reset connection, and keeps its connection when the body ends in time. Past `maxBytes` or
 * `timeoutMs` (a body that never ends, or ends too late) the connection is closed. The answer does
 * not wait for any of it.
 */
export function drainRequest(req: IncomingMessage, options: { maxBytes: number; timeoutMs: number }): void {
  if (req.complete || req.destroyed) return;
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
}
