import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asApiError } from '../../core/as-api-error.js';
import { ApiError } from '../../core/errors.js';
import { drainRequest } from '../../server/drain-request.js';
import type { AppContext } from '../../server/context.js';
import { isCloudId } from '../../storage/cloud/cloud-store.js';
import { publicBaseUrl } from '../public-base-url.js';
import { cleanContentType, cleanFileName, contentDisposition } from './file-names.js';
import { parseRange } from './parse-range.js';
import { receiveMultipartFile } from './receive-multipart-file.js';
import { UploadRateLimiter } from './upload-rate-limiter.js';

/** Room for the multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

function fileId(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  if (!isCloudId(id)) throw new ApiError('invalid_request', 'Invalid file id: expected the 32 hexadecimal characters at the end of the file URL.', { param: 'id' });
  return id;
}

/** The owner key from `Authorization: <owner key>` (a `Bearer ` prefix is accepted too). */
function ownerKey(request: FastifyRequest): string | undefined {
  const value = request.headers.authorization?.trim();
  return value?.replace(/^Bearer\s+/i, '') || undefined;
}

/**
 * OnlySq Cloud, an anonymous file store: `POST /cloud/upload` (multipart field `file`),
 * `GET /cloud/file/<id>` (with Range), `DELETE /cloud/file/<id>` and `GET /cloud/delete/<id>`
 * (header `Authorization: <owner key>`). Answers are `{"ok": true, ...}` or `{"ok": false, "error"}`.
 * Bodies are never parsed here: uploads stream from the socket to storage.
 */
export function registerCloud(app: FastifyInstance, ctx: AppContext): void {
  const limiter = new UploadRateLimiter(ctx.cloud.settings.uploadsPerMinute);
  const maxBytes = ctx.cloud.settings.maxBytes;

  app.register(
    async (cloud) => {
      cloud.removeAllContentTypeParsers();
      cloud.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

      cloud.setErrorHandler(async (error, request, reply) => {
        const apiError = error instanceof ApiError ? error : asApiError(error);
        if (apiError.status >= 500) ctx.log.error({ err: error, url: request.url }, 'cloud request failed');
        if (apiError.code === 'request_too_large') {
          request.raw.unpipe();
          await drainRequest(request.raw, 8 * 1024 * 1024, 5_000);
          reply.header('connection', 'close');
        }
        if (apiError.retryAfter) reply.header('retry-after', apiError.retryAfter);
        const status = apiError.status === 499 ? 400 : apiError.status;
        reply.code(status).type('application/json').send(JSON.stringify({ ok: false, error: apiError.message }));
      });
      cloud.setNotFoundHandler((request, reply) => {
        reply.code(404).type('application/json').send(JSON.stringify({ ok: false, error: `Invalid URL (${request.method} ${request.url})` }));
      });

      cloud.post('/upload', async (request, reply) => {
        limiter.take(request.ip);
        if (!String(request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
          throw new ApiError('unsupported_media_type', 'Upload the file as multipart/form-data in a field named "file".');
        }
        const declared = Number(request.headers['content-length']);
        if (declared > maxBytes + MULTIPART_OVERHEAD) throw new ApiError('request_too_large', `The file is larger than the limit of ${maxBytes} bytes.`);
        const stored = await receiveMultipartFile(request.raw, (file, info) =>
          ctx.cloud.put(file, { name: cleanFileName(info.filename), contentType: cleanContentType(info.mimeType) }),
        );
        const url = `${publicBaseUrl(request, ctx.cloud.settings.publicUrl)}/cloud/file/${stored.id}`;
        reply.type('application/json').send(JSON.stringify({ ok: true, owner: stored.owner, url }));
      });

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

      const remove = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
        await ctx.cloud.remove(fileId(request), ownerKey(request));
        reply.type('application/json').send('{"ok":true}');
      };
      cloud.delete('/file/:id', remove);
      cloud.get('/delete/:id', remove);
    },
    { prefix: '/cloud' },
  );
}
