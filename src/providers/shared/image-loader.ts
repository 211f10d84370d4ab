import { ApiError } from '../../core/errors.js';
import { type ByteBudget, fetchImage, type LoadedImage } from './fetch-image.js';

export interface ImageLimits {
  /** Total bytes of every image of one request, fetched or inline. */
  maxTotalBytes: number;
  /** Images fetched at once for one request. */
  concurrency: number;
}

/**
 * The images of one request, for providers that need their bytes: each URL is fetched once,
 * whatever the number of attempts and deployments the request goes through; at most `concurrency`
 * at a time; and all of them together within `maxTotalBytes`, so a small request naming many
 * large images cannot make the gateway hold gigabytes.
 */
export class ImageLoader {
  private readonly loaded = new Map<string, Promise<LoadedImage>>();
  private readonly budget: ByteBudget;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limits: ImageLimits,
    private readonly signal: AbortSignal,
  ) {
    this.budget = { remaining: limits.maxTotalBytes, limit: limits.maxTotalBytes };
  }

  /** Bound, so providers can pass it on detached. */
  readonly load = (url: string): Promise<LoadedImage> => {
    let image = this.loaded.get(url);
    if (!image) {
      image = this.fetchInTurn(url);
      // A failure is the request's 400, reported where it is awaited; never unhandled here.
      image.catch(() => undefined);
      this.loaded.set(url, image);
    }
    return image;
  };

  private async fetchInTurn(url: string): Promise<LoadedImage> {
    if (this.running >= this.limits.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      if (this.signal.aborted) throw new ApiError('upstream_timeout', 'the request ended before its images were loaded');
      // Once the allowance is spent the request has failed: the images still waiting are not fetched.
      if (this.budget.remaining < 0) throw new ApiError('invalid_request', `The images of this request are larger than ${this.budget.limit} bytes together.`, { param: 'messages' });
      return await fetchImage(url, { signal: this.signal, budget: this.budget });
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
