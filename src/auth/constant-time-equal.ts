import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in time that depends on neither: both are hashed first, so the comparison
 * sees equal lengths and leaks nothing about where they differ, or how long the secret is.
 */
export function constantTimeEqual(presented: string, secret: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}
