import { createHash, randomBytes } from 'node:crypto';

/** Keys are stored only as their SHA-256; lookups hash the presented key and compare hashes. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new secret key: `sq-` and 40 base62-ish characters of randomness. */
export function generateKey(): string {
  return `sq-${randomBytes(30).toString('base64url')}`;
}
