import { z } from 'zod';
import type * as w from '../../schema/admin-wire.js';

/** The admin API's wire shapes: validated on the way in, and the source of /admin/openapi.json. */

const limit = z.number().int().positive().nullable();

export const keyFieldsSchema = z
  .object({
    name: z.string().min(1).max(200),
    user: z.number().int().min(0).describe('The owning user; left out on create: a new user named after the key.'),
    tier: z.number().int().min(0).max(3),
    allowed_models: z.array(z.string().min(1)).nullable().describe('Model ids the key may use; null for every model its tier allows.'),
    rpm: limit.describe("Requests per minute; null or left out: the tier's default."),
    tpm: limit.describe("Tokens per minute, estimated before a request and reconciled after; null or left out: the tier's default."),
    rpd: limit.describe("Requests per UTC day; null or left out: the tier's default."),
    max_concurrency: limit.describe("Requests in flight at once; null or left out: the tier's default."),
    credits: z.number().nullable().describe('Credit balance; null: no credit limit. 0 is an empty balance (402).'),
    expires_at: z.union([z.string(), z.number()]).nullable().describe('ISO 8601 or unix seconds; null: never.'),
  })
  .strict();

export const createKeySchema = keyFieldsSchema.partial().required({ name: true });
export const updateKeySchema = keyFieldsSchema.partial();
export const addCreditsSchema = z.object({ amount: z.number().describe('Added to the balance (negative to take away).') }).strict();
export const userInputSchema = z.object({ name: z.string().min(1).max(200) }).strict();

const isoTime = z.string().describe('ISO 8601');

export const keyViewSchema = z.object({
  object: z.literal('api_key'),
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key; the key itself is never shown again.'),
  user: z.number().int(),
  tier: z.number().int(),
  allowed_models: z.array(z.string()).nullable(),
  rpm: z.number().int().nullable(),
  tpm: z.number().int().nullable(),
  rpd: z.number().int().nullable(),
  max_concurrency: z.number().int().nullable(),
  credits: z.number().nullable(),
  expires_at: isoTime.nullable(),
  created_at: isoTime,
  revoked_at: isoTime.nullable(),
  status: z.enum(['active', 'revoked', 'expired']),
});

export const createdKeySchema = keyViewSchema.extend({ key: z.string().describe('The full key, shown only in this answer.') });
export const keyListSchema = z.object({ object: z.literal('list'), data: z.array(keyViewSchema) });

export const userViewSchema = z.object({ object: z.literal('user'), id: z.number().int(), name: z.string(), created_at: isoTime });
export const userDetailSchema = userViewSchema.extend({ keys: z.array(keyViewSchema) });
export const userListSchema = z.object({ object: z.literal('list'), data: z.array(userViewSchema) });

export const usageQuerySchema = z
  .object({
    key_id: z.string().optional(),
    user: z.coerce.number().int().min(0).optional(),
    model: z.string().optional(),
    from: z.string().optional().describe('ISO 8601 or unix milliseconds, inclusive'),
    to: z.string().optional().describe('ISO 8601 or unix milliseconds, exclusive'),
    limit: z.coerce.number().int().min(1).max(1000).optional().describe('Rows to return, newest first (default 100)'),
    group_by: z.enum(['key', 'user', 'model', 'day']).optional(),
  })
  .strict();

const totalsShape = {
  requests: z.number().int(),
  errors: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cost: z.number(),
  latency_p50_ms: z.number().nullable().describe('Over successful requests whose raw rows are still kept'),
  latency_p95_ms: z.number().nullable(),
};
export const usageTotalsSchema = z.object(totalsShape);

