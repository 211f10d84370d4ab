import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { parseChatRequest } from '../../schema/chat-request.js';
import type { AppContext } from '../../server/context.js';
import { serveChat } from '../serve-chat.js';

const ENDPOINT = { name: 'chat.completions', withUser: false };

/** `POST /ai/openai/chat/completions` and its alias `POST /v1/chat/completions`. */
export function registerChatCompletions(app: FastifyInstance, ctx: AppContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const body = parseChatRequest(request.body);
    await serveChat({ ctx, reply, body, key, endpoint: ENDPOINT });
  };
  app.post('/ai/openai/chat/completions', handler);
  app.post('/v1/chat/completions', handler);
}
