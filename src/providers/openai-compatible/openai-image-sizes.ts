import type { ImageSize } from '../../core/images.js';
import type { FreeSizeRule, SizeRule } from '../shared/fit-image-size.js';

const sizes = (...list: Array<[number, number]>): ImageSize[] => list.map(([width, height]) => ({ width, height }));

/** OpenAI's own image models take only these sizes (its images API reference). */
const GPT_IMAGE: SizeRule = { kind: 'fixed', sizes: sizes([1024, 1024], [1536, 1024], [1024, 1536]), fallback: { width: 1024, height: 1024 } };
const DALL_E_3: SizeRule = { kind: 'fixed', sizes: sizes([1024, 1024], [1792, 1024], [1024, 1792]), fallback: { width: 1024, height: 1024 } };
const DALL_E_2: SizeRule = { kind: 'fixed', sizes: sizes([256, 256], [512, 512], [1024, 1024]), fallback: { width: 1024, height: 1024 } };

/** gpt-image-2 takes any size in steps of 16 (beyond 2560x1440 experimental, so not chosen here). */
const GPT_IMAGE_2: FreeSizeRule = { kind: 'free', multiple: 16, min: 256, max: 2560, area: 1536 * 1024 };

/** FLUX on Together: width and height in steps of 16, kept near one megapixel. */
export const TOGETHER_SIZE_RULE: FreeSizeRule = { kind: 'free', multiple: 16, min: 256, max: 1792, area: 1024 * 1024 };

/** Any other OpenAI-compatible images server: multiples of 64 near one megapixel, unless the config lists its sizes. */
const GENERIC: FreeSizeRule = { kind: 'free', multiple: 64, min: 256, max: 2048, area: 1024 * 1024 };

function parseSizeList(value: unknown): ImageSize[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const parsed = value.map((s) => /^(\d+)x(\d+)$/.exec(String(s))).filter((m) => m !== null);
  return parsed.length ? parsed.map((m) => ({ width: Number(m[1]), height: Number(m[2]) })) : undefined;
}

/**
 * The sizes an upstream model of the OpenAI images API can generate. A provider in OPENSQ_CONFIG
 * may list its own with `options.image_sizes: ["1024x1024", ...]`.
 */
export function openAIImageSizeRule(upstreamModel: string, options: Record<string, unknown>): SizeRule {
  const listed = parseSizeList(options.image_sizes);
  if (listed) return { kind: 'fixed', sizes: listed, fallback: listed[0] };
  if (/^gpt-image-2/.test(upstreamModel)) return GPT_IMAGE_2;
  if (/^gpt-image/.test(upstreamModel)) return GPT_IMAGE;
  if (/^dall-e-3/.test(upstreamModel)) return DALL_E_3;
  if (/^dall-e-2/.test(upstreamModel)) return DALL_E_2;
  return GENERIC;
}