export const usageRowSchema = z.object({
  id: z.number().int(),
  created_at: isoTime,
  request_id: z.string(),
  key_id: z.string(),
  user: z.number().int(),
  endpoint: z.string(),
  model: z.string(),
  provider: z.string().nullable(),
  deployment: z.string().nullable(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cached_tokens: z.number().int(),
  cost: z.number(),
  latency_ms: z.number().int(),
  ttft_ms: z.number().int().nullable(),
  status: z.enum(['ok', 'error', 'cancelled']),
  http_status: z.number().int(),
  error_code: z.string().nullable(),
  stream: z.boolean(),
  upstream_id: z.string().nullable().describe("The upstream's own id for the answer, whose id (and x-request-id) is request_id; null when it named none"),
  cache_write_tokens: z.number().int().describe("Prompt tokens written to the provider's prompt cache (Anthropic's cache_creation_input_tokens); counted in prompt_tokens, as cached_tokens (the reads) are"),
  builtin_tool_calls: z.number().int().describe("Calls to the provider's built-in tools (web search, file search, ...), billed per call and priced into cost"),
});
export const attemptSchema = z.object({
  provider: z.string(),
  model: z.string().describe("The deployment's upstream model name"),
  ms: z.number().describe('Time spent on this attempt'),
  error: z.object({ code: z.string(), status: z.number().int(), message: z.string() }).optional(),
  panic: z.literal(true).optional().describe('Sent by "panic" routing: every deployment of the model was cooling down or paused'),
});
export const requestDetailSchema = usageRowSchema.extend({
  attempts: z
    .array(attemptSchema)
    .nullable()
    .describe('The upstream attempts in order, kept when there was more than one or one failed; null: a single attempt to `provider` that succeeded, or none'),
  request_body: z
    .unknown()
    .describe('The JSON body the client sent (never its headers, so never its key), as parsed; null when not kept'),
  request_body_omitted: z
    .enum(['too_large', 'disabled', 'expired', 'not_kept'])
    .nullable()
    .describe(
      'Why request_body is null: too_large (over OPENSQ_LOG_REQUEST_BODY_MAX_BYTES), disabled (OPENSQ_LOG_REQUEST_BODIES=false), expired (older than OPENSQ_REQUEST_BODY_RETENTION_DAYS), not_kept (refused before it ran, or logged while bodies were off); null when it is there',
    ),
});
export const deploymentTestSchema = z
  .object({
    model: z.string().min(1).describe('The public model id'),
    provider: z.string().min(1).describe('The deployment\'s provider'),
    upstream_model: z.string().min(1).optional().describe('The deployment\'s upstream model, when the model has several on one provider'),
  })
  .strict();
export const deploymentTestResultSchema = z.object({
  ok: z.boolean(),
  model: z.string(),
  provider: z.string(),
  upstream_model: z.string(),
  latency_ms: z.number().int(),
  error: z.object({ code: z.string(), status: z.number().int(), message: z.string() }).nullable(),
});
export const usageListSchema = z.object({ object: z.literal('list'), data: z.array(usageRowSchema), totals: usageTotalsSchema });

export const usageGroupSchema = z.object({
  ...totalsShape,
  key_id: z.string().optional(),
  user: z.number().int().optional(),
  model: z.string().optional(),
  day: z.string().optional().describe('YYYY-MM-DD (UTC)'),
});
export const usageSummarySchema = z.object({ object: z.literal('list'), group_by: z.string().nullable(), data: z.array(usageGroupSchema), totals: usageTotalsSchema });

export const usageErrorsSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ error_code: z.string().nullable(), http_status: z.number().int(), model: z.string(), count: z.number().int(), last_at: isoTime })),
});

export const deploymentHealthSchema = z.object({
  model: z.string(),
  provider: z.string(),
  provider_type: z.string(),
  upstream_model: z.string(),
  priority: z.number().int(),
  weight: z.number(),
  state: z.enum(['ok', 'not_configured', 'cooling_down']),
  configured: z.boolean(),
  reason: z.string().nullable(),
  cooling_down_until: isoTime.nullable(),
  last_error: z.string().nullable(),
});
export const healthSchema = z.object({
  object: z.literal('list'),
  status: z.enum(['ok', 'degraded', 'down']).describe('ok: every model with a deployment can serve; degraded: some cannot; down: none can'),
  data: z.array(deploymentHealthSchema),
});

