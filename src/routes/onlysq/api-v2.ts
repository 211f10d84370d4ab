import type { FastifyInstance } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { ApiError } from '../../core/errors.js';
import { parseChatRequest } from '../../schema/chat-request.js';
import type { AppContext } from '../../server/context.js';
import { serveChat } from '../serve-chat.js';

const ENDPOINT = { name: 'v2', withUser: true };

/**
 * OnlySq's API2.0: `{"model", "request": {"messages", "stream", ...}, "meta"}`, answered as a
 * chat completion plus the key's `user`. Chat parameters may also sit beside `model`, as some
 * clients send them.
 */
export function registerApiV2(app: FastifyInstance, ctx: AppContext): void {
  app.post('/ai/v2', async (request, reply) => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const body = request.body as Record<string, unknown> | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ApiError('invalid_request', 'The request body must be a JSON object.');
    }
    if (body.model === undefined) {
      throw new ApiError('invalid_request', 'you must provide a model parameter', { param: 'model' });
    }
    const inner = body.request;
    if (inner !== undefined && (inner === null || typeof inner !== 'object' || Array.isArray(inner))) {
      throw new ApiError('invalid_request', "Invalid value for 'request': expected an object.", { param: 'request' });
    }
    const { request: _request, meta: _meta, ...outer } = body;
    const chat = parseChatRequest({ ...outer, ...(inner as Record<string, unknown> | undefined), model: body.model }, inner ? 'request.' : '');
    await serveChat({ ctx, reply, body: chat, key, endpoint: ENDPOINT });
  });
}
