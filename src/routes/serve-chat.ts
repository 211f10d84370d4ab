import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { ApiKey } from '../auth/key-store.js';
import { asApiError } from '../core/as-api-error.js';
import type { ChatCompletion, ChatRequest, Usage } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { SSE_DONE, sseBatch, sseError, writeSseHead } from '../encode/sse.js';
import type { ChatCall, ChatResult, ChatStream } from '../providers/types.js';
import type { Deployment, Model } from '../routing/catalog.js';
import { resolveModel } from '../routing/resolve-model.js';
import type { AppContext } from '../server/context.js';
import { estimateUsage } from '../usage/count-tokens.js';

export interface ChatEndpoint {
  /** The endpoint's name in the usage ledger. */
  name: string;
  /** OnlySq's API2.0 answers carry the key's user id. */
  withUser: boolean;
}

interface Outcome {
  deployment: Deployment | undefined;
  usage: Usage | undefined;
  ttftMs: number | null;
  status: 'ok' | 'error' | 'cancelled';
  error: ApiError | undefined;
}

/**
 * Serves one chat request for any chat endpoint: picks the model's deployments in order, tries the
 * next one while a retryable failure happens before anything was sent, relays the answer (JSON or
 * SSE), and writes the usage row before the response ends.
 */
export async function serveChat(ctx: AppContext, reply: FastifyReply, body: ChatRequest, key: ApiKey, endpoint: ChatEndpoint): Promise<void> {
  const model = resolveModel(ctx.catalog, body.model, key, 'chat');
  const started = performance.now();
  const res = reply.raw;
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClose);
  const plan = ctx.catalog.plan(model);
  const timer = setTimeout(() => controller.abort(), plan[0].provider.timeouts.totalMs);
  const call: ChatCall = {
    body,
    publicModel: model.id,
    upstreamModel: '',
    signal: controller.signal,
    id: newId('chatcmpl-'),
    created: Math.floor(Date.now() / 1000),
  };
  ctx.inFlight.count++;
  let outcome: Outcome | undefined;
  try {
    outcome = body.stream
      ? await streamChat(ctx, reply, call, plan, started, endpoint, key)
      : await completeChat(ctx, reply, call, plan, started, endpoint, key);
  } finally {
    clearTimeout(timer);
    res.off('close', onClose);
    ctx.inFlight.count--;
  }
  if (outcome.error) throw outcome.error;
}

async function completeChat(
  ctx: AppContext,
  reply: FastifyReply,
  call: ChatCall,
  plan: Deployment[],
  started: number,
  endpoint: ChatEndpoint,
  key: ApiKey,
): Promise<Outcome> {
  let error: ApiError | undefined;
  let deployment: Deployment | undefined;
  let result: ChatResult | undefined;
  for (const candidate of plan) {
    deployment = candidate;
    try {
      result = await ctx.registry.adapter(candidate.provider.name).chat({ ...call, upstreamModel: candidate.model });
      error = undefined;
      break;
    } catch (e) {
      error = asApiError(e);
      if (!error.retryable || call.signal.aborted) break;
    }
  }
  const model = ctx.catalog.get(call.publicModel)!;
  if (!result) {
    const outcome: Outcome = { deployment, usage: undefined, ttftMs: null, status: call.signal.aborted ? 'cancelled' : 'error', error };
    await writeUsage(ctx, model, key, endpoint, call, outcome, error?.status ?? 500, started);
    return outcome;
  }
  const completion: ChatCompletion = result.completion;
  const usage = result.usage ?? (await estimateUsage(call.body.messages, completionText(completion)));
  if (!completion.usage) completion.usage = usage;
  if (endpoint.withUser) completion.user = key.userId;
  const payload = JSON.stringify(completion);
  const outcome: Outcome = { deployment, usage, ttftMs: null, status: 'ok', error: undefined };
  await writeUsage(ctx, model, key, endpoint, call, outcome, 200, started);
  reply.header('x-request-id', call.id).header('x-opensq-provider', deployment!.provider.name).type('application/json').send(payload);
  return outcome;
}

async function streamChat(
  ctx: AppContext,
  reply: FastifyReply,
  call: ChatCall,
  plan: Deployment[],
  started: number,
  endpoint: ChatEndpoint,
  key: ApiKey,
): Promise<Outcome> {
  const model = ctx.catalog.get(call.publicModel)!;
  let error: ApiError | undefined;
  let deployment: Deployment | undefined;
  let stream: ChatStream | undefined;
  for (const candidate of plan) {
    deployment = candidate;
    try {
      stream = await ctx.registry.adapter(candidate.provider.name).stream({ ...call, upstreamModel: candidate.model });
      error = undefined;
      break;
    } catch (e) {
      error = asApiError(e);
      if (!error.retryable || call.signal.aborted) break;
    }
  }
  if (!stream) {
    const outcome: Outcome = { deployment, usage: undefined, ttftMs: null, status: call.signal.aborted ? 'cancelled' : 'error', error };
    await writeUsage(ctx, model, key, endpoint, call, outcome, error?.status ?? 500, started);
    return outcome;
  }

  const res = reply.raw;
  reply.hijack();
  writeSseHead(res, { 'x-request-id': call.id, 'x-opensq-provider': deployment!.provider.name });
  let ttftMs: number | null = null;
  let status: Outcome['status'] = 'ok';
  let failure: ApiError | undefined;
  try {
    for await (const batch of stream) {
      ttftMs ??= Math.round(performance.now() - started);
      if (!res.write(sseBatch(batch))) await drained(res, call.signal);
    }
  } catch (e) {
    if (call.signal.aborted && res.destroyed) status = 'cancelled';
    else {
      status = 'error';
      failure = asApiError(e);
    }
  }
  const usage = stream.usage() ?? (await estimateUsage(call.body.messages, stream.completionText()));
  const outcome: Outcome = { deployment, usage, ttftMs, status, error: undefined };
  await writeUsage(ctx, model, key, endpoint, call, { ...outcome, error: failure }, failure ? failure.status : status === 'cancelled' ? 499 : 200, started);
  if (status === 'ok') res.end(SSE_DONE);
  else if (failure) res.end(sseError(failure));
  else res.destroy();
  return outcome;
}

/** Waits for the client to take more bytes, or to go away. */
async function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new ApiError('upstream_timeout', 'client went away');
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

async function writeUsage(
  ctx: AppContext,
  model: Model,
  key: ApiKey,
  endpoint: ChatEndpoint,
  call: ChatCall,
  outcome: Outcome,
  httpStatus: number,
  started: number,
): Promise<void> {
  const usage = outcome.usage;
  const prompt = usage?.prompt_tokens ?? 0;
  const completion = usage?.completion_tokens ?? 0;
  try {
    await ctx.ledger.record({
      ts: Date.now(),
      request_id: call.id,
      key_id: key.id,
      user_id: key.userId,
      endpoint: endpoint.name,
      model: model.id,
      provider: outcome.deployment?.provider.name ?? null,
      deployment: outcome.deployment?.model ?? null,
      prompt_tokens: prompt,
      completion_tokens: completion,
      cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      cost: (prompt * model.cost.input + completion * model.cost.output) / 1_000_000,
      latency_ms: Math.round(performance.now() - started),
      ttft_ms: outcome.ttftMs,
      status: outcome.status,
      http_status: httpStatus,
      error_code: outcome.error?.code ?? null,
      stream: call.body.stream ? 1 : 0,
    });
  } catch (error) {
    ctx.log.error({ err: error, requestId: call.id }, 'could not write the usage row');
  }
}
