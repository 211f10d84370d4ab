/**
 * Shapes of the admin API's answers that the dashboard reads: one source for the server, which
 * builds them, and the dashboard (dashboard/src/types.ts), which imports them. Types only, with no
 * imports, so the dashboard's compiler can read this file without the server's dependencies.
 */

/** A key as the admin API and CLI show it: never the secret, only its first characters. */
export interface KeyView {
  object: 'api_key';
  id: string;
  name: string;
  prefix: string;
  user: number;
  tier: number;
  allowed_models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  rpd: number | null;
  max_concurrency: number | null;
  credits: number | null;
  expires_at: string | null;
  created_at: string;
  revoked_at: string | null;
  status: 'active' | 'revoked' | 'expired';
}

export interface UsageTotals {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  /** Over successful model requests (not Cloud's) whose raw rows are still kept; null when there are none. */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
}

/** A usage row as the admin API shows it: ISO time, numbers as numbers, `stream` a boolean. */
export interface UsageRowView {
  id: number;
  created_at: string;
  request_id: string;
  key_id: string;
  user: number;
  endpoint: string;
  model: string;
  provider: string | null;
  deployment: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  /** Prompt tokens written to the provider's prompt cache; part of prompt_tokens. */
  cache_write_tokens: number;
  cost: number;
  latency_ms: number;
  ttft_ms: number | null;
  status: 'ok' | 'error' | 'cancelled';
  http_status: number;
  error_code: string | null;
  stream: boolean;
  /** The upstream's own id for the answer when the answer carries ours (`request_id`); else null. */
  upstream_id: string | null;
  /** Calls to the provider's built-in tools, billed per call and priced into `cost`. */
  builtin_tool_calls: number;
}

/** One bucket of the usage series (`/admin/usage/series`). */
export interface SeriesPoint {
  /** Start of the bucket, ISO 8601 in UTC. */
  t: string;
  group: string | null;
  /** The second dimension's value, with `subgroupBy`; null otherwise. */
  subgroup: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  /** Prompt tokens written to a provider's prompt cache (part of prompt_tokens, as cached_tokens are). */
  cache_write_tokens: number;
  cost: number;
}
