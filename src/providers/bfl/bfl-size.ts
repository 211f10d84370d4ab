import type { FreeSizeRule } from '../shared/fit-image-size.js';

/** FLUX1.1 [pro] and FLUX.1 [dev] on BFL: width and height in steps of 32 from 256 to 1440. */
export const BFL_SIZE_RULE: FreeSizeRule = { kind: 'free', multiple: 32, min: 256, max: 1440, area: 1024 * 1024 };

/**
 * Kontext and Ultra models take an aspect ratio (from 21:9 to 9:21) instead of a size, and inputs
 * images only on Kontext.
 */
export const takesAspectRatio = (model: string): boolean => /kontext|ultra/.test(model);
export const takesInputImages = (model: string): boolean => /kontext/.test(model);

/** The BFL ratio string for a width and height, reduced (1344x768 → "7:4"). */
export function ratioOf(width: number, height: number): string {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const d = gcd(width, height);
  return `${width / d}:${height / d}`;
}
