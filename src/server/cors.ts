import type { FastifyInstance } from 'fastify';

/** The gateway's own headers, which browsers may read. */
const EXPOSED = 'x-request-id, x-opensq-provider, x-opensq-deployment, x-opensq-attempts, x-opensq-panic, x-opensq-warnings, retry-after';

/**
 * Browser clients (web chats, extensions, the playground on another origin) call the API
 * directly, as they do api.onlysq.ru: every answer allows the configured origins, and preflight
 * requests are answered without authentication. The headers are the reply's, as Fastify sends
 * them: answers written past Fastify (a relayed chat answer, event streams) start from
 * `reply.getHeaders()`, so they carry them too, in their one header object.
 */
export function registerCors(app: FastifyInstance, allowedOrigins: string): void {
  const origins = allowedOrigins === '*' ? undefined : new Set(allowedOrigins.split(',').map((o) => o.trim()));
  app.addHook('onRequest', (request, reply, done) => {
    if (!origins) reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', EXPOSED);
    else {
      const origin = request.headers.origin;
      if (origin && origins.has(origin)) reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSED).header('vary', 'origin');
    }
    done();
  });
  app.options('*', (request, reply) => {
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, PATCH, DELETE, OPTIONS')
      .header('access-control-allow-headers', allowedHeaders(request.headers['access-control-request-headers']))
      .header('access-control-max-age', '86400')
      .send();
  });
}

const DEFAULT_HEADERS = 'authorization, content-type, x-api-key, api-key';
/** An HTTP field name (RFC 9110 token), of a sane length. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

/**
 * The headers a preflight may send: those it asks for, as far as they are header names — never
 * other bytes of the client's echoed into a response header — and at most 32 of them.
 */
function allowedHeaders(requested: string | undefined): string {
  if (!requested) return DEFAULT_HEADERS;
  const names = requested.split(',').map((name) => name.trim()).filter((name) => FIELD_NAME.test(name)).slice(0, 32);
  return names.length > 0 ? names.join(', ') : DEFAULT_HEADERS;
}
