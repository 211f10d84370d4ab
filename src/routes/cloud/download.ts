import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { AppContext } from '../../server/context.js';
import { fileId } from './file-id.js';
import { contentDisposition } from './file-names.js';
import { parseRange } from './parse-range.js';

/** `GET /cloud/file/<id>`: the file's bytes streamed from storage, a `Range` honoured. */
export function registerDownload(cloud: FastifyInstance, ctx: AppContext): void {
  cloud.get('/file/:id', async (request, reply) => {
    const file = await ctx.cloud.find(fileId(request));
    if (!file) throw new ApiError('not_found', 'No such file.');
    const size = Number(file.size);
    const range = parseRange(request.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      reply.header('content-range', `bytes */${size}`);
      throw new ApiError('range_not_satisfiable', `The range is outside the file (${size} bytes).`);
    }
    reply.headers({
      'accept-ranges': 'bytes',
      'content-type': file.content_type,
      'content-disposition': contentDisposition(file.name, (request.query as { mode?: unknown }).mode),
      etag: `"${file.id}"`,
      'last-modified': new Date(Number(file.created_at)).toUTCString(),
      // Files are whatever anyone uploaded: never let a browser run them as this origin's pages.
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    if (range.kind === 'partial') {
      reply.code(206).headers({ 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': String(range.end - range.start + 1) });
      return reply.send(await ctx.cloud.open(file, range));
    }
    reply.header('content-length', String(size));
    return reply.send(size === 0 ? '' : await ctx.cloud.open(file));
  });
}
