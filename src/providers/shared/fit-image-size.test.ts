import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMAGEN_RATIOS } from '../../core/images.js';
import { BFL_SIZE_RULE } from '../bfl/bfl-size.js';
import { TOGETHER_SIZE_RULE, openAIImageSizeRule } from '../openai-compatible/openai-image-sizes.js';
import { type FreeSizeRule, fitImageSize, parseRatio } from './fit-image-size.js';

describe('fitImageSize', () => {
  for (const [name, rule] of [['Together FLUX', TOGETHER_SIZE_RULE], ['BFL', BFL_SIZE_RULE]] as Array<[string, FreeSizeRule]>) {
    it(`${name}: every ImaGen ratio maps to a size within its multiples and limits, shaped like the ratio`, () => {
      for (const ratio of IMAGEN_RATIOS) {
        const { size, adjustment } = fitImageSize({ kind: 'ratio', ratio }, rule);
        assert.equal(adjustment, undefined);
        for (const side of [size.width, size.height]) {
          assert.equal(side % rule.multiple, 0, `${ratio}: ${side}`);
          assert.ok(side >= rule.min && side <= rule.max, `${ratio}: ${side}`);
        }
        const error = Math.abs(size.width / size.height / parseRatio(ratio) - 1);
        assert.ok(error < 0.02, `${ratio} → ${size.width}x${size.height} is off by ${(error * 100).toFixed(1)}%`);
        const megapixels = (size.width * size.height) / rule.area;
        assert.ok(megapixels > 0.6 && megapixels < 1.3, `${ratio} → ${size.width}x${size.height}`);
      }
    });
  }

  it('fixed-size models take the listed size closest in shape', () => {
    const dalle3 = openAIImageSizeRule('dall-e-3', {});
    assert.deepEqual(fitImageSize({ kind: 'ratio', ratio: '16:9' }, dalle3).size, { width: 1792, height: 1024 });
    assert.deepEqual(fitImageSize({ kind: 'ratio', ratio: '9:21' }, dalle3).size, { width: 1024, height: 1792 });
    assert.deepEqual(fitImageSize({ kind: 'ratio', ratio: '5:4' }, dalle3).size, { width: 1024, height: 1024 });
    assert.deepEqual(fitImageSize({ kind: 'ratio', ratio: '3:2' }, openAIImageSizeRule('gpt-image-1', {})).size, { width: 1536, height: 1024 });
    assert.deepEqual(fitImageSize({ kind: 'auto' }, openAIImageSizeRule('gpt-image-1', {})).size, { width: 1024, height: 1024 });
  });

  it('an exact size is kept when allowed, and otherwise replaced by the nearest with the change reported', () => {
    const dalle3 = openAIImageSizeRule('dall-e-3', {});
    assert.deepEqual(fitImageSize({ kind: 'exact', size: { width: 1792, height: 1024 } }, dalle3), { size: { width: 1792, height: 1024 } });
    const adjusted = fitImageSize({ kind: 'exact', size: { width: 1000, height: 1000 } }, dalle3);
    assert.deepEqual(adjusted.size, { width: 1024, height: 1024 });
    assert.match(adjusted.adjustment ?? '', /1000x1000 is not available.*generated 1024x1024/);
    const free = fitImageSize({ kind: 'exact', size: { width: 4000, height: 1000 } }, TOGETHER_SIZE_RULE);
    assert.deepEqual(free.size, { width: 1792, height: 448 });
    assert.match(free.adjustment ?? '', /multiples of 16/);
  });

  it('a config file may list the sizes of its own OpenAI-compatible server', () => {
    const rule = openAIImageSizeRule('sdxl', { image_sizes: ['512x512', '768x512'] });
    assert.deepEqual(fitImageSize({ kind: 'ratio', ratio: '3:2' }, rule).size, { width: 768, height: 512 });
  });
});
