/**
 * Named places where a test can make the server throw on purpose (`OPENSQ_FAILPOINTS=a,b`, read
 * once at start), to prove that a request failing there still settles everything it holds. Never
 * set in production; when unset a failpoint costs one size check.
 */
const armed = new Set((process.env.OPENSQ_FAILPOINTS ?? '').split(',').filter(Boolean));

export type Failpoint = 'stream.head' | 'stream.first-chunk' | 'stream.later-chunk' | 'complete.encode';

export function failpoint(name: Failpoint): void {
  if (armed.size > 0 && armed.has(name)) throw new Error(`failpoint ${name}`);
}
