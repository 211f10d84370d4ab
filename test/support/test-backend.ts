import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_ADMIN_URL, REDIS_URL } from './services.js';

/**
 * Where test servers keep their state. With TEST_DATABASE=postgres every server gets a fresh
 * Postgres database and its own Redis key prefix (limits, counters); otherwise SQLite in its data
 * directory and in-process limits, the embedded defaults.
 */
export const ON_POSTGRES = process.env.TEST_DATABASE === 'postgres';

let counter = 0;

export interface TestBackend {
  /** DATABASE_URL, REDIS_URL and OPENSQ_REDIS_PREFIX for a server, or nothing for SQLite. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh Postgres database and Redis prefix (or SQLite's nothing), shared by every server given its env. */
export async function createTestBackend(postgres = ON_POSTGRES): Promise<TestBackend> {
  if (!postgres) return { env: {}, drop: async () => undefined };
  const name = `opensq_t_${process.pid}_${Date.now()}_${++counter}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), REDIS_URL, OPENSQ_REDIS_PREFIX: `${name}:` },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs a statement without parameters on a server's database, SQLite file or Postgres; rows of a query. */
export async function queryServerDatabase(server: { dataDir: string; databaseUrl: string | undefined }, sql: string): Promise<Array<Record<string, any>>> {
  if (server.databaseUrl) {
    // bigint, numeric and double as numbers, as SQLite gives them.
    const numeric = new Set([pg.types.builtins.INT8, pg.types.builtins.NUMERIC, pg.types.builtins.FLOAT8]);
    const types = { getTypeParser: (oid: number, format?: string) => (numeric.has(oid) ? Number : pg.types.getTypeParser(oid, format as 'text')) };
    const client = new pg.Client({ connectionString: server.databaseUrl, types: types as pg.CustomTypesConfig });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(server.dataDir, 'opensq.db'));
  db.pragma('busy_timeout = 5000');
  try {
    const statement = db.prepare(sql);
    if (!statement.reader) {
      statement.run();
      return [];
    }
    return statement.all() as Array<Record<string, any>>;
  } finally {
    db.close();
  }
}
