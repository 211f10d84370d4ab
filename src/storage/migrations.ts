import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { hashKey } from '../auth/hash-key.js';

/** Migrations written once for SQLite and Postgres; the dialect only changes the id column. */
function migrations(kind: 'sqlite' | 'postgres'): Record<string, Migration> {
  const serial = kind === 'sqlite' ? sql`integer primary key autoincrement` : sql`bigserial primary key`;
  return {
    '0001_keys_and_usage': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('users')
          .addColumn('id', serial as never)
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('tier', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('allowed_models', 'text')
          .addColumn('rpm', 'integer')
          .addColumn('tpm', 'integer')
          .addColumn('rpd', 'integer')
          .addColumn('max_concurrency', 'integer')
          .addColumn('credits', 'double precision')
          .addColumn('expires_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('usage')
          .addColumn('id', serial as never)
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('request_id', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'integer', (c) => c.notNull())
          .addColumn('endpoint', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('provider', 'text')
          .addColumn('deployment', 'text')
          .addColumn('prompt_tokens', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('completion_tokens', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('cached_tokens', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('cost', 'double precision', (c) => c.notNull().defaultTo(0))
          .addColumn('latency_ms', 'integer', (c) => c.notNull())
          .addColumn('ttft_ms', 'integer')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('http_status', 'integer', (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('stream', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('usage_ts').on('usage').column('ts').execute();
        await db.schema.createIndex('usage_key_ts').on('usage').columns(['key_id', 'ts']).execute();

        // The anonymous user 0 and OnlySq's public key `openai`, as on api.onlysq.ru.
        const now = Date.now();
        await db.insertInto('users').values({ id: 0, name: 'anonymous', created_at: now }).execute();
        await db
          .insertInto('api_keys')
          .values({ id: 'key_public', user_id: 0, name: 'public key "openai"', key_hash: hashKey('openai'), prefix: 'openai', tier: 0, created_at: now })
          .execute();
      },
    },
    '0002_cloud_files': {
      async up(db: Kysely<any>) {
        // Cloud file metadata; the bytes live in the Cloud backend (a folder or S3) under the same id.
        await db.schema
          .createTable('cloud_files')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_hash', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0003_usage_rollups': {
      async up(db: Kysely<any>) {
        // Daily totals of usage rows, so raw rows can be pruned while totals stay.
        await db.schema
          .createTable('usage_daily')
          .addColumn('id', serial as never)
          .addColumn('day', 'integer', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'integer', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('endpoint', 'text', (c) => c.notNull())
          .addColumn('requests', 'integer', (c) => c.notNull())
          .addColumn('errors', 'integer', (c) => c.notNull())
          .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
          .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
          .addColumn('cached_tokens', 'bigint', (c) => c.notNull())
          .addColumn('cost', 'double precision', (c) => c.notNull())
          .addColumn('latency_ms_sum', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('usage_daily_day').on('usage_daily').column('day').execute();
        await db.schema.createTable('opensq_meta').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
        await db.insertInto('opensq_meta').values({ name: 'usage_rolled_until', value: '0' }).execute();
        await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();
      },
    },
    '0004_usage_attempts': {
      async up(db: Kysely<any>) {
        // The upstream attempts of a request, as JSON text; null when one attempt succeeded.
        await db.schema.alterTable('usage').addColumn('attempts', 'text').execute();
      },
    },
    '0005_request_bodies': {
      async up(db: Kysely<any>) {
        // Request bodies as the client sent them, for replay; apart from `usage` so it stays narrow.
        await db.schema
          .createTable('request_bodies')
          .addColumn('request_id', 'text', (c) => c.primaryKey())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('body', 'text')
          .execute();
        await db.schema.createIndex('request_bodies_ts').on('request_bodies').column('ts').execute();
      },
    },
    '0006_usage_hourly': {
      async up(db: Kysely<any>) {
        // Hourly totals replace the daily ones, so the days of any whole-hour time zone add up from
        // them; a daily row moves to its day's first hour (it keeps its day and its totals).
        await db.schema
          .createTable('usage_hourly')
          .addColumn('id', serial as never)
          .addColumn('hour', 'bigint', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'integer', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('provider', 'text')
          .addColumn('endpoint', 'text', (c) => c.notNull())
          .addColumn('requests', 'integer', (c) => c.notNull())
          .addColumn('errors', 'integer', (c) => c.notNull())
          .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
          .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
          .addColumn('cached_tokens', 'bigint', (c) => c.notNull())
          .addColumn('cost', 'double precision', (c) => c.notNull())
          .addColumn('latency_ms_sum', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('usage_hourly_hour').on('usage_hourly').column('hour').execute();
        await sql`INSERT INTO usage_hourly (hour, key_id, user_id, model, provider, endpoint, requests, errors, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms_sum)
          SELECT CAST(day AS BIGINT) * 24, key_id, user_id, model, NULL, endpoint, requests, errors, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms_sum FROM usage_daily`.execute(db);
        await db.schema.dropTable('usage_daily').execute();
      },
    },
    '0007_usage_upstream_id': {
      async up(db: Kysely<any>) {
        // The upstream's id of an answer whose id is now the request's, so either finds the row.
        await db.schema.alterTable('usage').addColumn('upstream_id', 'text').execute();
      },
    },
    '0008_responses': {
      async up(db: Kysely<any>) {
        // Stored Responses API answers (`store`), for GET, `previous_response_id` and `item_reference`.
        await db.schema
          .createTable('responses')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('response', 'text', (c) => c.notNull())
          .addColumn('input', 'text', (c) => c.notNull())
          .addColumn('conversation', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('responses_created_at').on('responses').column('created_at').execute();
      },
    },
    '0009_usage_cache_write_tokens': {
      async up(db: Kysely<any>) {
        // Prompt tokens written to a provider's prompt cache (Anthropic's cache_creation_input_tokens), counted in prompt_tokens too.
        await db.schema.alterTable('usage').addColumn('cache_write_tokens', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      },
    },
    '0010_responses_chain': {
      async up(db: Kysely<any>) {
        // A stored response keeps only its own input and output and points at the one it continues;
        // a continuation walks the chain. Rows from before keep their whole conversation and end a walk.
        await db.schema.alterTable('responses').addColumn('previous_id', 'text').execute();
        // The upstream's ids of passed-through output items, so an `item_reference` to one finds its response.
        await db.schema.createTable('response_items').addColumn('item_id', 'text', (c) => c.primaryKey()).addColumn('response_id', 'text', (c) => c.notNull()).execute();
        await db.schema.createIndex('response_items_response').on('response_items').column('response_id').execute();
      },
    },
    '0011_usage_hourly_cache_write_tokens': {
      async up(db: Kysely<any>) {
        // The hourly totals count cache writes too; hours rolled up before this migration have none recorded (0).
        await db.schema.alterTable('usage_hourly').addColumn('cache_write_tokens', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      },
    },
    '0012_usage_builtin_tool_calls': {
      async up(db: Kysely<any>) {
        // Calls to a provider's built-in tools, billed per call; rows from before made none that were counted (0).
        await db.schema.alterTable('usage').addColumn('builtin_tool_calls', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      },
    },
    '0013_credit_reservations': {
      async up(db: Kysely<any>) {
        // Open credit reservations, so the credit of a process that died mid-request is given back.
        // SQLite's ids are random (rowid without AUTOINCREMENT, whose counter would be one more
        // write per reservation); Postgres' come from a sequence. Neither is reused.
        await db.schema
          .createTable('credit_reservations')
          .addColumn('id', (kind === 'sqlite' ? sql`integer primary key` : sql`bigserial primary key`) as never)
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('amount', 'double precision', (c) => c.notNull())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0014_usage_request_id_index': {
      async up(db: Kysely<any>) {
        // The request log finds one request by its id or its upstream's without scanning the ledger.
        // Postgres only: on SQLite these random keys would cost every usage write far more than a
        // lookup saves (see src/usage/find-usage-row.ts).
        if (kind === 'sqlite') return;
        await db.schema.createIndex('usage_request_id').on('usage').column('request_id').execute();
        await db.schema.createIndex('usage_upstream_id').on('usage').column('upstream_id').where(sql.ref('upstream_id'), 'is not', null).execute();
      },
    },
  };
}

export class InCodeMigrations implements MigrationProvider {
  constructor(private readonly kind: 'sqlite' | 'postgres') {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.kind);
  }
}