/** One model as `GET /ai/models` shows it (OnlySq's hyphenated keys). */
export const catalogModelSchema = z.object({
  name: z.string(),
  description: z.string(),
  owner: z.string(),
  type: z.enum(['keys', 'provider']),
  modality: z.enum(['text', 'image', 'sound']),
  endpoints: z.array(z.string()),
  paid: z.boolean(),
  'can-stream': z.boolean(),
  'can-tools': z.boolean(),
  'can-vision': z.boolean(),
  'can-think': z.boolean(),
  status: z.enum(['work', 'down']),
  tier: z.number().int(),
  limits: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe("OnlySq's four request limits of the model"),
  cost: z
    .object({
      input: z.number(),
      output: z.number(),
      cache_read: z.number().optional(),
      cache_write: z.number().optional(),
      per_image: z.number().optional(),
      per_1k_chars: z.number().optional(),
      tool_calls: z.record(z.string(), z.number()).optional(),
    })
    .describe('Credits per million tokens, per image, per thousand characters spoken, per built-in tool call'),
});

export const providersSchema = z.object({
  object: z.literal('providers'),
  status: healthSchema.shape.status,
  from: isoTime.describe('Start of the 24 hours the usage covers'),
  to: isoTime,
  deployments: z.array(
    deploymentHealthSchema.extend({
      testable: z.boolean().describe('Whether POST /admin/deployments/test can try it (chat and embedding models)'),
      usage_24h: z.object({
        requests: z.number().int(),
        errors: z.number().int(),
        success_rate: z.number().nullable().describe('Successful requests over all, 0–1; null without requests'),
        latency_p50_ms: z.number().nullable().describe('Over successful requests'),
        latency_p95_ms: z.number().nullable(),
      }),
    }),
  ),
  catalog: z.record(z.string(), catalogModelSchema).describe('Every model as GET /ai/models shows it, by id'),
});

export const errorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});

export const requestLogQuerySchema = z
  .object({
    key_id: z.string().optional(),
    model: z.string().optional(),
    provider: z.string().optional(),
    status: z.enum(['ok', 'error', 'cancelled']).optional(),
    endpoint: z.string().optional(),
    q: z.string().max(200).optional().describe('Text in the request id, model, deployment or error code'),
    from: z.string().optional().describe('ISO 8601 or unix milliseconds, inclusive'),
    to: z.string().optional().describe('ISO 8601 or unix milliseconds, exclusive'),
    before: z.coerce.number().int().positive().optional().describe('Rows with an id below this: the next_before of the previous page'),
    limit: z.coerce.number().int().min(1).max(200).optional().describe('Rows per page, newest first (default 50)'),
  })
  .strict();
export const requestLogSchema = z.object({ object: z.literal('list'), data: z.array(usageRowSchema), next_before: z.number().int().nullable() });

export const usageSeriesQuerySchema = z
  .object({
    from: z.string().optional().describe('ISO 8601 or unix milliseconds, inclusive (default: 7 days before to)'),
    to: z.string().optional().describe('ISO 8601 or unix milliseconds, exclusive (default: now)'),
    bucket: z.enum(['hour', 'day']).optional().describe('Bucket size (default day)'),
    tz: z.string().optional().describe("IANA time zone whose days (and hours) the buckets follow (default UTC); a DST day is 23 or 25 hours long"),
    group_by: z.enum(['model', 'provider', 'key', 'endpoint', 'tier']).optional().describe("tier: the key's tier as it is now"),
    subgroup_by: z.enum(['model', 'provider', 'key', 'endpoint', 'tier']).optional().describe('A second dimension within each group (needs group_by); each point then has a subgroup'),
    key_id: z.string().optional(),
    model: z.string().optional(),
  })
  .strict();
