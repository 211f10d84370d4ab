import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { ApiKey } from '../auth/key-store.js';
import { asApiError } from '../core/as-api-error.js';
import type { ChatCompletion, ChatRequest, Usage } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { SSE_DONE, sseBatch, sseError, writeSseHead } from '../encode/sse.js';
import type { ChatCall } from '../providers/types.js';
import type { Deployment } from '../routing/catalog.js';
import { resolveModel } from '../routing/resolve-model.js';
import { tryDeployments } from '../routing/try-deployments.js';
import type { AppContext } from '../server/context.js';
import { estimateRequestTokens, estimateUsage } from '../usage/count-tokens.js';
import { recordUsage, type UsageFacts } from '../usage/record-usage.js';
import { RequestScope } from './request-scope.js';

export interface ChatEndpoint {
  /** The endpoint's name in the usage ledger. */
  name: string;
  /** OnlySq's API2.0 answers carry the key's user id. */
  withUser: boolean;
}

/**
 * Serves one chat request for any chat endpoint: tries the model's deployments in order while a
 * retryable failure happens before anything was sent, relays the answer (JSON or SSE), and writes
 * the usage row before the response ends.
 */
export async function serveChat(ctx: AppContext, reply: FastifyReply, body: ChatRequest, key: ApiKey, endpoint: ChatEndpoint): Promise<void> {
  const model = resolveModel(ctx.catalog, body.model, key, 'chat');
  const ticket = await ctx.admission.admit({ key, model, endpoint: endpoint.name, estimateTokens: () => estimateRequestTokens(body) });
  const plan = ctx.catalog.plan(model);
  const scope = new RequestScope(ctx, reply, plan[0].provider.timeouts.totalMs, newId('chatcmpl-'));
  const call: ChatCall = {
    body,
    publicModel: model.id,
    upstreamModel: '',
    signal: scope.signal,
    id: scope.requestId,
    created: Math.floor(Date.now() / 1000),
    warn: scope.warn,
  };
  const facts = { requestId: call.id, endpoint: endpoint.name, model, key, started: scope.started, stream: body.stream === true, ticket };
  try {
    if (body.stream) await streamChat(ctx, reply, scope, call, plan, facts);
    else await completeChat(ctx, reply, scope, call, plan, facts, endpoint.withUser);
  } finally {
    scope.end();
  }
}

type BaseFacts = Pick<UsageFacts, 'requestId' | 'endpoint' | 'model' | 'key' | 'started' | 'stream' | 'ticket'>;

function tokens(usage: Usage | undefined): Pick<UsageFacts, 'promptTokens' | 'completionTokens' | 'cachedTokens'> {
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

async function failBeforeFirstByte(ctx: AppContext, scope: RequestScope, facts: BaseFacts, error: ApiError, deployment: Deployment | undefined): Promise<never> {
  const cancelled = scope.signal.aborted;
  await recordUsage(ctx, { ...facts, deployment, ...tokens(undefined), status: cancelled ? 'cancelled' : 'error', httpStatus: cancelled ? 499 : error.status, error });
  throw error;
}

async function completeChat(ctx: AppContext, reply: FastifyReply, scope: RequestScope, call: ChatCall, plan: Deployment[], facts: BaseFacts, withUser: boolean): Promise<void> {
  const attempt = await tryDeployments(plan, call.signal, (d) => ctx.registry.adapter(d.provider.name).chat({ ...call, upstreamModel: d.model }));
  if (!attempt.ok) return failBeforeFirstByte(ctx, scope, facts, attempt.error, attempt.deployment);
  const { completion } = attempt.value;
  const usage = attempt.value.usage ?? (await estimateUsage(call.body.messages, completionText(completion)));
  completion.usage ??= usage;
  if (withUser) completion.user = facts.key.userId;
  const payload = JSON.stringify(completion);
  await recordUsage(ctx, { ...facts, deployment: attempt.deployment, ...tokens(usage), status: 'ok', httpStatus: 200 });
  scope.setHeaders(reply, attempt.deployment);
  reply.type('application/json').send(payload);
}

async function streamChat(ctx: AppContext, reply: FastifyReply, scope: RequestScope, call: ChatCall, plan: Deployment[], facts: BaseFacts): Promise<void> {
  const attempt = await tryDeployments(plan, call.signal, (d) => ctx.registry.adapter(d.provider.name).stream({ ...call, upstreamModel: d.model }));
  if (!attempt.ok) return failBeforeFirstByte(ctx, scope, facts, attempt.error, attempt.deployment);
  const stream = attempt.value;
  const res = reply.raw;
  reply.hijack();
  writeSseHead(res, scope.headers(attempt.deployment));
  let ttftMs: number | null = null;
  let failure: ApiError | undefined;
  let cancelled = false;
  try {
    for await (const batch of stream) {
      ttftMs ??= Math.round(performance.now() - scope.started);
      if (!res.write(sseBatch(batch))) await drained(res, call.signal);
    }
  } catch (e) {
    if (call.signal.aborted && res.destroyed) cancelled = true;
    else failure = asApiError(e);
  }
  const usage = stream.usage() ?? (await estimateUsage(call.body.messages, stream.completionText()));
  const status = cancelled ? 'cancelled' : failure ? 'error' : 'ok';
  const httpStatus = cancelled ? 499 : failure ? failure.status : 200;
  await recordUsage(ctx, { ...facts, deployment: attempt.deployment, ...tokens(usage), ttftMs, status, httpStatus, error: failure });
  if (cancelled) res.destroy();
  else res.end(failure ? sseError(failure) : SSE_DONE);
}

/** Waits for the client to take more bytes, or to go away. */
async function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new ApiError('upstream_timeout', 'the client went away');
  await once(res, 'drain', { signal });
}

function completionText(completion: ChatCompletion): string {
  let text = '';
  for (const choice of completion.choices) {
    const message = choice.message;
    if (typeof message?.content === 'string') text += message.content;
    if (typeof message?.reasoning_content === 'string') text += message.reasoning_content;
    for (const call of message?.tool_calls ?? []) text += call.function.name + call.function.arguments;
  }
  return text;
}
