import type { FastifyReply } from 'fastify';
import type { ApiKey } from '../auth/key-store.js';
import { asApiError } from '../core/as-api-error.js';
import { ApiError } from '../core/errors.js';
import { requestIdOf } from '../server/request-id.js';
import type { InputImage, SizeRequest } from '../core/images.js';
import { resolveModel } from '../routing/resolve-model.js';
import type { AppContext } from '../server/context.js';
import { failpoint } from '../server/failpoints.js';
import { RequestScope } from './request-scope.js';
import type { GeneratedAnswer } from '../encode/generated-answer.js';

export type { GeneratedAnswer };

export interface ImageJob {
  model: string;
  prompt: string;
  size: SizeRequest;
  n: number;
  inputImages: InputImage[];
  extra: Record<string, unknown>;
}

export interface ImageEndpoint {
  /** The endpoint's name in the usage ledger. */
  name: string;
  idPrefix: string;
  /** The answer's JSON text (storing images for URLs where asked). */
  encode(answer: GeneratedAnswer): Promise<string>;
}

export interface ImageServing {
  reply: FastifyReply;
  key: ApiKey;
  job: ImageJob;
  endpoint: ImageEndpoint;
}

/**
 * Serves one image request for any image endpoint: tries the model's deployments while failures
 * are retryable, encodes the answer, and writes the usage row (priced per image) before replying.
 */
export async function serveImages(ctx: AppContext, { reply, key, job, endpoint }: ImageServing): Promise<void> {
  const model = resolveModel({ catalog: ctx.catalog, requested: job.model, key, kind: 'image' });
  const ticket = await ctx.admission.admit({
    key,
    model,
    endpoint: endpoint.name,
    estimateTokens: () => 0,
    worstCase: () => ({ promptTokens: 0, answerTokens: 0, choices: job.n, images: job.n, characters: 0 }),
  });
  const scope = new RequestScope(ctx, reply, { endpoint: endpoint.name, model, key, ticket, requestId: requestIdOf(reply.request, endpoint.idPrefix) });
  await scope.run(async () => {
    const attempt = await ctx.router.run(model, scope.requestId, scope.signal, (d) => {
      const adapter = ctx.registry.adapter(d.provider.name);
      if (!adapter.generateImage) throw new ApiError('invalid_request', `provider ${d.provider.name} generates no images`, { param: 'model' });
      return adapter.generateImage({ ...job, publicModel: model.id, upstreamModel: d.model, signal: scope.signal, warn: scope.warn, timeouts: { ...d.provider.timeouts, ...model.timeoutOverrides } });
    });
    if (!attempt.ok) return scope.fail(attempt);
    scope.hold(attempt);
    scope.release();
    const { images } = attempt.value;
    const outcome = { deployment: attempt.deployment, attempts: attempt.attempts, units: { images: images.length } };
    let payload: string;
    try {
      failpoint('complete.encode');
      payload = await endpoint.encode({ id: scope.requestId, created: Math.floor(Date.now() / 1000), model, images, elapsedSeconds: (performance.now() - scope.started) / 1000 });
    } catch (e) {
      // The images were made (and billed to the operator) even if they could not be delivered.
      const error = asApiError(e);
      await scope.record({ ...outcome, status: 'error', httpStatus: error.status, error });
      throw error;
    }
    await scope.record({ ...outcome, status: 'ok', httpStatus: 200 });
    scope.setHeaders(attempt.deployment, attempt.attempts);
    reply.type('application/json').send(payload);
  });
}
