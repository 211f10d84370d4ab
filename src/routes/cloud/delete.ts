import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../server/context.js';
import { fileId } from './file-id.js';

/** The owner key from `Authorization: <owner key>` (a `Bearer ` prefix is accepted too). */
function ownerKey(request: FastifyRequest): string | undefined {
  const value = request.headers.authorization?.trim();
  return value?.replace(/^Bearer\s+/i, '') || undefined;
}

/** `DELETE /cloud/file/<id>` and `GET /cloud/delete/<id>`, with the owner key → `{"ok":true}`. */
export function registerDelete(cloud: FastifyInstance, ctx: AppContext): void {
  const remove = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    await ctx.cloud.remove(fileId(request), ownerKey(request));
    return reply.type('application/json').send('{"ok":true}');
  };
  cloud.delete('/file/:id', remove);
  cloud.get('/delete/:id', remove);
}
