import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { ApiKey } from '../auth/key-store.js';
import { asApiError } from '../core/as-api-error.js';
import { BUILTIN_TOOL_CALLS, builtinToolsAsked, type WithBuiltinToolCalls } from '../core/builtin-tool-calls.js';
import type { ChatCompletion, ChatRequest, Usage } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { READ_WARNINGS } from '../core/warnings.js';
import { usageChunk } from '../encode/chat-chunks.js';
import { SSE_DONE, sseBatch, sseError, writeSseHead } from '../encode/sse.js';
import { ImageLoader } from '../providers/shared/image-loader.js';
import type { ChatCall, ChatStream } from '../providers/types.js';
import type { Deployment, Model } from '../routing/catalog.js';
import { modelForRequest } from '../routing/required-capabilities.js';
import { resolveModel } from '../routing/resolve-model.js';
import type { AppContext } from '../server/context.js';
import { failpoint } from '../server/failpoints.js';
import { requestIdOf } from '../server/request-id.js';
import { countImageParts, estimateRequestTokens, estimateUsage, promptTokensAtMost } from '../usage/count-tokens.js';
import type { UsageFacts } from '../usage/record-usage.js';
import { clientClosed, RequestScope } from './request-scope.js';

/** Images of one request fetched at once. */
const IMAGE_FETCHES = 4;

export interface ChatEndpoint {
  /** The endpoint's name in the usage ledger. */
  name: string;
  /** OnlySq's API2.0 answers carry the key's user id. */
  withUser: boolean;
  /** How the answer is written; OpenAI's chat completion shape when absent. */
  encoder?: AnswerEncoder;
  /** The prefix of the answer's id (and its usage row's request id); `chatcmpl-` when absent. */
  idPrefix?: string;
  /** Only these of the model's deployments may serve the request (e.g. those that take a Responses request as it is). */
  deployments?(deployment: Deployment): boolean;
}

/**
 * How an endpoint writes a chat answer that the providers gave as OpenAI chat values: the
 * completion object, or the stream's `chat.completion.chunk` JSON texts. Errors before the first
 * byte are thrown (the route's error handler shapes them); after it, `fail` ends the stream.
 */
export interface AnswerEncoder {
  /** The non-streamed answer's JSON text. */
  completion(completion: ChatCompletion, call: ChatCall): string;
  /** The writer of one streamed answer, from the provider's stream. */
  stream(call: ChatCall, upstream: ChatStream): StreamEncoder;
}

export interface StreamEncoder {
  /** The bytes for one batch of chunk JSON texts ('' to write nothing). */
  batch(chunks: readonly string[]): string;
  /** The bytes that end a stream that completed, with its usage (the upstream's, or counted). */
  end(usage: Usage): string;
  /** The bytes that end a stream that failed after its first byte. */
  fail(error: ApiError): string;
}

const OPENAI_STREAM: StreamEncoder = { batch: sseBatch, end: () => SSE_DONE, fail: sseError };

/**
 * OpenAI's chat completion: the completion as it is, chunks framed as `data:` events, then `[DONE]`;
 * a stream whose upstream usage was refused (ChatStream.usageOwed) ends with the usage billed.
 */
export const OPENAI_CHAT: AnswerEncoder = { completion: (completion) => JSON.stringify(completion), stream: (call, upstream) => (upstream.usageOwed ? owingStream(call, upstream) : OPENAI_STREAM) };

function owingStream(call: ChatCall, upstream: ChatStream): StreamEncoder {
  const end = (usage: Usage): string => (upstream.usageOwed!() ? sseBatch([usageChunk({ id: call.id, created: call.created, model: call.publicModel }, usage)]) + SSE_DONE : SSE_DONE);
  return { batch: sseBatch, end, fail: sseError };
}

/** One chat request to serve: the route's parsed body and authenticated key, for one endpoint. */
export interface ChatRequestToServe {
  ctx: AppContext;
  reply: FastifyReply;
  body: ChatRequest;
  key: ApiKey;
  endpoint: ChatEndpoint;
}

