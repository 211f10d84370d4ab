/** The admin API's answers as the dashboard reads them (see /admin/openapi.json). */
export interface Totals {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
}

export interface Overview {
  totals: Totals & { ttft_p50_ms: number | null };
  strip_from: string;
  strip: Array<{ t: string; provider: string; requests: number; errors: number }>;
  providers: string[];
  checklist: { provider_configured: boolean; key_created: boolean; first_request: boolean };
}

export interface KeyView {
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

export interface UsageRow {
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
  cache_write_tokens: number;
  cost: number;
  latency_ms: number;
  ttft_ms: number | null;
  status: 'ok' | 'error' | 'cancelled';
  http_status: number;
  error_code: string | null;
  stream: boolean;
}

export interface Attempt {
  provider: string;
  model: string;
  ms: number;
  error?: { code: string; status: number; message: string };
}

/** One request of the log; `attempts` is null when a single attempt succeeded (or none was made). */
/** Why a request's body was not kept. */
export type BodyOmitted = 'too_large' | 'disabled' | 'expired' | 'not_kept';

export interface RequestDetail extends UsageRow {
  attempts: Attempt[] | null;
  /** The JSON body the client sent; null when not kept, and `request_body_omitted` says why. */
  request_body: unknown;
  request_body_omitted: BodyOmitted | null;
}

export interface SeriesPoint {
  t: string;
  group: string | null;
  subgroup?: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  cost: number;
}

export interface DeploymentHealth {
  model: string;
  provider: string;
  provider_type: string;
  upstream_model: string;
  priority: number;
  weight: number;
  state: 'ok' | 'not_configured' | 'cooling_down';
  reason: string | null;
  cooling_down_until: string | null;
  last_error: string | null;
}

export interface CatalogModel {
  name: string;
  description?: string;
  owner: string;
  modality: 'text' | 'image' | 'sound';
  'can-stream': boolean;
  'can-tools': boolean;
  'can-vision': boolean;
  'can-think': boolean;
  status: 'work' | 'down';
  tier: number;
  paid: boolean;
  cost?: { input: number; output: number };
}
