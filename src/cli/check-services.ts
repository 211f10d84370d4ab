import { existsSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_KEY_FILE } from '../auth/admin-key-file.js';
import type { Settings } from '../config/settings.js';

export interface ServiceCheck {
  name: string;
  ok: boolean;
  detail: string;
}

const TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function checkDatabase(settings: Settings): Promise<ServiceCheck> {
  if (settings.databaseUrl) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: settings.databaseUrl, connectionTimeoutMillis: TIMEOUT_MS });
    try {
      await withTimeout(client.connect(), 'Postgres');
      await client.query('SELECT 1');
      return { name: 'database', ok: true, detail: 'Postgres (DATABASE_URL) answers' };
    } catch (error) {
      return { name: 'database', ok: false, detail: `Postgres (DATABASE_URL): ${(error as Error).message}` };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const file = path.join(settings.dataDir, 'opensq.db');
  if (!existsSync(file)) return { name: 'database', ok: true, detail: `SQLite ${file} (created at the first start)` };
  try {
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(file, { readonly: true, fileMustExist: true });
    const keys = (db.prepare('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as { n: number }).n;
    db.close();
    return { name: 'database', ok: true, detail: `SQLite ${file}: ${keys} active keys` };
  } catch (error) {
    return { name: 'database', ok: false, detail: `SQLite ${file}: ${(error as Error).message}` };
  }
}

async function checkRedis(settings: Settings): Promise<ServiceCheck> {
  if (!settings.redisUrl) return { name: 'redis', ok: true, detail: 'not used (limits in process; set REDIS_URL to share them across instances)' };
  const { Redis } = await import('ioredis');
  const redis = new Redis(settings.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: TIMEOUT_MS, retryStrategy: () => null });
  try {
    await withTimeout(redis.connect().then(() => redis.ping()), 'Redis');
    return { name: 'redis', ok: true, detail: 'REDIS_URL answers' };
  } catch (error) {
    return { name: 'redis', ok: false, detail: `REDIS_URL: ${(error as Error).message}` };
  } finally {
    redis.disconnect();
  }
}

/** `opensq doctor`'s reachability part: the database, Redis, and whether the admin API is on. */
export async function checkServices(settings: Settings): Promise<ServiceCheck[]> {
  const [database, redis] = await Promise.all([checkDatabase(settings), checkRedis(settings)]);
  const adminApi: ServiceCheck = { name: 'admin API', ok: true, detail: adminDetail(settings) };
  return [database, redis, adminApi];
}

function adminDetail(settings: Settings): string {
  if (settings.adminKeyOff) return 'disabled (OPENSQ_ADMIN_KEY=off)';
  if (settings.adminKey) return 'enabled (OPENSQ_ADMIN_KEY is set)';
  return `enabled (the key \`serve\` makes on its first start, in ${path.join(settings.dataDir, ADMIN_KEY_FILE)})`;
}
