import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { parseImageRequest } from '../../schema/image-request.js';
import type { AppContext } from '../../server/context.js';
import { publicBaseUrl } from '../public-base-url.js';
import { type GeneratedAnswer, serveImages } from '../serve-images.js';

/**
 * `POST /ai/openai/images/generations` and `/v1/images/generations` on every image model. With
 * `response_format: "url"` each image is stored in the Cloud store and the URL points there. As on
 * OpenAI, gpt-image models answer b64_json unless asked otherwise, the others url.
 */
export function registerImagesGenerations(app: FastifyInstance, ctx: AppContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const body = parseImageRequest(request.body);
    const format = body.responseFormat ?? (/^gpt-image/.test(body.model) ? 'b64_json' : 'url');
    const encode = async (answer: GeneratedAnswer): Promise<string> => {
      const data: Array<Record<string, string>> = [];
      for (const [i, image] of answer.images.entries()) {
        const revised: Record<string, string> = image.revisedPrompt ? { revised_prompt: image.revisedPrompt } : {};
        if (format === 'b64_json') {
          data.push({ b64_json: image.data.toString('base64'), ...revised });
          continue;
        }
        const name = `${answer.id}-${i}.${image.mediaType.split('/')[1]}`;
        const stored = await ctx.cloud.put(Readable.from([image.data]), { name, contentType: image.mediaType });
        data.push({ url: `${publicBaseUrl(request, ctx.cloud.settings.publicUrl)}/cloud/file/${stored.id}`, ...revised });
      }
      return JSON.stringify({ created: answer.created, data });
    };
    await serveImages(ctx, { reply, key, job: { ...body, inputImages: [] }, endpoint: { name: 'images', idPrefix: 'img-', encode } });
  };
  app.post('/ai/openai/images/generations', handler);
  app.post('/v1/images/generations', handler);
}