export const usageSeriesSchema = z.object({
  object: z.literal('list'),
  bucket: z.enum(['hour', 'day']),
  tz: z.string(),
  group_by: z.string().nullable(),
  subgroup_by: z.string().nullable(),
  from: isoTime,
  to: isoTime,
  data: z.array(
    z.object({
      t: isoTime.describe('Start of the bucket, as a UTC instant'),
      group: z.string().nullable(),
      subgroup: z.string().nullable(),
      requests: z.number().int(),
      errors: z.number().int(),
      prompt_tokens: z.number().int(),
      completion_tokens: z.number().int(),
      cached_tokens: z.number().int(),
      cache_write_tokens: z.number().int().describe("Prompt tokens written to the provider's prompt cache; counted in prompt_tokens, as cached_tokens are"),
      cost: z.number(),
    }),
  ),
});

export const keySearchQuerySchema = z
  .object({
    q: z.string().max(200).optional().describe('Text in the name, id or prefix'),
    status: z.enum(['active', 'revoked', 'expired']).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional().describe('Keys per page, newest first (default 20)'),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict();
export const keySearchSchema = z.object({ object: z.literal('list'), data: z.array(keyViewSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const overviewQuerySchema = z.object({ hours: z.coerce.number().int().min(1).max(24 * 90).optional().describe('The period: the last N hours (default 24)') }).strict();
export const overviewSchema = z.object({
  object: z.literal('overview'),
  from: isoTime,
  to: isoTime,
  totals: usageTotalsSchema.extend({ ttft_p50_ms: z.number().nullable() }),
  strip_from: isoTime.describe('Start of the first of 24 UTC hours'),
  strip: z.array(z.object({ t: isoTime, provider: z.string().describe("Requests that reached no provider are counted in the totals only"), requests: z.number().int(), errors: z.number().int() })),
  providers: z.array(z.string()).describe('Providers with at least one configured deployment'),
  checklist: z.object({ provider_configured: z.boolean(), key_created: z.boolean(), first_request: z.boolean() }),
});

/**
 * `Answer` (a wire type the route builds, src/schema/admin-wire.ts) is what `Documented` (its
 * schema in /admin/openapi.json) describes: the same fields, each of a documented type. A field
 * added to one and not the other breaks the compile.
 */
type Documents<Documented extends z.ZodType, Answer> = [keyof z.output<Documented>] extends [keyof Answer]
  ? [keyof Answer] extends [keyof z.output<Documented>]
    ? Answer extends z.output<Documented>
      ? true
      : false
    : false
  : false;
type Holds<T extends true> = T;
export type DocumentedAnswers = [
  Holds<Documents<typeof keyViewSchema, w.KeyView>>,
  Holds<Documents<typeof createdKeySchema, w.KeyCreatedView>>,
  Holds<Documents<typeof keySearchSchema, w.KeySearchPage>>,
  Holds<Documents<typeof usageRowSchema, w.UsageRowView>>,
  Holds<Documents<typeof usageListSchema, w.UsageRowsView>>,
  Holds<Documents<typeof usageSummarySchema, w.UsageSummaryView>>,
  Holds<Documents<typeof usageSeriesSchema, w.UsageSeriesView>>,
  Holds<Documents<typeof attemptSchema, w.UpstreamAttempt>>,
  Holds<Documents<typeof requestLogSchema, w.RequestLogPage>>,
  Holds<Documents<typeof requestDetailSchema, w.RequestDetailView>>,
  Holds<Documents<typeof deploymentHealthSchema, w.DeploymentReport>>,
  Holds<Documents<typeof healthSchema, w.HealthView>>,
  Holds<Documents<typeof providersSchema, w.ProvidersView>>,
  Holds<Documents<typeof deploymentTestResultSchema, w.DeploymentTestResult>>,
  Holds<Documents<typeof overviewSchema, w.OverviewView>>,
];
