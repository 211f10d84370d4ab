import { ApiError } from '../core/errors.js';
import type { Database } from '../storage/database.js';

export interface UserView {
  object: 'user';
  id: number;
  name: string;
  created_at: string;
}

function userView(row: { id: number; name: string; created_at: number }): UserView {
  return { object: 'user', id: Number(row.id), name: row.name, created_at: new Date(Number(row.created_at)).toISOString() };
}

/** Users own keys; their integer id is the `user` of OnlySq's answers. */
export class UserRecords {
  constructor(private readonly database: Database) {}

  async create(name: string): Promise<UserView> {
    const row = { name, created_at: Date.now() };
    const { id } = await this.database.db.insertInto('users').values(row).returning('id').executeTakeFirstOrThrow();
    return userView({ ...row, id });
  }

  async list(): Promise<UserView[]> {
    return (await this.database.db.selectFrom('users').selectAll().orderBy('id').execute()).map(userView);
  }

  async get(id: number): Promise<UserView> {
    const row = await this.database.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError('not_found', `There is no user ${id}.`, { param: 'id' });
    return userView(row);
  }

  async rename(id: number, name: string): Promise<UserView> {
    const result = await this.database.db.updateTable('users').set({ name }).where('id', '=', id).executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new ApiError('not_found', `There is no user ${id}.`, { param: 'id' });
    return this.get(id);
  }
}
