import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/settings.js';

/** Where the admin key in use came from, for the start-up report. */
export type AdminKeySource = { kind: 'env' } | { kind: 'off' } | { kind: 'file'; file: string; created: boolean };

export const ADMIN_KEY_FILE = 'admin-key';

/**
 * The admin key a server uses: `OPENSQ_ADMIN_KEY` as given; none when it is `off`; otherwise the key
 * kept in the data folder, made on the first start (256 random bits, file mode 0600) so that a
 * fresh install has a dashboard someone can sign in to, as Jupyter's token or Grafana's first login.
 */
export function resolveAdminKey(settings: Pick<Settings, 'adminKey' | 'adminKeyOff' | 'dataDir'>): { key: string | undefined; source: AdminKeySource } {
  if (settings.adminKeyOff) return { key: undefined, source: { kind: 'off' } };
  if (settings.adminKey) return { key: settings.adminKey, source: { kind: 'env' } };
  const file = path.join(settings.dataDir, ADMIN_KEY_FILE);
  mkdirSync(settings.dataDir, { recursive: true });
  try {
    // `wx`: of several processes starting at once on one folder (workers), one creates it, the rest read it.
    writeFileSync(file, `sq-admin-${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    return { key: readKey(file), source: { kind: 'file', file, created: true } };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A file others can read is tightened, not trusted as it is.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { key: readKey(file), source: { kind: 'file', file, created: false } };
}

function readKey(file: string): string {
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 16) throw new Error(`${file} holds no usable admin key (16 characters or more); delete it to have a new one made`);
  return key;
}
