import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator } from 'kysely';
import { InCodeMigrations } from './migrations.js';
import type { Schema } from './schema.js';

export interface Database {
  kind: 'sqlite' | 'postgres';
  db: Kysely<Schema>;
  /** The raw SQLite handle, for synchronous writes that must be durable before a response ends. */
  sqlite: SqliteDatabase.Database | undefined;
  close(): Promise<void>;
}

export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  let database: Database;
  // Each driver is loaded only when used: an embedded install never pays for pg's memory, nor Postgres for SQLite's.
  if (options.databaseUrl) {
    const { default: pg } = await import('pg');
    const { PostgresDialect } = await import('kysely');
    // node-postgres returns bigint and numeric as strings by default; our values fit in a double.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    pg.types.setTypeParser(pg.types.builtins.FLOAT8, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection the server ends (a restart, a failover, a proxy's idle timeout) must not
    // end the process: the pool drops it and the next query opens another.
    pool.on('error', (error) => process.stderr.write(`opensq: an idle Postgres connection failed and was dropped: ${error.message.slice(0, 200)}\n`));
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    database = { kind: 'postgres', db, sqlite: undefined, close: () => db.destroy() };
  } else {
    const { default: Sqlite } = await import('better-sqlite3');
    const { SqliteDialect } = await import('kysely');
    mkdirSync(options.dataDir, { recursive: true });
    const sqlite = new Sqlite(path.join(options.dataDir, 'opensq.db'));
    // WAL with synchronous=NORMAL: a committed row survives a crash of the process (not of the OS).
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    database = { kind: 'sqlite', db, sqlite, close: () => db.destroy() };
  }
  await migrate(database);
  return database;
}

async function migrate(database: Database): Promise<void> {
  // Migrations of parallel branches can land out of number order (0006 merged before 0005); they
  // touch different tables, so a database that already has a later one still takes an earlier one.
  const migrator = new Migrator({ db: database.db, provider: new InCodeMigrations(database.kind), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
}
