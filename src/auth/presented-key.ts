import type { IncomingHttpHeaders } from 'node:http';

/**
 * The key a request presents: `Authorization: Bearer <key>` (the bare key is accepted too),
 * `x-api-key` or `api-key`. An empty value counts as no key, as SDKs send `Bearer ` when
 * configured with an empty key.
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth) {
    const key = auth.startsWith('Bearer ') || auth.startsWith('bearer ') ? auth.slice(7).trim() : auth.trim();
    if (key) return key;
  }
  const other = headers['x-api-key'] ?? headers['api-key'];
  const value = Array.isArray(other) ? other[0] : other;
  return value?.trim() || undefined;
}
