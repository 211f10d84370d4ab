import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { keyView } from '../../auth/key-records.js';
import type { KeySearchPage } from '../../schema/admin-wire.js';
import type { Database } from '../../storage/database.js';
import { keySearchQuerySchema } from './admin-schemas.js';
import { parseAdminInput } from './parse-admin-input.js';

/** `GET /admin/keys/search`: keys matching a text (name, id, prefix) and status, one page at a time. */
export function registerAdminKeySearch(app: FastifyInstance, database: Database): void {
  app.get('/keys/search', async (request): Promise<KeySearchPage> => {
    const q = parseAdminInput(keySearchQuerySchema, request.query);
    const now = Date.now();
    let query = database.db.selectFrom('api_keys');
    if (q.q) {
      const like = `%${q.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or(['name', 'id', 'prefix'].map((column) => sql<boolean>`lower(${sql.ref(column)}) like ${like} escape '\\'`)));
    }
    if (q.status === 'revoked') query = query.where('revoked_at', 'is not', null);
    if (q.status === 'active') query = query.where('revoked_at', 'is', null).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    if (q.status === 'expired') query = query.where('revoked_at', 'is', null).where('expires_at', '<=', now);
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { object: 'list', data: rows.map((row) => keyView(row, now)), total: Number(count.n), limit, offset };
  });
}
