import { ApiError } from '../core/errors.js';

/** A time in a query: unix milliseconds or ISO 8601. */
export function parseTime(value: string | undefined, param: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError('invalid_request', `${param} must be unix milliseconds or an ISO 8601 date, got "${value}"`, { param });
  return ms;
}
