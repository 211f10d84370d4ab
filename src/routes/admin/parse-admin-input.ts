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

export { parseTime } from '../../time/parse-time.js';
