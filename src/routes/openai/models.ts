import type { FastifyInstance } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { ApiError } from '../../core/errors.js';
import { anthropicModel, anthropicModelList } from '../../encode/anthropic-models.js';
import { openAIModel, openAIModelList } from '../../encode/catalog-json.js';
import type { AppContext } from '../../server/context.js';

/**
 * `GET /models` and `GET /models/{id}` in OpenAI's shape, under `/ai/openai` and `/v1`; in
 * Anthropic's shape when the request carries `anthropic-version`, as Anthropic's SDKs send.
 */
export function registerOpenAIModels(app: FastifyInstance, ctx: AppContext): void {
  const list = JSON.stringify(openAIModelList(ctx.catalog.list()));
  const listedAt = new Date().toISOString();
  const anthropicList = JSON.stringify(anthropicModelList(ctx.catalog.list(), listedAt));
  for (const base of ['/ai/openai', '/v1']) {
    app.get(`${base}/models`, async (request, reply) => {
      await ctx.keys.authenticate(presentedKey(request.headers));
      reply.type('application/json').send(request.headers['anthropic-version'] === undefined ? list : anthropicList);
    });
    app.get<{ Params: { '*': string } }>(`${base}/models/*`, async (request, reply) => {
      await ctx.keys.authenticate(presentedKey(request.headers));
      const id = request.params['*'];
      const model = ctx.catalog.get(id);
      if (!model) throw new ApiError('model_not_found', `The model '${id}' does not exist`, { param: 'model' });
      reply.type('application/json').send(JSON.stringify(request.headers['anthropic-version'] === undefined ? openAIModel(model) : anthropicModel(model, listedAt)));
    });
  }
}
