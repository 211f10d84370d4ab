import { randomBytes } from 'node:crypto';

/** An unguessable id with a readable prefix, e.g. `chatcmpl-AbC...`. */
export function newId(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}
