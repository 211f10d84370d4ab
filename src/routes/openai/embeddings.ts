import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { embeddingTexts } from '../../core/embeddings.js';
import { ApiError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { embeddingResponse } from '../../encode/embedding-json.js';
import { resolveModel } from '../../routing/resolve-model.js';
import { parseEmbeddingRequest } from '../../schema/embedding-request.js';
import type { AppContext } from '../../server/context.js';
import { countTextTokens } from '../../usage/count-tokens.js';
import { recordUsage } from '../../usage/record-usage.js';
import { RequestScope } from '../request-scope.js';

/** `POST /ai/openai/embeddings` and `POST /v1/embeddings`. */
export function registerEmbeddings(app: FastifyInstance, ctx: AppContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const body = parseEmbeddingRequest(request.body);
    const model = resolveModel(ctx.catalog, body.model, key, 'embedding');
    const ticket = await ctx.admission.admit({ key, model, endpoint: 'embeddings', estimateTokens: () => Math.ceil(JSON.stringify(body.input).length / 4) });
    const scope = new RequestScope(ctx, reply, model.timeouts.totalMs, newId('emb-'));
    const facts = { requestId: scope.requestId, endpoint: 'embeddings', model, key, started: scope.started, ticket, requestBody: request.bodyText };
    try {
      const routed = await ctx.router.run(model, scope.requestId, scope.signal, (d) => {
        const adapter = ctx.registry.adapter(d.provider.name);
        if (!adapter.embed) throw new ApiError('invalid_request', `provider ${d.provider.name} has no embeddings`, { param: 'model' });
        return adapter.embed({ body, publicModel: model.id, upstreamModel: d.model, signal: scope.signal, warn: scope.warn, timeouts: { ...d.provider.timeouts, ...model.timeoutOverrides } });
      });
      if (!routed.ok) {
        const error = scope.timeout ?? routed.error;
        await recordUsage(ctx, { ...facts, deployment: routed.deployment, attempts: routed.attempts, promptTokens: 0, completionTokens: 0, status: scope.clientGone ? 'cancelled' : 'error', httpStatus: error.status, error });
        throw error;
      }
      routed.done();
      const result = routed.value;
      const texts = embeddingTexts(body.input);
      if (result.usage.prompt_tokens === 0 && texts) {
        const counted = await countTextTokens(texts.join('\n'));
        result.usage = { prompt_tokens: counted, total_tokens: counted };
      }
      const payload = JSON.stringify(embeddingResponse(result, model.id, body.encoding_format ?? 'float'));
      await recordUsage(ctx, { ...facts, deployment: routed.deployment, attempts: routed.attempts, promptTokens: result.usage.prompt_tokens, completionTokens: 0, status: 'ok', httpStatus: 200 });
      scope.setHeaders(reply, routed.deployment, routed.attempts);
      reply.type('application/json').send(payload);
    } finally {
      scope.end();
    }
  };
  app.post('/ai/openai/embeddings', handler);
  app.post('/v1/embeddings', handler);
}
