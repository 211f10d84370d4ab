import type { Timeouts } from './timeouts.js';
import type { Warn } from './warnings.js';

/** Provider-neutral image generation types. */

/** The aspect ratios ImaGen accepts, as OnlySq documents them. */
export const IMAGEN_RATIOS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'] as const;
export type ImagenRatio = (typeof IMAGEN_RATIOS)[number];

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * What the client asked for: an aspect ratio (ImaGen), an exact size (the OpenAI route), or
 * nothing in particular. Each provider maps it to the nearest size it can generate.
 */
export type SizeRequest = { kind: 'ratio'; ratio: ImagenRatio } | { kind: 'exact'; size: ImageSize } | { kind: 'auto' };

/** An input image for image-to-image, already checked to be an image. */
export interface InputImage {
  data: Buffer;
  mediaType: string;
}

export interface ImageCall {
  prompt: string;
  size: SizeRequest;
  /** How many images; providers that generate one per request repeat the call. */
  n: number;
  /** Input images (ImaGen's `files`); a provider that cannot use them refuses with a 400. */
  inputImages: InputImage[];
  /**
   * OpenAI image parameters the client sent (`quality`, `style`, `background`, ...): passed to
   * upstreams that understand them, reported as warnings by the others.
   */
  extra: Record<string, unknown>;
  publicModel: string;
  upstreamModel: string;
  signal: AbortSignal;
  warn: Warn;
  /** This request's timeouts (the model's over the provider's); the provider's own when absent. */
  timeouts?: Timeouts;
}

export interface GeneratedImage {
  data: Buffer;
  /** `image/png` unless the upstream could only produce something else. */
  mediaType: string;
  revisedPrompt?: string;
}

export interface ImageResult {
  images: GeneratedImage[];
}
