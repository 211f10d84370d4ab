import type { FastifyInstance } from 'fastify';
import { asApiError } from '../../core/as-api-error.js';
import { ApiError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DeploymentTestResult } from '../../schema/admin-wire.js';
import type { AppContext } from '../../server/context.js';
import { deploymentTestSchema } from './admin-schemas.js';
import { parseAdminInput } from './parse-admin-input.js';

/** The longest a "test now" waits for an answer, whatever the deployment's own timeouts. */
const TEST_LIMIT_MS = 30_000;

/** Model kinds a test can reach cheaply: a chat of one token, or the embedding of one word. */
export const TESTABLE_KINDS = new Set(['chat', 'embedding']);

/**
 * `POST /admin/deployments/test`: sends one chat of one token (or, for an embedding model, the
 * embedding of one word) straight to one deployment (no routing, retries, usage row or effect on
 * its health) → `{"ok","latency_ms","error"}`. Images and speech are not tested: each would be a
 * paid generation.
 */
export function registerAdminDeploymentTest(app: FastifyInstance, ctx: AppContext): void {
  app.post('/deployments/test', async (request): Promise<DeploymentTestResult> => {
    const input = parseAdminInput(deploymentTestSchema, request.body);
    const model = ctx.catalog.get(input.model);
    if (!model) throw new ApiError('not_found', `There is no model ${input.model}.`, { param: 'model' });
    const deployment = model.deployments.find((d) => d.provider.name === input.provider && (input.upstream_model === undefined || d.model === input.upstream_model));
    if (!deployment) throw new ApiError('not_found', `Model ${input.model} has no deployment on ${input.provider}${input.upstream_model ? ` as ${input.upstream_model}` : ''}.`, { param: 'provider' });
    if (!TESTABLE_KINDS.has(model.kind)) throw new ApiError('invalid_request', `Only chat and embedding deployments can be tested; ${model.id} is ${model.kind}.`, { param: 'model' });
    const started = performance.now();
    const signal = AbortSignal.timeout(TEST_LIMIT_MS);
    try {
      const adapter = ctx.registry.adapter(deployment.provider.name);
      const timeouts = { ...deployment.provider.timeouts, ...model.timeoutOverrides };
      if (model.kind === 'embedding') {
        if (!adapter.embed) throw new ApiError('invalid_request', `Provider ${deployment.provider.name} has no embeddings.`, { param: 'provider' });
        await adapter.embed({ body: { model: model.id, input: 'ping' }, publicModel: model.id, upstreamModel: deployment.model, signal, warn: () => undefined, timeouts });
      } else await adapter.chat({
        body: { model: model.id, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
        publicModel: model.id,
        upstreamModel: deployment.model,
        signal,
        id: newId('chatcmpl-'),
        created: Math.floor(Date.now() / 1000),
        warn: () => undefined,
        timeouts,
      });
      return { ok: true, model: model.id, provider: deployment.provider.name, upstream_model: deployment.model, latency_ms: Math.round(performance.now() - started), error: null };
    } catch (e) {
      const error = signal.aborted ? new ApiError('upstream_timeout', `no answer within ${TEST_LIMIT_MS} ms`) : asApiError(e);
      return {
        ok: false,
        model: model.id,
        provider: deployment.provider.name,
        upstream_model: deployment.model,
        latency_ms: Math.round(performance.now() - started),
        error: { code: error.code, status: error.status, message: error.message },
      };
    }
  });
}