/** A chat request being served, once admitted: built once per request and passed along. */
interface Serving extends ChatRequestToServe {
  scope: RequestScope;
  call: ChatCall;
  model: Model;
}

/**
 * Serves one chat request for any chat endpoint: the router picks deployments, retries and falls
 * back while nothing has been sent; the answer is relayed as JSON or SSE; the usage row is written
 * before the response ends, and everything the request holds is settled once by its scope.
 */
export async function serveChat(request: ChatRequestToServe): Promise<void> {
  const { ctx, reply, body, key, endpoint } = request;
  // Only deployments that serve the tools, images, audio or reasoning the request asks for; a 400 if none does.
  const model = onlyDeployments(modelForRequest(resolveModel({ catalog: ctx.catalog, requested: body.model, key, kind: 'chat' }), body), endpoint.deployments);
  const images = countImageParts(body.messages);
  if (images > ctx.settings.maxImagesPerRequest) {
    throw new ApiError('invalid_request', `This request has ${images} images; this server takes at most ${ctx.settings.maxImagesPerRequest} in one request.`, { param: 'messages' });
  }
  const ticket = await ctx.admission.admit({
    key,
    model,
    endpoint: endpoint.name,
    estimateTokens: () => estimateRequestTokens(body),
    worstCase: () => ({
      promptTokens: promptTokensAtMost(body),
      answerTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      choices: Math.max(1, body.n ?? 1),
      images: 0,
      characters: 0,
      builtinTools: builtinToolsAsked(body),
    }),
  });
  const scope = new RequestScope(ctx, reply, {
    endpoint: endpoint.name,
    model,
    key,
    ticket,
    requestId: requestIdOf(reply.request, endpoint.idPrefix ?? 'chatcmpl-'),
    stream: body.stream === true,
    promptTokens: async () => (await estimateUsage(body, '')).prompt_tokens,
  });
  const call: ChatCall = {
    body,
    // The id the client asked for, an alias included, is the one its answer reports.
    publicModel: body.model,
    upstreamModel: '',
    signal: scope.signal,
    id: scope.requestId,
    created: Math.floor(Date.now() / 1000),
    warn: scope.warn,
  };
  if (images > 0) {
    call.loadImage = new ImageLoader({ maxTotalBytes: ctx.settings.maxImageBytesPerRequest, concurrency: IMAGE_FETCHES }, scope.signal).load;
    scope.stopLeftoversAtEnd();
  }
  for (const warning of body[READ_WARNINGS] ?? []) scope.warn(warning.code, warning.message);
  if (ticket.answerCap !== undefined) {
    call.maxAnswerTokens = ticket.answerCap;
    scope.warn('answer_limited', `the answer is limited to ${ticket.answerCap} tokens${(body.n ?? 1) > 1 ? ' per choice' : ''}: what this key's credit affords`);
  }
  if (ticket.toolCallCap !== undefined) call.maxToolCalls = ticket.toolCallCap;
  const serving: Serving = { ctx, reply, body, key, endpoint, scope, call, model };
  await scope.run(() => (body.stream ? streamChat(serving) : completeChat(serving)));
}

function onlyDeployments(model: Model, allowed: ChatEndpoint['deployments']): Model {
  if (!allowed) return model;
  const usable = model.usable.filter(allowed);
  return usable.length === model.usable.length ? model : { ...model, usable };
}

function tokens(usage: Usage | undefined): Pick<UsageFacts, 'promptTokens' | 'completionTokens' | 'cachedTokens' | 'cacheWriteTokens' | 'builtinToolCalls'> {
  return {
    builtinToolCalls: (usage as WithBuiltinToolCalls | undefined)?.[BUILTIN_TOOL_CALLS],
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: usage?.prompt_tokens_details?.cache_creation_tokens ?? 0,
  };
}

/** The call for one deployment: its upstream model name and the model's timeouts over the provider's. */
function callFor(call: ChatCall, model: Model, deployment: Deployment): ChatCall {
  return { ...call, upstreamModel: deployment.model, timeouts: { ...deployment.provider.timeouts, ...model.timeoutOverrides } };
}

