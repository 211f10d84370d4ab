import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';
import { isCloudId } from '../../storage/cloud/cloud-store.js';

/** The `:id` of a Cloud URL, refused unless it has the shape of an id (so no path can be smuggled in). */
export function fileId(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  if (!isCloudId(id)) throw new ApiError('invalid_request', 'Invalid file id: expected the 32 hexadecimal characters at the end of the file URL.', { param: 'id' });
  return id;
}
