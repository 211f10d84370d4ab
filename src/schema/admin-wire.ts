/**
 * Shapes of the admin API's answers that the dashboard reads: one source for the server, which
 * builds them, and the dashboard (dashboard/src/types.ts), which imports them. Types only, importing
 * only type files that import nothing else, so the dashboard's compiler can read this file without
 * the server's dependencies.
 */
import type { OnlySqModelView } from './onlysq-models-wire.js';

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

/** Totals of one group of `GET /admin/usage/summary`, labelled by the grouping's column. */
export type UsageGroup = UsageTotals & { key_id?: string; user?: number; model?: string; day?: string };

/** `GET /admin/usage`: raw rows, newest first, with the totals of all that match. */
export interface UsageRowsView {
  object: 'list';
  data: UsageRowView[];
  totals: UsageTotals;
}

/** `GET /admin/usage/summary`: totals, grouped by key, user, model or day when asked. */
export interface UsageSummaryView {
  object: 'list';
  group_by: 'key' | 'user' | 'model' | 'day' | null;
  data: UsageGroup[];
  totals: UsageTotals;
}

/** `GET /admin/usage/series`: usage in hour or day buckets of a time zone. */
export interface UsageSeriesView {
  object: 'list';
  bucket: 'hour' | 'day';
  tz: string;
  group_by: SeriesDimension | null;
  subgroup_by: SeriesDimension | null;
  from: string;
  to: string;
  data: SeriesPoint[];
}

export type SeriesDimension = 'model' | 'provider' | 'key' | 'endpoint' | 'tier';

/** `GET /admin/keys/search`: one page of keys and how many match. */
export interface KeySearchPage {
  object: 'list';
  data: KeyView[];
  total: number;
  limit: number;
  offset: number;
}

/** `POST /admin/keys`: the new key with its secret, shown this once. */
export type KeyCreatedView = KeyView & { key: string };

/** `GET /admin/overview`: the dashboard's first screen. */
export interface OverviewView {
  object: 'overview';
  from: string;
  to: string;
  totals: UsageTotals & { ttft_p50_ms: number | null };
  /** Start of the 24-hour strip, on the hour. */
  strip_from: string;
  strip: Array<{ t: string; provider: string; requests: number; errors: number }>;
  /** Providers with at least one configured deployment. */
  providers: string[];
  checklist: { provider_configured: boolean; key_created: boolean; first_request: boolean };
}

/** One upstream attempt of a request, as its usage row keeps it. */
export interface UpstreamAttempt {
  provider: string;
  model: string;
  ms: number;
  error?: { code: string; status: number; message: string };
  /** Sent by "panic" routing: every deployment of the model was cooling down or paused. */
  panic?: true;
}

/** `GET /admin/requests`: one page of the request log, newest first; `next_before` pages on. */
export interface RequestLogPage {
  object: 'list';
  data: UsageRowView[];
  next_before: number | null;
}

/** Why a request's body is not in its detail. */
export type BodyOmitted = 'too_large' | 'disabled' | 'expired' | 'not_kept';

/** `GET /admin/requests/:id`: one request with its attempts and the body its client sent. */
export interface RequestDetailView extends UsageRowView {
  /** Null when a single attempt succeeded (or none was made). */
  attempts: UpstreamAttempt[] | null;
  /** The JSON body the client sent; null when not kept, and `request_body_omitted` says why. */
  request_body: unknown;
  request_body_omitted: BodyOmitted | null;
}

/** One deployment's state as operators see it in `GET /admin/health`. */
export interface DeploymentReport {
  model: string;
  provider: string;
  provider_type: string;
  /** The model name the upstream knows. */
  upstream_model: string;
  priority: number;
  weight: number;
  /** `not_configured` when its provider lacks a key or base URL; `cooling_down` after repeated failures or an upstream 429's pause. */
  state: 'ok' | 'not_configured' | 'cooling_down';
  configured: boolean;
  /** Why it cannot be used, naming what to set; null when it can. */
  reason: string | null;
  /** ISO 8601 time a cooldown ends; null when not cooling down. */
  cooling_down_until: string | null;
  last_error: string | null;
}

/** Overall status: ok when every model with a deployment can serve, down when none can. */
export type ServingStatus = 'ok' | 'degraded' | 'down';

/** `GET /admin/health`. */
export interface HealthView {
  object: 'list';
  status: ServingStatus;
  data: DeploymentReport[];
}

/** One deployment of `GET /admin/providers`: its health with its last 24 hours of requests. */
export interface ProviderDeploymentView extends DeploymentReport {
  /** Whether POST /admin/deployments/test can try it (chat and embedding models). */
  testable: boolean;
  usage_24h: {
    requests: number;
    errors: number;
    /** Successful requests over all, 0–1; null without requests. */
    success_rate: number | null;
    latency_p50_ms: number | null;
    latency_p95_ms: number | null;
  };
}

/** `POST /admin/deployments/test`: one deployment tried directly. */
export interface DeploymentTestResult {
  ok: boolean;
  model: string;
  provider: string;
  upstream_model: string;
  latency_ms: number;
  error: { code: string; status: number; message: string } | null;
}

/** `GET /admin/providers`: the dashboard's Providers view — every deployment and the catalog as `/ai/models` shows it. */
export interface ProvidersView {
  object: 'providers';
  status: ServingStatus;
  from: string;
  to: string;
  deployments: ProviderDeploymentView[];
  catalog: Record<string, OnlySqModelView>;
}
