import type { FastifyInstance } from 'fastify';

/**
 * Browser clients (web chats, extensions, the playground on another origin) call the API
 * directly, as they do api.onlysq.ru: every answer allows the configured origins, and preflight
 * requests are answered without authentication. The header is set on the raw response so streamed
 * answers, which are written past Fastify, carry it too.
 */
export function registerCors(app: FastifyInstance, allowedOrigins: string): void {
  const origins = allowedOrigins === '*' ? undefined : new Set(allowedOrigins.split(',').map((o) => o.trim()));
  const allow = (origin: string | undefined): string | undefined => {
    if (!origins) return '*';
    return origin && origins.has(origin) ? origin : undefined;
  };
  app.addHook('onRequest', (request, reply, done) => {
    const value = allow(request.headers.origin);
    if (value) {
      reply.raw.setHeader('access-control-allow-origin', value);
      reply.raw.setHeader('access-control-expose-headers', 'x-request-id, x-opensq-provider, x-opensq-deployment, x-opensq-attempts, x-opensq-warnings, retry-after');
      if (origins) reply.raw.setHeader('vary', 'origin');
    }
    done();
  });
  app.options('*', (request, reply) => {
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, PATCH, DELETE, OPTIONS')
      .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'authorization, content-type, x-api-key, api-key')
      .header('access-control-max-age', '86400')
      .send();
  });
}
