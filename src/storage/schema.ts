import type { Generated } from 'kysely';

/** Times are unix milliseconds in both SQLite and Postgres, so rows compare the same everywhere. */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  user_id: number;
  name: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  key_hash: string;
  /** The first characters of the key, to recognise it in listings. */
  prefix: string;
  tier: number;
  /** JSON array of model ids, or null for every model the tier allows. */
  allowed_models: string | null;
  rpm: number | null;
  tpm: number | null;
  rpd: number | null;
  max_concurrency: number | null;
  /** Remaining balance; null means no credit limit. */
  credits: number | null;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface UsageTable {
  id: Generated<number>;
  ts: number;
  request_id: string;
  key_id: string;
  user_id: number;
  endpoint: string;
  model: string;
  provider: string | null;
  deployment: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost: number;
  latency_ms: number;
  ttft_ms: number | null;
  /** ok | error | cancelled */
  status: string;
  http_status: number;
  error_code: string | null;
  stream: number;
  /** JSON of the router's attempts; null when a single attempt succeeded (or none was made). */
  attempts: string | null;
  /** The upstream's own id for the answer when the answer carries ours (`request_id`); else null. */
  upstream_id: string | null;
  /** Prompt tokens written to the provider's prompt cache; part of prompt_tokens, as cached_tokens (the reads) are. */
  cache_write_tokens: number;
  /** Calls to the provider's built-in tools (web search, file search, ...), priced into `cost`. */
  builtin_tool_calls: number;
}

/** The JSON body a request's client sent, kept a few days for replay; one row per usage row's `request_id`. */
export interface RequestBodiesTable {
  request_id: string;
  ts: number;
  /** The text exactly as received; null when it was larger than OPENSQ_LOG_REQUEST_BODY_MAX_BYTES. */
  body: string | null;
}

/** One file of the Cloud store. */
export interface CloudFilesTable {
  /** 128 random bits, hex: the file's public name. */
  id: string;
  /** SHA-256 of the owner key, hex; the key itself is shown once, at upload. */
  owner_hash: string;
  /** The file name the client uploaded, without any path. */
  name: string;
  size: number;
  content_type: string;
  created_at: number;
}

/** Totals of the usage rows of one UTC hour (`hour`: hours since the epoch) per key, model, provider and endpoint. */
export interface UsageHourlyTable {
  id: Generated<number>;
  hour: number;
  key_id: string;
  user_id: number;
  model: string;
  provider: string | null;
  endpoint: string;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  cost: number;
  latency_ms_sum: number;
}

/** A stored Responses API answer (`store: true`), visible to its user only; JSON texts. */
export interface ResponsesTable {
  /** `resp_` and the request id. */
  id: string;
  user_id: number;
  key_id: string;
  created_at: number;
  /** The Response object as answered. */
  response: string;
  /** This request's input items, with ids (`GET /v1/responses/{id}/input_items`). */
  input: string;
  /** Rows stored before 0010: every item a continuation starts from; `[]` since (the chain is walked instead). */
  conversation: string;
  /** The stored response this one continues (`previous_response_id`), walked to rebuild a conversation. */
  previous_id: string | null;
}

/** Output items of stored responses whose ids are an upstream's (the Responses pass-through), so an `item_reference` finds its response. */
export interface ResponseItemsTable {
  item_id: string;
  response_id: string;
}

/**
 * Credit a request has taken from its key's balance and not yet settled, with who holds it: written
 * in the transaction that takes it, deleted in the one that settles it. A row whose holder died, or
 * that outlived any request, is given back by the sweep (src/limits/sweep-credit-reservations.ts).
 */
export interface CreditReservationsTable {
  /** Never reused (53 random bits on SQLite, a sequence on Postgres): a late settlement cannot take another request's row. */
  id: Generated<number>;
  key_id: string;
  amount: number;
  /** The process holding it: `<host>|<pid>|<random>` (src/limits/reservation-owner.ts). */
  owner: string;
  /** Unix ms after which no request can still be running on it. */
  expires_at: number;
}

/** Small facts the instances share, e.g. up to when the ledger is rolled up. */
export interface MetaTable {
  name: string;
  value: string;
}

export interface Schema {
  users: UsersTable;
  api_keys: ApiKeysTable;
  usage: UsageTable;
  request_bodies: RequestBodiesTable;
  cloud_files: CloudFilesTable;
  usage_hourly: UsageHourlyTable;
  opensq_meta: MetaTable;
  responses: ResponsesTable;
  response_items: ResponseItemsTable;
  credit_reservations: CreditReservationsTable;
}
