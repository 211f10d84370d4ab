import type { FastifyInstance } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { ApiError } from '../../core/errors.js';
import type { AppContext } from '../../server/context.js';
import { refuseContentEncoding } from '../../server/refuse-body-encoding.js';
import { publicBaseUrl } from '../public-base-url.js';
import { cleanContentType, cleanFileName } from './file-names.js';
import { receiveMultipartFile } from './receive-multipart-file.js';
import { noteCloudKey } from './record-cloud-usage.js';
import { uploadLimitStore } from './upload-limit-store.js';
import { UploadRateLimiter } from './upload-rate-limiter.js';

/** Room for the multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * `POST /cloud/upload`: the multipart field `file`, streamed to storage → `{"ok":true,"owner","url"}`.
 * Key-less, as on OnlySq, unless the operator switched anonymous access off; a key presented is
 * checked as on every other route, and the upload counts under it.
 */
export function registerUpload(cloud: FastifyInstance, ctx: AppContext): void {
  const limiter = new UploadRateLimiter(uploadLimitStore(ctx.redis, ctx.settings.redisPrefix), ctx.cloud.settings.uploadsPerMinute);
  const maxBytes = ctx.cloud.settings.maxBytes;
  cloud.post('/upload', async (request, reply) => {
    noteCloudKey(request, await ctx.keys.authenticate(presentedKey(request.headers)));
    await limiter.take(request.ip);
    if (!String(request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
      throw new ApiError('unsupported_media_type', 'Upload the file as multipart/form-data in a field named "file".');
    }
    const declared = Number(request.headers['content-length']);
    if (declared > maxBytes + MULTIPART_OVERHEAD) throw new ApiError('request_too_large', `The file is larger than the limit of ${maxBytes} bytes.`);
    const encoded = refuseContentEncoding(request.headers);
    if (encoded) throw encoded;
    // The declared body (the file and its multipart frame) is held against the total quota at once.
    const room = await ctx.cloud.quota.reserve(Number.isFinite(declared) ? declared : 0);
    let stored;
    try {
      stored = await receiveMultipartFile(request.raw, {
        store: (file, info) => ctx.cloud.put(file, { name: cleanFileName(info.filename), contentType: cleanContentType(info.mimeType) }, room),
        periodMs: ctx.settings.bodyTimeoutMs,
      });
    } finally {
      room.release();
    }
    const url = `${publicBaseUrl(request, ctx.cloud.settings.publicUrl)}/cloud/file/${stored.id}`;
    return reply.type('application/json').send(JSON.stringify({ ok: true, owner: stored.owner, url }));
  });
}