async function completeChat({ ctx, reply, scope, call, model, endpoint, key }: Serving): Promise<void> {
  const routed = await ctx.router.run(model, call.id, call.signal, (d) => ctx.registry.adapter(d.provider.name).chat(callFor(call, model, d)));
  if (!routed.ok) return scope.fail(routed);
  scope.hold(routed);
  scope.release();
  const result = routed.value;
  const encoder = endpoint.encoder ?? OPENAI_CHAT;
  // An answer relayed as the upstream wrote it, with its usage, goes out as it came: no parse, no stringify.
  const relayed = result.json !== undefined && result.usage !== undefined && encoder === OPENAI_CHAT && !endpoint.withUser;
  const usage = result.usage ?? (await estimateUsage(call.body, completionText(result.completion)));
  failpoint('complete.encode');
  let payload: string;
  if (relayed) payload = result.json!;
  else {
    const completion = result.completion;
    completion.usage ??= usage;
    if (endpoint.withUser) completion.user = key.userId;
    payload = encodeAnswer(encoder, completion, call);
  }
  await scope.record({ deployment: routed.deployment, attempts: routed.attempts, ...tokens(usage), status: 'ok', httpStatus: 200, upstreamId: routed.value.upstreamId });
  // One writeHead with the whole header object, as Fastify's send would end up doing, without its checks for streams, serializers and trailers.
  const headers = scope.headers(routed.deployment, routed.attempts);
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(payload));
  reply.raw.writeHead(200, headers).end(payload);
}

async function streamChat({ ctx, reply, scope, call, model, endpoint }: Serving): Promise<void> {
  const routed = await ctx.router.run(model, call.id, call.signal, (d) => ctx.registry.adapter(d.provider.name).stream(callFor(call, model, d)));
  if (!routed.ok) return scope.fail(routed);
  scope.hold(routed);
  const stream = routed.value;
  scope.hijack();
  failpoint('stream.head');
  const res = reply.raw;
  const writer = (endpoint.encoder ?? OPENAI_CHAT).stream(call, stream);
  writeSseHead(res, scope.headers(routed.deployment, routed.attempts));
  let ttftMs: number | null = null;
  let failure: ApiError | undefined;
  try {
    for await (const batch of stream) {
      failpoint(ttftMs === null ? 'stream.first-chunk' : 'stream.later-chunk');
      ttftMs ??= Math.round(performance.now() - scope.started);
      const bytes = writer.batch(batch);
      if (bytes !== '' && !res.write(bytes)) await drained(res, call.signal);
    }
  } catch (e) {
    if (!scope.clientGone) failure = scope.timeout ?? asApiError(e);
  }
  scope.release(failure);
  const usage = stream.usage() ?? (await estimateUsage(call.body, stream.completionText()));
  const cancelled = scope.clientGone || failure?.code === 'client_closed_request';
  const status = cancelled ? 'cancelled' : failure ? 'error' : 'ok';
  const error = cancelled ? clientClosed() : failure;
  await scope.record({ deployment: routed.deployment, attempts: routed.attempts, ...tokens(usage), builtinToolCalls: stream.builtinToolCalls?.(), ttftMs, status, httpStatus: error ? error.status : 200, error, upstreamId: stream.upstreamId?.() });
  if (cancelled) res.destroy();
  else res.end(failure ? writer.fail(failure) : writer.end(usage));
}

/**
 * The answer in the client's format. An upstream's answer nested thousands of levels deep parses
 * but overflows the stack when serialised again: that is the upstream's broken answer (a 502), not
 * a failure of the gateway's.
 */
function encodeAnswer(encoder: AnswerEncoder, completion: ChatCompletion, call: ChatCall): string {
  try {
    return encoder.completion(completion, call);
  } catch (e) {
    if (e instanceof RangeError) throw new ApiError('upstream_error', 'The upstream answered with JSON nested too deep to relay.');
    throw e;
  }
}

/** Waits for the client to take more bytes, or to go away. */
async function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted || res.destroyed) throw clientClosed();
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
