import type { FastifyInstance } from 'fastify';
import type { KeyRecords } from '../../auth/key-records.js';
import type { KeyCreatedView } from '../../schema/admin-wire.js';
import { addCreditsSchema, createKeySchema, updateKeySchema } from './admin-schemas.js';
import { parseAdminInput } from './parse-admin-input.js';

type WithId = { Params: { id: string } };

/** `/admin/keys`: create (the key shown once), list, read, update, revoke, add credits. */
export function registerAdminKeys(app: FastifyInstance, keys: KeyRecords): void {
  app.post('/keys', async (request, reply) => {
    const { view, key } = await keys.create(parseAdminInput(createKeySchema, request.body));
    const created: KeyCreatedView = { ...view, key };
    reply.code(201).send(created);
  });
  app.get<{ Querystring: { user?: string; include_revoked?: string } }>('/keys', async (request) => {
    const user = request.query.user === undefined ? undefined : Number(request.query.user);
    return { object: 'list', data: await keys.list({ user, includeRevoked: request.query.include_revoked === 'true' }) };
  });
  app.get<WithId>('/keys/:id', async (request) => keys.get(request.params.id));
  app.patch<WithId>('/keys/:id', async (request) => keys.update(request.params.id, parseAdminInput(updateKeySchema, request.body)));
  app.delete<WithId>('/keys/:id', async (request) => keys.revoke(request.params.id));
  app.post<WithId>('/keys/:id/credits', async (request) => keys.addCredits(request.params.id, parseAdminInput(addCreditsSchema, request.body).amount));
}
