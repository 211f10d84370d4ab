import { randomUUID } from 'node:crypto';

/**
 * An unguessable id with a readable prefix, e.g. `chatcmpl-3f2a...`. randomUUID draws from a
 * cached entropy pool, so it costs far less per call than asking for fresh random bytes.
 */
export function newId(prefix: string): string {
  return prefix + randomUUID().replaceAll('-', '');
}
