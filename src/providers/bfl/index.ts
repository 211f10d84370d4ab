import { ApiError, UpstreamError } from '../../core/errors.js';
import { sniffImage } from '../../core/image-format.js';
import type { GeneratedImage, ImageCall, ImageResult } from '../../core/images.js';
import { downloadUpstreamFile } from '../shared/download-upstream-file.js';
import { fitImageSize, parseRatio } from '../shared/fit-image-size.js';
import { postUpstream } from '../shared/post-upstream.js';
import type { ProviderConfig } from '../types.js';
import type { BflSubmitAnswer } from './bfl-api.js';
import { BFL_SIZE_RULE, ratioOf, takesAspectRatio, takesInputImages } from './bfl-size.js';
import { mapBflError } from './map-bfl-error.js';
import { pollBflResult } from './poll-bfl-result.js';
import { clientNames } from '../../core/warnings.js';

const MAX_INPUT_IMAGES = 4;

/**
 * Black Forest Labs' own API: each image is a task submitted to `POST {base}/v1/{model}` and polled
 * at its `polling_url` until ready; the image is then downloaded from a signed URL. Models with a
 * size (`flux-pro-1.1`, `flux-dev`) take width and height in steps of 32; Kontext models take an
 * aspect ratio and up to four input images.
 */
export class BflAdapter {
  readonly config: ProviderConfig;

  constructor(config: ProviderConfig) {
    this.config = config;
  }

  async generateImage(call: ImageCall): Promise<ImageResult> {
    const body = this.taskBody(call);
    const images = await Promise.all(Array.from({ length: call.n }, () => this.generateOne(body, call)));
    return { images };
  }

  private taskBody(call: ImageCall): Record<string, unknown> {
    const model = call.upstreamModel;
    const extra = Object.keys(call.extra);
    if (extra.length > 0) call.warn('dropped_parameter', `provider ${this.config.name} has no ${clientNames(extra)} parameter; not sent`);
    const body: Record<string, unknown> = { prompt: call.prompt, output_format: 'png' };
    if (call.inputImages.length > 0) {
      if (!takesInputImages(model)) throw new ApiError('invalid_request', `The model \`${call.publicModel}\` does not accept input images.`, { param: 'files' });
      if (call.inputImages.length > MAX_INPUT_IMAGES) {
        throw new ApiError('invalid_request', `The model \`${call.publicModel}\` takes at most ${MAX_INPUT_IMAGES} input images.`, { param: 'files' });
      }
      call.inputImages.forEach((image, i) => (body[i === 0 ? 'input_image' : `input_image_${i + 1}`] = image.data.toString('base64')));
    }
    if (takesAspectRatio(model)) {
      const size = call.size;
      if (size.kind === 'ratio') body.aspect_ratio = size.ratio;
      else if (size.kind === 'exact') {
        body.aspect_ratio = ratioOf(size.size.width, size.size.height);
        const ratio = parseRatio(body.aspect_ratio as string);
        if (ratio > 21 / 9 || ratio < 9 / 21) throw new ApiError('invalid_request', 'This model takes aspect ratios from 21:9 to 9:21.', { param: 'size' });
        call.warn('adjusted_parameter', `model ${call.publicModel} sets an aspect ratio, not a size: generated about one megapixel at ${String(body.aspect_ratio)}`);
      }
      return body;
    }
    const fitted = fitImageSize(call.size, BFL_SIZE_RULE);
    if (fitted.adjustment) call.warn('adjusted_parameter', fitted.adjustment);
    body.width = fitted.size.width;
    body.height = fitted.size.height;
    return body;
  }

  private async generateOne(body: Record<string, unknown>, call: ImageCall): Promise<GeneratedImage> {
    const { config } = this;
    const base = (config.baseUrl ?? '').replace(/\/+$/, '');
    const res = await postUpstream(config, {
      url: `${base}/v1/${encodeURIComponent(call.upstreamModel)}`,
      headers: { 'x-key': config.apiKey ?? '', 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: call.signal,
      timeouts: call.timeouts,
      mapError: (status, text, retryAfter) => mapBflError({ provider: config.name, status, body: text, retryAfter }),
    });
    const task = await res.json<BflSubmitAnswer>('a task');
    if (!task?.id) throw new UpstreamError('upstream_error', `provider ${config.name} sent a task without an id`, { provider: config.name, upstreamBody: JSON.stringify(task) });
    const pollingUrl = task.polling_url ?? `${base}/v1/get_result?id=${encodeURIComponent(task.id)}`;
    const sample = await pollBflResult({
      config,
      pollingUrl,
      call,
      intervalMs: Number(config.options.poll_interval_ms ?? 500),
      maxIntervalMs: Number(config.options.max_poll_interval_ms ?? 3000),
    });
    const { data } = await downloadUpstreamFile(config, sample, call);
    const info = sniffImage(data);
    if (!info) throw new UpstreamError('upstream_error', `provider ${config.name} sent an image in an unknown format`, { provider: config.name });
    return { data, mediaType: info.mediaType };
  }
}
