import type { FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../auth/constant-time-equal.js';
import { presentedKey } from '../../auth/presented-key.js';
import { ApiError } from '../../core/errors.js';

/**
 * Admits a request to the admin API only with `Authorization: Bearer $OPENSQ_ADMIN_KEY`, compared
 * in constant time. Without OPENSQ_ADMIN_KEY the admin API does not exist: 404 admin_disabled.
 * No key is a 401; any other key, user keys included, is a 403.
 */
export function adminGuard(adminKey: string | undefined): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (!adminKey) throw new ApiError('admin_disabled', 'The admin API is disabled on this server: set OPENSQ_ADMIN_KEY to enable it.');
    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      throw new ApiError('missing_api_key', 'The admin API needs the admin key: send "Authorization: Bearer $OPENSQ_ADMIN_KEY".');
    }
    if (!constantTimeEqual(presented, adminKey)) throw new ApiError('admin_forbidden', 'This key may not use the admin API.');
  };
}
