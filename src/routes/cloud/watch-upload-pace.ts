import type { IncomingMessage } from 'node:http';

/** What an upload must bring in each period to go on: 64 KiB a minute by default, a floor no real link is under. */
export const MIN_BYTES_PER_PERIOD = 64 * 1024;

/**
 * Calls `onSlow` once when a period of `periodMs` passes in which the request brought fewer than
 * MIN_BYTES_PER_PERIOD bytes and did not end: a stalled or trickling upload, which would otherwise
 * hold its connection (and its quota reservation) as long as it likes. Returns the stop.
 */
export function watchUploadPace(req: IncomingMessage, options: { periodMs: number; onSlow: () => void }): () => void {
  if (options.periodMs <= 0) return () => undefined;
  let seen = 0;
  const onData = (chunk: Buffer): void => {
    seen += chunk.length;
  };
  const stop = (): void => {
    clearInterval(timer);
    req.off('data', onData);
  };
  const timer = setInterval(() => {
    if (req.complete) return stop();
    if (seen < MIN_BYTES_PER_PERIOD) {
      stop();
      options.onSlow();
    }
    seen = 0;
  }, options.periodMs);
  req.on('data', onData);
  return stop;
}
