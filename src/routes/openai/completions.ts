import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { markLegacyCompletion } from '../../core/legacy-completion.js';
import { CHAT_TOOLS, readChatTools } from '../../core/tools.js';
import { SSE_DONE, sseBatch, sseError } from '../../encode/sse.js';
import { textCompletion, textCompletionChunk } from '../../encode/text-completion.js';
import type { Model } from '../../routing/catalog.js';
import { resolveModel } from '../../routing/resolve-model.js';
import { type CompletionRequest, parseCompletionRequest } from '../../schema/completion-request.js';
import type { AppContext } from '../../server/context.js';
import { type AnswerEncoder, type ChatEndpoint, serveChat } from '../serve-chat.js';

/** Provider types that answer legacy completions: the OpenAI-compatible family relays them, the local model serves them. */
const RELAYED = new Set(['openai', 'openai-compatible']);
const LOCAL = 'local';
/** What the local model cannot honour; OpenAI-compatible upstreams get it as sent. */
const RELAY_ONLY = ['suffix', 'echo', 'logprobs', 'best_of', 'logit_bias'] as const;

const TEXT_COMPLETION: AnswerEncoder = {
  completion: (completion) => JSON.stringify(textCompletion(completion)),
  stream: () => ({
    batch(chunks) {
      const out: string[] = [];
      for (const chunk of chunks) {
        const text = textCompletionChunk(chunk);
        if (text !== undefined) out.push(text);
      }
      return out.length > 0 ? sseBatch(out) : '';
    },
    end: () => SSE_DONE,
    fail: sseError,
  }),
};

const ENDPOINT: ChatEndpoint = { name: 'completions', withUser: false, idPrefix: 'cmpl-', encoder: TEXT_COMPLETION };

/** Refuses a model that has a deployment no legacy completion can reach, and what the local model cannot honour. */
function checkDeployments(model: Model, request: CompletionRequest): void {
  for (const deployment of model.deployments) {
    const type = deployment.provider.type;
    if (type === LOCAL) {
      const param = RELAY_ONLY.find((field) => request[field] != null && request[field] !== false) ?? ((request.n ?? 1) > 1 ? 'n' : undefined);
      if (param) throw new ApiError('unsupported_parameter', `'${param}' is not supported by the local model ${JSON.stringify(model.id)} on legacy completions.`, { param });
    } else if (!RELAYED.has(type)) {
      throw new ApiError(
        'unsupported_parameter',
        `The model ${JSON.stringify(model.id)} is served by provider ${deployment.provider.name} (${type}), which has no legacy completions; /v1/completions serves OpenAI-compatible and local models. Use /v1/chat/completions or /v1/responses.`,
        { param: 'model' },
      );
    }
  }
}

/** `POST /v1/completions` and `/ai/openai/completions`: OpenAI's legacy completions, prompt in, text out. */
export function registerCompletions(app: FastifyInstance, ctx: AppContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const legacy = parseCompletionRequest(request.body);
    checkDeployments(resolveModel({ catalog: ctx.catalog, requested: legacy.model, key, kind: 'chat' }), legacy);
    // The chat request routing, limits and the local model read; relayed deployments send `legacy` itself.
    const chat: ChatRequest = { model: legacy.model, messages: [{ role: 'user', content: legacy.prompt }], max_tokens: legacy.max_tokens ?? 16 };
    if (legacy.stream) {
      chat.stream = true;
      chat.stream_options = { include_usage: legacy.stream_options?.include_usage === true };
    }
    for (const field of ['temperature', 'top_p', 'stop', 'seed', 'n', 'user'] as const) if (legacy[field] != null) (chat as Record<string, unknown>)[field] = legacy[field];
    chat[CHAT_TOOLS] = readChatTools(undefined, undefined);
    markLegacyCompletion(chat, legacy);
    await serveChat({ ctx, reply, body: chat, key, endpoint: ENDPOINT });
  };
  app.post('/ai/openai/completions', handler);
  app.post('/v1/completions', handler);
}
