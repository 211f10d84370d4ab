import { http, type HttpResult } from './http.js';

export const ADMIN_KEY = 'admin-test-key-0123456789';

/** Calls the admin API of a server started with OPENSQ_ADMIN_KEY=ADMIN_KEY. */
export function admin(baseUrl: string, method: string, path: string, json?: unknown): Promise<HttpResult> {
  return http(`${baseUrl}/admin${path}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}` }, ...(json !== undefined && { json }) });
}

/** Creates a key through the admin API; returns its id and secret. */
export async function createKey(baseUrl: string, fields: Record<string, unknown>): Promise<{ id: string; key: string; user: number }> {
  const res = await admin(baseUrl, 'POST', '/keys', { name: 'test key', ...fields });
  if (res.status !== 201) throw new Error(`could not create a key: ${res.status} ${res.text}`);
  return { id: res.json.id, key: res.json.key, user: res.json.user };
}
