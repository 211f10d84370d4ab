import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { AppContext } from './context.js';
import { closesAfterAnswer, drainRequest } from './drain-request.js';
import { fromFastifyError } from './fastify-error.js';
import { logUrl } from './log-url.js';

/** How a route family writes an error: its status and JSON body (OpenAI's shape by default). */
export type ErrorShape = (error: ApiError) => { status: number; body: string };

/** How long a refused body may go on arriving after the answer before its connection is closed. */
const DRAIN_MS = 10_000;

export const OPENAI_ERROR: ErrorShape = (error) => ({ status: error.status, body: JSON.stringify(error.toJSON()) });

/**
 * A Fastify error handler: any thrown error as an ApiError in the route family's shape, at once;
 * a body left unread (too large, in an encoding, too slow) drained after it within bounds, then
 * the connection closed; our own failures logged once.
 */
export function apiErrorHandler(ctx: AppContext, shape: ErrorShape = OPENAI_ERROR) {
  return async (error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const apiError = fromFastifyError(error);
    if (!request.raw.complete) {
      // Fastify marks a body parser's failure `connection: close`, and Node would then reset the
      // connection under a client still writing; the drain closes it when the body goes on too long.
      reply.removeHeader('connection');
      const drained = drainRequest(request.raw, { maxBytes: 4 * ctx.settings.bodyLimit, timeoutMs: Math.min(ctx.settings.bodyTimeoutMs || DRAIN_MS, DRAIN_MS) });
      if (closesAfterAnswer(request.raw)) await drained;
    }
    if (apiError.status >= 500 && !(error instanceof ApiError && error.status !== 500)) {
      ctx.log.error({ err: error, requestId: reply.getHeader('x-request-id'), url: logUrl(request.url) }, 'request failed');
    }
    if (apiError.retryAfter) reply.header('retry-after', apiError.retryAfter);
    const { status, body } = shape(apiError);
    reply.code(status).type('application/json').send(body);
  };
}
