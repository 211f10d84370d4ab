import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { makeRequestId, PLAIN_PREFIX, requestIdOf } from './request-id.js';

/** Cloud routes answer in OnlySq Cloud's failure shape, every other route in OpenAI's. */
function body(url: string, error: ApiError): string {
  return url.startsWith('/cloud/') ? JSON.stringify({ ok: false, error: error.message }) : JSON.stringify(error.toJSON());
}

/**
 * Errors of Fastify's router, before any route runs — a malformed percent-escape, a path parameter
 * longer than any id — in the route's own shape rather than Fastify's.
 */
export function answerRouterError(error: { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const answer =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new ApiError('not_found', 'No such resource: a part of the URL is longer than any id.')
      : new ApiError('invalid_request', 'The URL is not valid: it has a malformed percent-escape.');
  reply.code(answer.status).header('x-request-id', requestIdOf(request, PLAIN_PREFIX)).type('application/json').send(body(request.url, answer));
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Errors of Node's HTTP parser, before there is a request (a head over 16 KB, bytes that are not
 * HTTP): an answer in OpenAI's shape where the socket can still take one, then the socket closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  if (socket.writable && status !== 408) {
    const answer =
      status === 431
        ? new ApiError('request_too_large', 'The request head (its URL and headers) is larger than 16 KB.', { status })
        : new ApiError('invalid_request', 'The request is not valid HTTP.');
    const payload = JSON.stringify(answer.toJSON());
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nX-Request-Id: ${PLAIN_PREFIX}${makeRequestId()}\r\nConnection: close\r\n\r\n${payload}`);
  }
  socket.destroySoon?.();
}
