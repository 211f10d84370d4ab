import type { KeyView, SeriesPoint, UsageRowView, UsageTotals } from '../../src/schema/admin-wire.js';

/**
 * The admin API's answers as the dashboard reads them (see /admin/openapi.json). Those the server
 * declares in src/schema/admin-wire.ts come from there, so the two cannot drift apart.
 */
export type { KeyView, SeriesPoint };
export type Totals = UsageTotals;
export type UsageRow = UsageRowView;

export interface Overview {
  totals: Totals & { ttft_p50_ms: number | null };
  strip_from: string;
  strip: Array<{ t: string; provider: string; requests: number; errors: number }>;
  providers: string[];
  checklist: { provider_configured: boolean; key_created: boolean; first_request: boolean };
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
