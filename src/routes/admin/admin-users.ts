import type { FastifyInstance } from 'fastify';
import type { KeyRecords } from '../../auth/key-records.js';
import type { UserRecords } from '../../auth/user-records.js';
import { ApiError } from '../../core/errors.js';
import { userInputSchema } from './admin-schemas.js';
import { parseAdminInput } from './parse-admin-input.js';

type WithId = { Params: { id: string } };

function userId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 0) throw new ApiError('not_found', `There is no user ${raw}.`, { param: 'id' });
  return id;
}

/** `/admin/users`: users own keys; a user's page lists its keys. */
export function registerAdminUsers(app: FastifyInstance, users: UserRecords, keys: KeyRecords): void {
  app.post('/users', async (request, reply) => {
    reply.code(201).send(await users.create(parseAdminInput(userInputSchema, request.body).name));
  });
  app.get('/users', async () => ({ object: 'list', data: await users.list() }));
  app.get<WithId>('/users/:id', async (request) => {
    const id = userId(request.params.id);
    return { ...(await users.get(id)), keys: await keys.list({ user: id, includeRevoked: true }) };
  });
  app.patch<WithId>('/users/:id', async (request) => users.rename(userId(request.params.id), parseAdminInput(userInputSchema, request.body).name));
}
