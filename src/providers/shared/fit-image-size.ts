import type { ImageSize, SizeRequest } from '../../core/images.js';

/** Any width and height within limits, each a multiple of `multiple`, around `area` pixels. */
export interface FreeSizeRule {
  kind: 'free';
  multiple: number;
  min: number;
  max: number;
  /** The pixel count the provider is made for, e.g. one megapixel. */
  area: number;
}

/** Only the listed sizes. */
export interface FixedSizeRule {
  kind: 'fixed';
  sizes: readonly ImageSize[];
  /** What `auto` means. */
  fallback: ImageSize;
}

export type SizeRule = FreeSizeRule | FixedSizeRule;

export interface FittedSize {
  size: ImageSize;
  /** Set when an exact size the client asked for could not be honoured, saying what was done instead. */
  adjustment?: string;
}

export function parseRatio(ratio: string): number {
  const [w, h] = ratio.split(':').map(Number);
  return w / h;
}

const label = (s: ImageSize): string => `${s.width}x${s.height}`;
const ratioError = (s: ImageSize, ratio: number): number => Math.abs(Math.log(s.width / s.height / ratio));
const areaError = (s: ImageSize, area: number): number => Math.abs(Math.log((s.width * s.height) / area));

/** The size closest to `ratio` (its shape matters ten times more than its area). */
function fitFreeRatio(ratio: number, rule: FreeSizeRule): ImageSize {
  let best: ImageSize | undefined;
  let bestScore = Infinity;
  for (let width = rule.min; width <= rule.max; width += rule.multiple) {
    const height = Math.round(width / ratio / rule.multiple) * rule.multiple;
    if (height < rule.min || height > rule.max) continue;
    const candidate = { width, height };
    const score = 10 * ratioError(candidate, ratio) + areaError(candidate, rule.area);
    if (score < bestScore - 1e-9) {
      best = candidate;
      bestScore = score;
    }
  }
  return best ?? { width: rule.min, height: rule.min };
}

function fitFreeExact(size: ImageSize, rule: FreeSizeRule): ImageSize {
  const scale = Math.min(1, rule.max / Math.max(size.width, size.height));
  const side = (v: number): number => Math.min(rule.max, Math.max(rule.min, Math.round((v * scale) / rule.multiple) * rule.multiple));
  return { width: side(size.width), height: side(size.height) };
}

function nearestFixed(sizes: readonly ImageSize[], ratio: number, area: number): ImageSize {
  return [...sizes].sort((a, b) => ratioError(a, ratio) - ratioError(b, ratio) || areaError(a, area) - areaError(b, area))[0];
}

/**
 * The size a provider should generate for a request: the nearest size it accepts, respecting its
 * multiples and limits. A ratio is always honoured as closely as possible; an exact size that the
 * provider cannot make is replaced by the nearest one, and the replacement is reported.
 */
export function fitImageSize(request: SizeRequest, rule: SizeRule): FittedSize {
  if (request.kind === 'auto') {
    return { size: rule.kind === 'fixed' ? rule.fallback : fitFreeRatio(1, rule) };
  }
  if (request.kind === 'ratio') {
    const ratio = parseRatio(request.ratio);
    return { size: rule.kind === 'fixed' ? nearestFixed(rule.sizes, ratio, rule.fallback.width * rule.fallback.height) : fitFreeRatio(ratio, rule) };
  }
  const wanted = request.size;
  const size =
    rule.kind === 'fixed'
      ? (rule.sizes.find((s) => s.width === wanted.width && s.height === wanted.height) ??
        nearestFixed(rule.sizes, wanted.width / wanted.height, wanted.width * wanted.height))
      : fitFreeExact(wanted, rule);
  if (size.width === wanted.width && size.height === wanted.height) return { size };
  const accepted = rule.kind === 'fixed' ? `one of ${rule.sizes.map(label).join(', ')}` : `multiples of ${rule.multiple} from ${rule.min} to ${rule.max}`;
  return { size, adjustment: `size ${label(wanted)} is not available (this model takes ${accepted}); generated ${label(size)}` };
}
