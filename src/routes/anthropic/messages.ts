import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { READ_WARNINGS } from '../../core/warnings.js';
import { ANTHROPIC_MESSAGES } from '../../core/anthropic-messages.js';
import { type AnthropicAnswerContext, encodeAnthropicMessage } from '../../encode/anthropic-message.js';
import { AnthropicStreamEncoder } from '../../encode/anthropic-stream.js';
import type { ChatCall } from '../../providers/types.js';
import type { Model } from '../../routing/catalog.js';
import { servesThinking } from '../../routing/required-capabilities.js';
import { resolveModel } from '../../routing/resolve-model.js';
import { parseMessagesRequest } from '../../schema/messages-request.js';
import type { AppContext } from '../../server/context.js';
import { apiErrorHandler } from '../../server/api-error-handler.js';
import { estimateUsage } from '../../usage/count-tokens.js';
import { type ChatEndpoint, serveChat } from '../serve-chat.js';
import { anthropicError, anthropicErrorBody } from './anthropic-error.js';

/** Extended thinking budgets as reasoning efforts, on the scale of Anthropic's own OpenAI-compatible endpoint. */
function effortFor(budget: number): string {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

function betasOf(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header.join(',') : header).split(',').map((beta) => beta.trim()).filter(Boolean);
}

/** The upstream's count of the prompt from the model's first deployment, when its provider counts (Anthropic); undefined when it does not or the count failed (logged). */
async function anthropicCount(ctx: AppContext, { model, chat, id }: { model: Model; chat: ChatRequest; id: string }): Promise<number | undefined> {
  const deployment = model.usable[0];
  const adapter = deployment && ctx.registry.adapter(deployment.provider.name);
  if (!adapter?.countTokens) return undefined;
  try {
    return await adapter.countTokens({
      body: chat,
      publicModel: chat.model,
      upstreamModel: deployment.model,
      signal: new AbortController().signal,
      id,
      created: Math.floor(Date.now() / 1000),
      warn: () => undefined,
      timeouts: { ...deployment.provider.timeouts, ...model.timeoutOverrides },
    });
  } catch (error) {
    ctx.log.warn({ err: error, provider: deployment.provider.name }, 'count_tokens: the upstream count failed; answered with the estimate');
    return undefined;
  }
}

function answerContext(call: ChatCall): AnthropicAnswerContext {
  const stop = call.body.stop;
  return { id: call.id, model: call.body.model, thinking: call.body[ANTHROPIC_MESSAGES]?.thinking === true, stopSequences: Array.isArray(stop) ? stop : [] };
}

const ENDPOINT: ChatEndpoint = {
  name: 'messages',
  withUser: false,
  encoder: {
    // The client's own model id, as Anthropic answers.
    completion: (completion, call) => encodeAnthropicMessage(completion, answerContext(call)),
    stream: (call) => new AnthropicStreamEncoder(answerContext(call), anthropicErrorBody),
  },
};

/**
 * `POST /v1/messages` and `/ai/anthropic/v1/messages` (Claude Code adds `?beta=true`): the Anthropic
 * Messages API over every catalog chat model, with Anthropic's error shape and `request-id` header;
 * and `POST .../messages/count_tokens`.
 */
export function registerMessages(app: FastifyInstance, ctx: AppContext): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', (request, reply, done) => {
      // Answers written past Fastify (streams) start from the reply's headers, so they carry it too.
      reply.header('request-id', `req_${request.id}`);
      done();
    });
    scope.setErrorHandler(apiErrorHandler(ctx, (error) => ({ status: anthropicError(error).status, body: anthropicErrorBody(error) })));
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const key = await ctx.keys.authenticate(presentedKey(request.headers));
      const { chat, thinkingBudget } = parseMessagesRequest(request.body, betasOf(request.headers['anthropic-beta']));
      // Thinking is asked of models that can think; others answer without it, as Anthropic's models without extended thinking do.
      if (thinkingBudget !== undefined) {
        const model = ctx.catalog.find(chat.model);
        if (model && servesThinking(model)) chat.reasoning_effort = effortFor(thinkingBudget);
        else chat[READ_WARNINGS] = [{ code: 'dropped_parameter', message: 'no deployment of this model reasons on request; thinking was ignored' }];
      }
      await serveChat({ ctx, reply, body: chat, key, endpoint: ENDPOINT });
    };
    // Anthropic's own count when the model's first deployment is Anthropic's; else (or when that fails) the project's estimate of the prompt, what a usage row records when an upstream reports none.
    // Admitted like any request (the key's requests per minute and per day, its concurrency, a paid model's access, a balance
    // left for a key with credits), but free, as Anthropic's is: no tokens counted against its limits, no credit taken, no
    // usage row. The estimate's CPU is bounded (usage/count-tokens.ts).
    const countTokens = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const key = await ctx.keys.authenticate(presentedKey(request.headers));
      const body = request.body;
      const withLimit = typeof body === 'object' && body !== null && !Array.isArray(body) && !('max_tokens' in body) ? { ...body, max_tokens: 1 } : body;
      const { chat } = parseMessagesRequest(withLimit, betasOf(request.headers['anthropic-beta']));
      const model = resolveModel({ catalog: ctx.catalog, requested: chat.model, key, kind: 'chat' });
      const ticket = await ctx.admission.admit({
        key,
        model,
        endpoint: 'count_tokens',
        estimateTokens: () => 0,
        worstCase: () => ({ promptTokens: 0, answerTokens: 0, choices: 0, images: 0, characters: 0 }),
      });
      try {
        const exact = await anthropicCount(ctx, { model, chat, id: request.id });
        const inputTokens = exact ?? (await estimateUsage(chat, '')).prompt_tokens;
        reply.header('x-opensq-token-count', exact === undefined ? 'estimate' : 'exact').type('application/json').send(JSON.stringify({ input_tokens: inputTokens }));
      } finally {
        await ticket.settle({ promptTokens: 0, completionTokens: 0, cost: 0 });
      }
    };
    // Anything else under /messages answers in Anthropic's shape too: another method is a 405 naming
    // the one allowed, another path (the batches API among them, which the gateway does not serve) a 404.
    // OPTIONS is left to CORS preflight; HEAD comes with GET.
    const methodNotAllowed = async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      reply.header('allow', 'POST');
      throw new ApiError('method_not_allowed', 'Method Not Allowed: this endpoint takes POST');
    };
    const notFound = async (): Promise<void> => {
      throw new ApiError('not_found', 'Not Found: the gateway serves POST /v1/messages and /v1/messages/count_tokens only');
    };
    for (const base of ['/v1', '/ai/anthropic/v1']) {
      scope.post(`${base}/messages`, handler);
      scope.post(`${base}/messages/count_tokens`, countTokens);
      for (const url of [`${base}/messages`, `${base}/messages/count_tokens`]) scope.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url, handler: methodNotAllowed });
      scope.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${base}/messages/*`, handler: notFound });
    }
  });
}
