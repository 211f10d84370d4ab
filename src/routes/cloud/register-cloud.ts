import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../server/context.js';
import { closesAfterAnswer, drainRequest } from '../../server/drain-request.js';
import { fromFastifyError } from '../../server/fastify-error.js';
import { logUrl } from '../../server/log-url.js';
import { scheduleCloudExpiry } from '../../storage/cloud/schedule-cloud-expiry.js';
import { registerDelete } from './delete.js';
import { registerDownload } from './download.js';
import { noteCloudError, recordCloudUsage } from './record-cloud-usage.js';
import { registerUpload } from './upload.js';

/**
 * OnlySq Cloud, an anonymous file store, under `/cloud`: upload, download, delete. Answers are
 * `{"ok": true, ...}` or `{"ok": false, "error": "..."}`. Bodies are never parsed in this scope:
 * uploads stream from the socket to storage, whatever their size. With a TTL, expired files are
 * swept while the server runs.
 */
export function registerCloud(app: FastifyInstance, ctx: AppContext): void {
  app.register(
    async (cloud) => {
      cloud.removeAllContentTypeParsers();
      cloud.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

      cloud.setErrorHandler(async (error, request, reply) => {
        const apiError = fromFastifyError(error);
        noteCloudError(request, apiError.code);
        if (apiError.code === 'insufficient_storage') ctx.log.warn({ url: logUrl(request.url) }, 'the Cloud store is full (OPENSQ_CLOUD_MAX_TOTAL_BYTES): upload refused');
        else if (apiError.status >= 500) ctx.log.error({ err: error, url: logUrl(request.url) }, 'cloud request failed');
        if (!request.raw.complete) {
          // An upload refused before its body was all read (key, limits, size, quota, too slow): let
          // a client still sending read the answer rather than a reset connection, within bounds.
          request.raw.unpipe();
          const drained = drainRequest(request.raw, { maxBytes: 8 * 1024 * 1024, timeoutMs: Math.min(ctx.settings.bodyTimeoutMs || 5_000, 5_000) });
          if (closesAfterAnswer(request.raw)) await drained;
        }
        if (apiError.retryAfter) reply.header('retry-after', apiError.retryAfter);
        // 499 (the client left) has no one to read it; send a plain 400 for the log's sake.
        const status = apiError.status === 499 ? 400 : apiError.status;
        // Returned, so Fastify does not send (and run the onSend hooks) a second time.
        return reply.code(status).type('application/json').send(JSON.stringify({ ok: false, error: apiError.message }));
      });
      cloud.setNotFoundHandler((request, reply) => {
        reply.code(404).type('application/json').send(JSON.stringify({ ok: false, error: `Invalid URL (${request.method} ${request.url})` }));
      });

      const stopExpiry = scheduleCloudExpiry(ctx.cloud, ctx.log);
      cloud.addHook('onClose', async () => stopExpiry());

      recordCloudUsage(cloud, ctx);
      registerUpload(cloud, ctx);
      registerDownload(cloud, ctx);
      registerDelete(cloud, ctx);
    },
    { prefix: '/cloud' },
  );
}
