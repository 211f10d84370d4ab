import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiKey, PUBLIC_KEY_ID } from '../../auth/key-store.js';
import { requestIdOf } from '../../server/request-id.js';
import type { AppContext } from '../../server/context.js';
import { logUrl } from '../../server/log-url.js';

const ENDPOINTS: Record<string, string> = { POST: 'cloud.upload', GET: 'cloud.download', HEAD: 'cloud.download', DELETE: 'cloud.delete' };
const started = Symbol('cloud usage start');
const errorCodes = new WeakMap<FastifyRequest, string>();
const keys = new WeakMap<FastifyRequest, ApiKey>();

/** Keeps the error a Cloud request failed with, for its usage row. */
export function noteCloudError(request: FastifyRequest, code: string): void {
  errorCodes.set(request, code);
}

/** Keeps the API key an upload authenticated with, whose usage row it is. */
export function noteCloudKey(request: FastifyRequest, key: ApiKey): void {
  keys.set(request, key);
}

/** The ledger's endpoint for a Cloud request: upload, download or delete (`GET /cloud/delete/<id>` deletes). */
function endpointOf(request: FastifyRequest): string {
  if (request.url.startsWith('/cloud/delete/')) return 'cloud.delete';
  return ENDPOINTS[request.method] ?? 'cloud';
}

/**
 * One usage row per Cloud request that did something: model `cloud`, deployment the backend
 * (`local` or `s3`), no tokens or cost, under the API key an upload presented, else the public key
 * (user 0). A client error of a request without its own key (an unknown id, a wrong owner key, a
 * rate-limited or malformed upload) leaves none, so no one can grow the database with requests that
 * are refused at once; server errors (5xx) are kept. Written as the response starts (a download's
 * bytes follow it), so its latency is the time to the response's start; the answer carries the
 * row's id as `x-request-id` (`cloud-` and the request's own id; a refusal without a row keeps its `req-` id).
 */
export function recordCloudUsage(cloud: FastifyInstance, ctx: AppContext): void {
  cloud.addHook('onRequest', async (request: FastifyRequest & { [started]?: number }) => {
    request[started] = performance.now();
  });
  cloud.addHook('onSend', async (request: FastifyRequest & { [started]?: number }, reply: FastifyReply) => {
    const status = reply.statusCode;
    const key = keys.get(request);
    if (status >= 400 && status < 500 && (key === undefined || key.anonymous)) return;
    const requestId = requestIdOf(request, 'cloud-');
    reply.header('x-request-id', requestId);
    const latencyMs = Math.round(performance.now() - (request[started] ?? performance.now()));
    try {
      await ctx.ledger.record({
        ts: Date.now(),
        request_id: requestId,
        key_id: key?.id ?? PUBLIC_KEY_ID,
        user_id: key?.userId ?? 0,
        endpoint: endpointOf(request),
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
      ctx.log.error({ err: error, url: logUrl(request.url) }, 'could not write the usage row');
    }
  });
}
