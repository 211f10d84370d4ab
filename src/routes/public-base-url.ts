import type { FastifyRequest } from 'fastify';

/** Where clients reach this server: OPENSQ_PUBLIC_URL when set, else the request's own scheme and host. */
export function publicBaseUrl(request: FastifyRequest, configured: string | undefined): string {
  return configured ?? `${request.protocol}://${request.host}`;
}
