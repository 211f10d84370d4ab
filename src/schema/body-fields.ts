import { ApiError } from '../core/errors.js';

/** `model`: a required, non-empty string. */
export function parseModelField(body: Record<string, unknown>): string {
  if (body.model === undefined || body.model === null) throw new ApiError('invalid_request', 'you must provide a model parameter', { param: 'model' });
  if (typeof body.model !== 'string' || body.model === '') throw new ApiError('invalid_request', "Invalid type for 'model': expected a string.", { param: 'model' });
  return body.model;
}

/** The body of a JSON route: an object, or a 400. */
export function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('invalid_request', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}
