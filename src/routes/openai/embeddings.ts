import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { embeddingTexts } from '../../core/embeddings.js';
import { ApiError } from '../../core/errors.js';
import { requestIdOf } from '../../server/request-id.js';
import { embeddingResponse } from '../../encode/embedding-json.js';
import { resolveModel } from '../../routing/resolve-model.js';
import { parseEmbeddingRequest } from '../../schema/embedding-request.js';
import type { AppContext } from '../../server/context.js';
import { countTextTokens, tokensAtMost } from '../../usage/count-tokens.js';
import { RequestScope } from '../request-scope.js';

/** `POST /ai/openai/embeddings` and `POST /v1/embeddings`. */
export function registerEmbeddings(app: FastifyInstance, ctx: AppContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const body = parseEmbeddingRequest(request.body);
    const model = resolveModel({ catalog: ctx.catalog, requested: body.model, key, kind: 'embedding' });
    const inputText = (): string => embeddingTexts(body.input)?.join('\n') ?? JSON.stringify(body.input);
    const ticket = await ctx.admission.admit({
      key,
      model,
      endpoint: 'embeddings',
      estimateTokens: () => Math.ceil(JSON.stringify(body.input).length / 4),
      worstCase: () => ({ promptTokens: tokensAtMost(inputText()), answerTokens: 0, choices: 1, images: 0, characters: 0 }),
    });
    const scope = new RequestScope(ctx, reply, { endpoint: 'embeddings', model, key, ticket, requestId: requestIdOf(request, 'emb-'), promptTokens: () => countTextTokens(inputText()) });
    await scope.run(async () => {
      const routed = await ctx.router.run(model, scope.requestId, scope.signal, (d) => {
        const adapter = ctx.registry.adapter(d.provider.name);
        if (!adapter.embed) throw new ApiError('invalid_request', `provider ${d.provider.name} has no embeddings`, { param: 'model' });
        return adapter.embed({ body, publicModel: model.id, upstreamModel: d.model, signal: scope.signal, warn: scope.warn, timeouts: { ...d.provider.timeouts, ...model.timeoutOverrides } });
      });
      if (!routed.ok) return scope.fail(routed);
      scope.hold(routed);
      scope.release();
      const result = routed.value;
      const texts = embeddingTexts(body.input);
      if (result.usage.prompt_tokens === 0 && texts) {
        const counted = await countTextTokens(texts.join('\n'));
        result.usage = { prompt_tokens: counted, total_tokens: counted };
      }
      const payload = JSON.stringify(embeddingResponse(result, model.id, body.encoding_format ?? 'float'));
      await scope.record({ deployment: routed.deployment, attempts: routed.attempts, promptTokens: result.usage.prompt_tokens, status: 'ok', httpStatus: 200 });
      scope.setHeaders(routed.deployment, routed.attempts);
      reply.type('application/json').send(payload);
    });
  };
  app.post('/ai/openai/embeddings', handler);
  app.post('/v1/embeddings', handler);
}
