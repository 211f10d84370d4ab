import type { z } from 'zod';
import { ApiError } from '../../core/errors.js';

/** Validates an admin request body or query; the first problem is a 400 naming its field. */
export function parseAdminInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.path.join('.') || null;
  const message = issue.code === 'unrecognized_keys' ? `Unknown field(s): ${issue.keys.join(', ')}.` : `${param ? `${param}: ` : ''}${issue.message}`;
  throw new ApiError('invalid_request', message, { param: issue.code === 'unrecognized_keys' ? issue.keys[0] : param });
}

/** A time in a query: unix milliseconds or ISO 8601. */
export function parseTime(value: string | undefined, param: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError('invalid_request', `${param} must be unix milliseconds or an ISO 8601 date, got "${value}"`, { param });
  return ms;
}
