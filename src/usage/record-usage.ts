import type { ApiKey } from '../auth/key-store.js';
import type { ModelCost } from '../config/catalog-entry.js';
import type { BuiltinToolCalls } from '../core/builtin-tool-calls.js';
import type { ApiError } from '../core/errors.js';
import type { Ticket } from '../limits/admission.js';
import type { Deployment, Model } from '../routing/catalog.js';
import type { AttemptRecord } from '../routing/router.js';
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import type { Metrics } from '../observability/metrics.js';
import type { UsageLedger } from './ledger.js';
import { keptRequestBody } from './kept-request-body.js';

/** What writing a usage row needs of the process: its settings for kept bodies, the ledger, metrics and the log. */
export interface UsageServices {
  settings: Pick<Settings, 'logRequestBodies' | 'requestBodyMaxBytes'>;
  ledger: UsageLedger;
  metrics: Pick<Metrics, 'observe'>;
  log: Logger;
}

export interface UsageFacts {
  requestId: string;
  endpoint: string;
  model: Model;
  key: ApiKey;
  deployment: Deployment | undefined;
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
  /** Prompt tokens written to the provider's prompt cache. */
  cacheWriteTokens?: number;
  /** `performance.now()` when the request started. */
  started: number;
  ttftMs?: number | null;
  status: 'ok' | 'error' | 'cancelled';
  httpStatus: number;
  error?: ApiError;
  stream?: boolean;
  /** The admission ticket to settle with what the request really cost. */
  ticket?: Ticket;
  /** Media priced per unit: images generated, characters spoken. */
  units?: { images?: number; characters?: number };
  /** The router's upstream attempts; kept in the row only when there was a retry or an error. */
  attempts?: AttemptRecord[];
  /** The JSON body text as the client sent it (never its headers), kept for replay per the settings. */
  requestBody?: string;
  /** The upstream's own id for an answer that carries ours. */
  upstreamId?: string;
  /** Calls to the provider's built-in tools, by kind: priced per call from the model's `cost.tool_calls`. */
  builtinToolCalls?: BuiltinToolCalls;
}

/** An upstream id longer than any real one is cut, so an upstream cannot grow the ledger. */
const MAX_UPSTREAM_ID = 128;

/** JSON of the attempts worth keeping: more than one, or one that failed; else null (the cheap path). */
function attemptsJson(attempts: AttemptRecord[] | undefined): string | null {
  if (!attempts || attempts.length === 0) return null;
  if (attempts.length === 1 && !attempts[0].error) return null;
  return JSON.stringify(attempts);
}

/** Prompt tokens at their prices, per million: cache reads and writes (part of the prompt) at the model's cache prices where it has them. */
function promptCost(cost: ModelCost, prompt: number, cacheReads: number, cacheWrites: number): number {
  const plain = Math.max(0, prompt - cacheReads - cacheWrites);
  return plain * cost.input + cacheReads * (cost.cache_read ?? cost.input) + cacheWrites * (cost.cache_write ?? cost.input);
}

/** Built-in tool calls at the model's prices per call, and how many there were; a kind without a price costs nothing. */
function toolCallsCost(cost: ModelCost, calls: BuiltinToolCalls | undefined): { cost: number; count: number } {
  if (calls === undefined) return { cost: 0, count: 0 };
  let total = 0;
  let count = 0;
  for (const [kind, n] of Object.entries(calls)) {
    count += n;
    total += n * (cost.tool_calls?.[kind] ?? 0);
  }
  return { cost: total, count };
}

/**
 * Writes a request's usage row, priced from the catalog, and settles its admission ticket.
 * Awaited before the response ends; a failure to write is logged, never turned into a failed
 * request.
 */
export async function recordUsage(ctx: UsageServices, facts: UsageFacts): Promise<void> {
  const { model, promptTokens, completionTokens } = facts;
  const tools = toolCallsCost(model.cost, facts.builtinToolCalls);
  const cost =
    (promptCost(model.cost, promptTokens, facts.cachedTokens ?? 0, facts.cacheWriteTokens ?? 0) + completionTokens * model.cost.output) / 1_000_000 +
    (facts.units?.images ?? 0) * (model.cost.per_image ?? 0) +
    ((facts.units?.characters ?? 0) / 1000) * (model.cost.per_1k_chars ?? 0) +
    tools.cost;
  const latencyMs = Math.round(performance.now() - facts.started);
  ctx.metrics.observe(facts.endpoint, model, facts.status, latencyMs, facts.ttftMs ?? null, facts.error?.code);
  // Settled and recorded in the same turn, so a credit debit commits in the same batch as the row.
  const settled = settle(ctx, facts, cost);
  const ts = Date.now();
  const body = keptRequestBody(ctx.settings, facts.requestBody);
  try {
    await ctx.ledger.record({
      ts,
      request_id: facts.requestId,
      key_id: facts.key.id,
      user_id: facts.key.userId,
      endpoint: facts.endpoint,
      model: model.id,
      provider: facts.deployment?.provider.name ?? null,
      deployment: facts.deployment?.model ?? null,
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      cached_tokens: facts.cachedTokens ?? 0,
      cache_write_tokens: facts.cacheWriteTokens ?? 0,
      cost,
      latency_ms: latencyMs,
      ttft_ms: facts.ttftMs ?? null,
      status: facts.status,
      http_status: facts.httpStatus,
      error_code: facts.error?.code ?? null,
      stream: facts.stream ? 1 : 0,
      attempts: attemptsJson(facts.attempts),
      upstream_id: facts.upstreamId?.slice(0, MAX_UPSTREAM_ID) ?? null,
      builtin_tool_calls: tools.count,
    }, body === undefined ? undefined : { request_id: facts.requestId, ts, body });
  } catch (error) {
    ctx.log.error({ err: error, requestId: facts.requestId }, 'could not write the usage row');
  }
  await settled;
}

async function settle(ctx: UsageServices, facts: UsageFacts, cost: number): Promise<void> {
  try {
    await facts.ticket?.settle({ promptTokens: facts.promptTokens, completionTokens: facts.completionTokens, cost });
  } catch (error) {
    ctx.log.error({ err: error, requestId: facts.requestId }, 'could not settle the admission ticket');
  }
}
