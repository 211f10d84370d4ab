import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../../auth/key-store.js';
import { presentedKey } from '../../auth/presented-key.js';
import type { ChatCompletion, ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { ResponseEventWriter, type ResponseSettled } from '../../encode/response-events.js';
import { completionOutput, finishedStatus, type ResponseEcho, responseEcho, type ResponseObject, responseObject } from '../../encode/response-object.js';
import { RESPONSES_ANSWER, RESPONSES_EVENTS, RESPONSES_ORIGIN, type WithResponsesAnswer, type WithResponsesEvents, type WithResponsesOrigin } from '../../core/responses-origin.js';
import { ResponseRelayWriter } from '../../encode/response-relay.js';
import { replayResponseEvents } from '../../encode/response-replay.js';
import { SSE_HEADERS } from '../../encode/sse.js';
import { speaksResponses } from '../../providers/openai-compatible/responses-passthrough.js';
import type { ChatCall } from '../../providers/types.js';
import type { Deployment } from '../../routing/catalog.js';
import { resolveModel } from '../../routing/resolve-model.js';
import { convertResponsesInput } from '../../schema/convert-responses-input.js';
import { inputItemResources, inputItems, referencedItemIds, resolveReferences, responseIdOfItem } from '../../schema/responses-items.js';
import { parseResponsesRequest, type ResponsesInputItem, type ResponsesRequest, responsesWarnings } from '../../schema/responses-request.js';
import { READ_WARNINGS } from '../../core/warnings.js';
import { responsesToChatRequest } from '../../schema/responses-to-chat-request.js';
import type { AppContext } from '../../server/context.js';
import { ResponseStore } from '../../storage/response-store.js';
import { type AnswerEncoder, serveChat } from '../serve-chat.js';

type Call = Pick<ChatCall, 'id' | 'created' | 'publicModel'>;

/** A Responses answer written from the chat answer the providers give; `settled` gets the final Response. */
function responsesEncoder(echo: ResponseEcho, settled: ResponseSettled | undefined): AnswerEncoder {
  return {
    completion(completion: ChatCompletion, call: Call): string {
      const relayed = (completion as WithResponsesAnswer)[RESPONSES_ANSWER];
      if (relayed) {
        const json = JSON.stringify(relayed);
        settled?.(relayed as unknown as ResponseObject, json);
        return json;
      }
      const finish = completion.choices[0]?.finish_reason;
      const response = responseObject(echo, {
        id: call.id,
        createdAt: call.created,
        model: call.publicModel,
        status: finishedStatus(finish),
        finish,
        output: completionOutput(completion, call.id),
        usage: completion.usage,
      });
      const json = JSON.stringify(response);
      settled?.(response, json);
      return json;
    },
    stream: (call, upstream) => {
      const relayed = (upstream as WithResponsesEvents)[RESPONSES_EVENTS];
      if (relayed) return new ResponseRelayWriter(relayed, settled);
      return new ResponseEventWriter(echo, { id: call.id, createdAt: call.created, model: call.publicModel }, settled);
    },
  };
}

const notFound = (id: string, param?: string): ApiError =>
  new ApiError('not_found', `No response found with id ${JSON.stringify(id.slice(0, 80))}.`, param ? { param } : {});

/** The items `item_reference`s name, from the user's stored responses (their output or input). */
async function referencedItems(store: ResponseStore, userId: number, items: readonly ResponsesInputItem[]): Promise<Map<string, ResponsesInputItem>> {
  const found = new Map<string, ResponsesInputItem>();
  const ids = referencedItemIds(items);
  const wanted = new Set(ids);
  const responseIds = new Set(ids.map(responseIdOfItem).filter((id): id is string => id !== undefined));
  // Ids not made here are an upstream's, of a passed-through answer: the store knows whose they are.
  for (const id of await store.responsesOfItems(ids.filter((id) => responseIdOfItem(id) === undefined))) responseIds.add(id);
  for (const stored of await store.referenced(userId, [...responseIds])) {
    for (const list of [stored.response.output ?? [], stored.input ?? []]) {
      for (const item of list) if (typeof item.id === 'string' && wanted.has(item.id)) found.set(item.id, item as ResponsesInputItem);
    }
  }
  return found;
}

const native = (deployment: Deployment): boolean => speaksResponses(deployment.provider);

/** The client's body as a deployment that speaks the Responses API is sent it: the state (`input` and its history, `store`) is the gateway's. */
function originBody(body: unknown): Record<string, unknown> {
  const { input: _input, previous_response_id: _previous, stream: _stream, store: _store, ...rest } = body as Record<string, unknown>;
  return rest;
}

/**
 * A request only a deployment that speaks the Responses API can take (a built-in tool, its items)
 * as a chat request for admission and the token estimate: the conversation's JSON as the prompt.
 */
function shadowChatRequest(parsed: ResponsesRequest, conversation: readonly ResponsesInputItem[]): ChatRequest {
  const chat: ChatRequest = { model: parsed.model, messages: [{ role: 'user', content: JSON.stringify(conversation) }] };
  if (parsed.instructions) chat.messages.unshift({ role: 'system', content: parsed.instructions });
  if (parsed.stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  if (parsed.max_output_tokens != null) chat.max_completion_tokens = parsed.max_output_tokens;
  return chat;
}

/** `stream=true` (with `starting_after`, a sequence number) asks for a stored response as its events. */
function replayParams(query: unknown): { startingAfter: number } | undefined {
  const q = (query ?? {}) as Record<string, string | undefined>;
  if (q.stream !== 'true') return undefined;
  const startingAfter = q.starting_after === undefined ? -1 : Number(q.starting_after);
  if (!Number.isInteger(startingAfter) || startingAfter < -1) throw new ApiError('invalid_request', "Invalid value for 'starting_after': expected a sequence number.", { param: 'starting_after' });
  return { startingAfter };
}

/**
 * The chat request a Responses request is served as, and the deployments that may serve it: every
 * one when it translates; those that speak the Responses API when only they can take it as it is
 * (built-in tools, their items). For a model that has such deployments, the client's own request
 * rides along for them (RESPONSES_ORIGIN).
 */
interface ResponsesServing {
  parsed: ResponsesRequest;
  /** The client's body as sent, for deployments that take it as it is. */
  raw: unknown;
  /** The stored conversation and the request's input items. */
  conversation: ResponsesInputItem[];
  usable: readonly Deployment[];
}

function chatRequestFor({ parsed, raw, conversation, usable }: ResponsesServing): { body: ChatRequest; only?: (deployment: Deployment) => boolean } {
  const someNative = usable.some(native);
  let body: ChatRequest;
  let only: ((deployment: Deployment) => boolean) | undefined;
  try {
    body = responsesToChatRequest(parsed, convertResponsesInput(parsed.instructions, conversation));
  } catch (error) {
    // With no such deployment, or for an item_reference not found here (the upstream keeps no state to find it in), the 400 stands.
    if (!someNative || !(error instanceof ApiError) || error.status !== 400 || conversation.some((item) => item.type === 'item_reference')) throw error;
    body = shadowChatRequest(parsed, conversation);
    only = native;
  }
  if (someNative) {
    const own = { previous_response_id: parsed.previous_response_id ?? null, store: parsed.store !== false };
    (body as WithResponsesOrigin)[RESPONSES_ORIGIN] = { body: originBody(raw), input: conversation, own };
  }
  // What the translation drops is lost only where it is translated.
  const lost = only || usable.every(native) ? [] : responsesWarnings(parsed);
  if (lost.length > 0) body[READ_WARNINGS] = [...(body[READ_WARNINGS] ?? []), ...lost];
  return { body, only };
}

function listParams(query: unknown): { order: 'asc' | 'desc'; limit: number; after: string | undefined } {
  const q = (query ?? {}) as Record<string, string | undefined>;
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ApiError('invalid_request', "Invalid value for 'limit': expected an integer from 1 to 100.", { param: 'limit' });
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc') throw new ApiError('invalid_request', "Invalid value for 'order': expected asc or desc.", { param: 'order' });
  return { order: q.order ?? 'desc', limit, after: q.after };
}

/**
 * OpenAI's Responses API over every chat model: `POST /v1/responses` (and `/ai/openai/responses`)
 * answers through serveChat like a chat completion, or, on a deployment that speaks the Responses
 * API, relays the upstream's own answer; with `store` (the default) the answer is kept for `GET`
 * (as JSON, or replayed as events) and `DELETE /v1/responses/{id}`, `GET .../input_items`,
 * `previous_response_id` and `item_reference`, for the key's user only; `POST .../cancel` is
 * OpenAI's 400 for a response that is not a background one.
 */
export function registerResponses(app: FastifyInstance, ctx: AppContext): void {
  const store = new ResponseStore(ctx.database, ctx.settings.responsesRetentionDays, ctx.log);
  const owner = (key: ApiKey) => ({ userId: key.userId, keyId: key.id });

  const create = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const parsed = parseResponsesRequest(request.body);
    let prior: ResponsesInputItem[] = [];
    if (parsed.previous_response_id) {
      const previous = await store.conversation(key.userId, parsed.previous_response_id);
      if (!previous) throw notFound(parsed.previous_response_id, 'previous_response_id');
      prior = previous as ResponsesInputItem[];
    }
    let items = inputItems(parsed.input);
    if (referencedItemIds(items).length > 0) items = resolveReferences(items, await referencedItems(store, key.userId, items));
    const { body, only } = chatRequestFor({ parsed, raw: request.body, conversation: [...prior, ...items], usable: resolveModel({ catalog: ctx.catalog, requested: parsed.model, key, kind: 'chat' }).usable });
    const settled: ResponseSettled | undefined =
      parsed.store === false
        ? undefined
        : (response, json) => store.save(owner(key), { response, input: inputItemResources(items, response.id), previousId: parsed.previous_response_id ?? null }, json);
    await serveChat({
      ctx,
      reply,
      body,
      key,
      endpoint: { name: 'responses', withUser: false, idPrefix: 'resp_', encoder: responsesEncoder(responseEcho(parsed), settled), deployments: only },
    });
  };

  const stored = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const found = await store.get(key.userId, request.params.id);
    if (!found) throw notFound(request.params.id);
    return found;
  };

  for (const base of ['/v1', '/ai/openai']) {
    app.post(`${base}/responses`, create);
    app.get<{ Params: { id: string } }>(`${base}/responses/:id`, async (request, reply) => {
      const { response } = await stored(request);
      const replay = replayParams(request.query);
      if (!replay) return reply.type('application/json').send(JSON.stringify(response));
      reply.headers(SSE_HEADERS).send(replayResponseEvents(response as ResponseObject, replay.startingAfter));
    });
    // Every response here was answered in the request that made it (no `background`): there is nothing to cancel, as OpenAI answers for those.
    app.post<{ Params: { id: string } }>(`${base}/responses/:id/cancel`, async (request) => {
      await stored(request);
      throw new ApiError('invalid_request', 'Cannot cancel a synchronous response.', {});
    });
    app.delete<{ Params: { id: string } }>(`${base}/responses/:id`, async (request, reply) => {
      const key = await ctx.keys.authenticate(presentedKey(request.headers));
      if (!(await store.delete(key.userId, request.params.id))) throw notFound(request.params.id);
      reply.type('application/json').send(JSON.stringify({ id: request.params.id, object: 'response', deleted: true }));
    });
    app.get<{ Params: { id: string } }>(`${base}/responses/:id/input_items`, async (request, reply) => {
      const { order, limit, after } = listParams(request.query);
      const all = (await stored(request)).input;
      const ordered = order === 'desc' ? [...all].reverse() : all;
      const start = after === undefined ? 0 : ordered.findIndex((item) => item.id === after) + 1;
      const data = ordered.slice(start, start + limit);
      reply.type('application/json').send(
        JSON.stringify({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < ordered.length }),
      );
    });
  }

  const interval = ctx.settings.usageRollupIntervalMs;
  if (interval > 0) {
    const prune = (): void => {
      store.prune().then(
        (pruned) => {
          if (pruned > 0) ctx.log.info({ pruned }, 'stored responses past their retention pruned');
        },
        (error: unknown) => ctx.log.error({ err: error }, 'could not prune stored responses'),
      );
    };
    const timer = setInterval(prune, interval);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
}
