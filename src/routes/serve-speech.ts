import type { FastifyReply } from 'fastify';
import type { ApiKey } from '../auth/key-store.js';
import { ApiError } from '../core/errors.js';
import { requestIdOf } from '../server/request-id.js';
import { resolveModel } from '../routing/resolve-model.js';
import type { SpeechRequest } from '../schema/speech-request.js';
import type { AppContext } from '../server/context.js';
import { RequestScope } from './request-scope.js';

export interface SpeechServing {
  reply: FastifyReply;
  key: ApiKey;
  body: SpeechRequest;
  /** The endpoint's name in the usage ledger. */
  endpoint: string;
}

/**
 * Serves one text-to-speech request for any speech endpoint: the audio bytes with their content
 * type, and a usage row priced per thousand characters.
 */
export async function serveSpeech(ctx: AppContext, { reply, key, body, endpoint }: SpeechServing): Promise<void> {
  const model = resolveModel({ catalog: ctx.catalog, requested: body.model, key, kind: 'speech' });
  const ticket = await ctx.admission.admit({
    key,
    model,
    endpoint,
    estimateTokens: () => Math.ceil(body.text.length / 4),
    worstCase: () => ({ promptTokens: 0, answerTokens: 0, choices: 1, images: 0, characters: body.text.length }),
  });
  const scope = new RequestScope(ctx, reply, { endpoint, model, key, ticket, requestId: requestIdOf(reply.request, 'speech-') });
  await scope.run(async () => {
    const attempt = await ctx.router.run(model, scope.requestId, scope.signal, (d) => {
      const adapter = ctx.registry.adapter(d.provider.name);
      if (!adapter.speak) throw new ApiError('invalid_request', `provider ${d.provider.name} has no text to speech`, { param: 'model' });
      return adapter.speak({ ...body, publicModel: model.id, upstreamModel: d.model, signal: scope.signal, warn: scope.warn, timeouts: { ...d.provider.timeouts, ...model.timeoutOverrides } });
    });
    if (!attempt.ok) return scope.fail(attempt);
    scope.hold(attempt);
    scope.release();
    await scope.record({ deployment: attempt.deployment, attempts: attempt.attempts, status: 'ok', httpStatus: 200, units: { characters: body.text.length } });
    scope.setHeaders(attempt.deployment, attempt.attempts);
    reply.type(attempt.value.contentType).send(attempt.value.audio);
  });
}
