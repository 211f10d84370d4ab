import { sessionKey, signOut } from './session.js';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** One JSON call with the session's key; an OpenAI-shaped error becomes an ApiFailure. */
export async function api<T>(method: string, path: string, options: { query?: Query; body?: unknown; key?: string } = {}): Promise<T> {
  const key = options.key ?? sessionKey.value;
  const res = await fetch(withQuery(path, options.query), {
    method,
    headers: { authorization: `Bearer ${key}`, ...(options.body !== undefined && { 'content-type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const error = (json as { error?: { message?: string; code?: string } } | undefined)?.error;
    if (res.status === 401 && options.key === undefined && path.startsWith('/admin')) signOut();
    throw new ApiFailure(res.status, error?.message ?? `HTTP ${res.status}`, error?.code ?? null);
  }
  return json as T;
}

export const adminGet = <T>(path: string, query?: Query): Promise<T> => api<T>('GET', `/admin${path}`, { query });
