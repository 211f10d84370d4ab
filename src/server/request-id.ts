import type { FastifyRequest } from 'fastify';
import { newId } from '../core/ids.js';

/** The id of an answer that writes no usage row (a refusal, an admin call): `req-` and the request's own id. */
export const PLAIN_PREFIX = 'req-';

/**
 * The random part of a request's id, made once as the request arrives (Fastify's `genReqId`),
 * never taken from the client. Every answer carries it as `x-request-id`; a route that writes a
 * usage row names it with its own prefix (`chatcmpl-`, `cloud-`), so header, row and log agree.
 */
export function makeRequestId(): string {
  return newId('');
}

/** This request's id under a prefix; the same random part whoever asks. */
export function requestIdOf(request: FastifyRequest, prefix: string): string {
  return prefix + request.id;
}
