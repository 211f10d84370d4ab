import type { FastifyInstance } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { ApiError } from '../../core/errors.js';
import { imagenResponse } from '../../encode/imagen-json.js';
import { parseImagenRequest } from '../../schema/imagen-request.js';
import type { AppContext } from '../../server/context.js';
import { type ImageEndpoint, serveImages } from '../serve-images.js';

/**
 * OnlySq's ImaGen: `{"model","prompt","ratio","files"}` → one image in the ratio, base64, with its
 * real size. Unlike other routes it needs an Authorization header (the public key `openai` will do).
 */
export function registerImagen(app: FastifyInstance, ctx: AppContext): void {
  app.post('/ai/imagen', async (request, reply) => {
    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      throw new ApiError('missing_api_key', 'ImaGen needs an Authorization header: send "Authorization: Bearer <key>" (the public key is openai).');
    }
    const key = await ctx.keys.authenticate(presented);
    const body = parseImagenRequest(request.body);
    const job = { model: body.model, prompt: body.prompt, size: { kind: 'ratio' as const, ratio: body.ratio }, n: 1, inputImages: body.files, extra: {} };
    const endpoint: ImageEndpoint = { name: 'imagen', idPrefix: 'imagen_', encode: async (answer) => JSON.stringify(imagenResponse(answer, body.ratio, key.userId)) };
    await serveImages(ctx, { reply, key, job, endpoint });
  });
}
