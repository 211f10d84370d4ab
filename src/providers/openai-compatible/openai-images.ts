import { FormData } from '../shared/undici-parts.js';
import { ApiError, UpstreamError } from '../../core/errors.js';
import { sniffImage } from '../../core/image-format.js';
import type { GeneratedImage, ImageCall, ImageResult, ImageSize } from '../../core/images.js';
import { downloadUpstreamFile } from '../shared/download-upstream-file.js';
import { fitImageSize } from '../shared/fit-image-size.js';
import type { ProviderConfig } from '../types.js';
import { TOGETHER_SIZE_RULE, openAIImageSizeRule } from './openai-image-sizes.js';
import { sendOpenAIRequest } from './send-openai-request.js';
import { clientNames } from '../../core/warnings.js';

/**
 * Two flavours of `POST {base}/images/generations`: OpenAI's (`size: "WxH"`, `response_format:
 * "b64_json"`, edits for input images) and Together's (`width`/`height`, `response_format:
 * "base64"`). An instance chooses with `options.images_api` (Together's preset sets it); OpenAI's is the default.
 */
export type ImagesDialect = 'openai' | 'together';

export function imagesDialect(config: ProviderConfig): ImagesDialect {
  return config.options.images_api === 'together' ? 'together' : 'openai';
}

/** OpenAI image parameters relayed to OpenAI-dialect upstreams as the client sent them. */
const OPENAI_IMAGE_PARAMS = ['quality', 'style', 'background', 'moderation', 'output_compression', 'output_format', 'user'];

interface ImagesAnswer {
  data?: Array<{ b64_json?: string | null; url?: string | null; revised_prompt?: string | null }>;
}

export async function generateOpenAICompatibleImages(config: ProviderConfig, call: ImageCall): Promise<ImageResult> {
  return imagesDialect(config) === 'together' ? generateTogether(config, call) : generateOpenAI(config, call);
}

async function generateOpenAI(config: ProviderConfig, call: ImageCall): Promise<ImageResult> {
  const fitted = fitImageSize(call.size, openAIImageSizeRule(call.upstreamModel, config.options));
  if (fitted.adjustment) call.warn('adjusted_parameter', fitted.adjustment);
  const gptImage = /^gpt-image/.test(call.upstreamModel);
  const extra = Object.fromEntries(Object.entries(call.extra).filter(([k]) => OPENAI_IMAGE_PARAMS.includes(k)));
  if (call.inputImages.length > 0 && !gptImage) {
    throw new ApiError('invalid_request', `The model \`${call.publicModel}\` does not accept input images.`, { param: 'files' });
  }
  // dall-e-3 makes one image per request; the others up to 10.
  const perRequest = /^dall-e-3/.test(call.upstreamModel) ? 1 : 10;
  const batches = splitCount(call.n, perRequest);
  const answers = await Promise.all(
    batches.map((n) => {
      const fields = { model: call.upstreamModel, prompt: call.prompt, n, size: label(fitted.size), ...extra };
      if (call.inputImages.length > 0) return sendOpenAIRequest(config, '/images/edits', editForm(fields, call), call);
      return sendOpenAIRequest(config, '/images/generations', gptImage ? fields : { ...fields, response_format: 'b64_json' }, call);
    }),
  );
  const images: GeneratedImage[] = [];
  for (const res of answers) images.push(...(await readImages(config, await res.json<ImagesAnswer>('an images answer'), call)));
  return { images };
}

async function generateTogether(config: ProviderConfig, call: ImageCall): Promise<ImageResult> {
  if (call.inputImages.length > 0) {
    throw new ApiError('invalid_request', `The model \`${call.publicModel}\` does not accept input images.`, { param: 'files' });
  }
  const extra = Object.keys(call.extra);
  if (extra.length > 0) call.warn('dropped_parameter', `provider ${config.name} has no ${clientNames(extra)} parameter; not sent`);
  const fitted = fitImageSize(call.size, TOGETHER_SIZE_RULE);
  if (fitted.adjustment) call.warn('adjusted_parameter', fitted.adjustment);
  const answers = await Promise.all(
    splitCount(call.n, 4).map((n) =>
      sendOpenAIRequest(
        config,
        '/images/generations',
        { model: call.upstreamModel, prompt: call.prompt, width: fitted.size.width, height: fitted.size.height, n, response_format: 'base64', output_format: 'png' },
        call,
      ),
    ),
  );
  const images: GeneratedImage[] = [];
  for (const res of answers) images.push(...(await readImages(config, await res.json<ImagesAnswer>('an images answer'), call)));
  return { images };
}

/** `/images/edits` takes the input images as multipart files named `image[]`. */
function editForm(fields: Record<string, unknown>, call: ImageCall): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
  call.inputImages.forEach((image, i) => {
    form.append('image[]', new Blob([new Uint8Array(image.data)], { type: image.mediaType }), `image-${i}.${image.mediaType.split('/')[1]}`);
  });
  return form;
}

async function readImages(config: ProviderConfig, answer: ImagesAnswer, call: ImageCall): Promise<GeneratedImage[]> {
  const provider = config.name;
  if (!Array.isArray(answer?.data) || answer.data.length === 0) {
    throw new UpstreamError('upstream_error', `provider ${provider} sent an images answer without data`, { provider, upstreamBody: JSON.stringify(answer).slice(0, 500) });
  }
  const images: GeneratedImage[] = [];
  for (const item of answer.data) {
    let data: Buffer;
    if (item.b64_json) data = Buffer.from(item.b64_json, 'base64');
    else if (item.url) data = (await downloadUpstreamFile(config, item.url, call)).data;
    else throw new UpstreamError('upstream_error', `provider ${provider} sent an image with neither b64_json nor url`, { provider });
    const info = sniffImage(data);
    if (!info) throw new UpstreamError('upstream_error', `provider ${provider} sent an image in an unknown format`, { provider });
    images.push({ data, mediaType: info.mediaType, ...(item.revised_prompt ? { revisedPrompt: item.revised_prompt } : {}) });
  }
  return images;
}

function splitCount(n: number, perRequest: number): number[] {
  const out: number[] = [];
  for (let left = n; left > 0; left -= perRequest) out.push(Math.min(left, perRequest));
  return out;
}

const label = (s: ImageSize): string => `${s.width}x${s.height}`;
