import type { GeneratedImage } from '../core/images.js';
import type { Model } from '../routing/catalog.js';

/** Images a route has generated, for an encoder to write as its endpoint's answer. */
export interface GeneratedAnswer {
  id: string;
  /** Unix seconds. */
  created: number;
  model: Model;
  images: GeneratedImage[];
  /** Seconds from the request's arrival to the last image. */
  elapsedSeconds: number;
}
