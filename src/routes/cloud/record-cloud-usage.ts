import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_KEY_ID } from '../../auth/key-store.js';
import { newId } from '../../core/ids.js';
import type { AppContext } from '../../server/context.js';

const ENDPOINTS: Record<string, string> = { POST: 'cloud.upload', GET: 'cloud.download', HEAD: 'cloud.download', DELETE: 'cloud.delete' };
const started = Symbol('cloud usage start');
const errorCodes = new WeakMap<FastifyRequest, string>();

/** Keeps the error a Cloud request failed with, for its usage row. */
export function noteCloudError(request: FastifyRequest, code: string): void {
  errorCodes.set(request, code);
}

/** The ledger's endpoint for a Cloud request: upload, download or delete (`GET /cloud/delete/<id>` deletes). */
function endpointOf(request: FastifyRequest): string {
  if (request.url.startsWith('/cloud/delete/')) return 'cloud.delete';
  return ENDPOINTS[request.method] ?? 'cloud';
}

/**
 * One usage row per Cloud request, like every other request: the store is anonymous, so rows go to
 * the public key (user 0), model `cloud`, deployment the backend (`local` or `s3`), no tokens or cost.
 * Written as the response starts (a download's bytes follow it), so its latency is the time to the
 * response's start; each answer carries its `x-request-id`.
 */
export function recordCloudUsage(cloud: FastifyInstance, ctx: AppContext): void {
  cloud.addHook('onRequest', async (request: FastifyRequest & { [started]?: number }, reply) => {
    request[started] = performance.now();
    reply.header('x-request-id', newId('cloud-'));
  });
  cloud.addHook('onSend', async (request: FastifyRequest & { [started]?: number }, reply: FastifyReply) => {
    const status = reply.statusCode;
    const endpoint = endpointOf(request);
    const latencyMs = Math.round(performance.now() - (request[started] ?? performance.now()));
    try {
      await ctx.ledger.record({
        ts: Date.now(),
        request_id: String(reply.getHeader('x-request-id')),
        key_id: PUBLIC_KEY_ID,
        user_id: 0,
        endpoint,
        model: 'cloud',
        provider: null,
        deployment: ctx.cloud.backend.kind,
        prompt_tokens: 0,
        completion_tokens: 0,
        cached_tokens: 0,
        cost: 0,
        latency_ms: latencyMs,
        ttft_ms: null,
        status: status < 400 ? 'ok' : 'error',
        http_status: status,
        error_code: status < 400 ? null : (errorCodes.get(request) ?? (status === 404 ? 'not_found' : 'invalid_request')),
        stream: 0,
        attempts: null,
      });
    } catch (error) {
      ctx.log.error({ err: error, url: request.url }, 'could not write the usage row');
    }
  });
}

