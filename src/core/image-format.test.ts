import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePng } from '../../test/fakes/png.js';
import { sniffImage } from './image-format.js';

describe('sniffImage', () => {
  it('reads the size of PNG, JPEG, GIF and WebP images', () => {
    assert.deepEqual(sniffImage(makePng(33, 17)), { mediaType: 'image/png', width: 33, height: 17 });
    // SOI, an APP0 segment, then SOF0 with height 480 and width 640.
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffc000110801e00280030122000211010311', 'hex');
    assert.deepEqual(sniffImage(jpeg), { mediaType: 'image/jpeg', width: 640, height: 480 });
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([0x40, 0x01, 0xf0, 0x00])]);
    assert.deepEqual(sniffImage(gif), { mediaType: 'image/gif', width: 320, height: 240 });
    const webp = Buffer.alloc(30);
    webp.write('RIFF', 0, 'latin1');
    webp.write('WEBPVP8X', 8, 'latin1');
    webp.writeUIntLE(799, 24, 3);
    webp.writeUIntLE(599, 27, 3);
    assert.deepEqual(sniffImage(webp), { mediaType: 'image/webp', width: 800, height: 600 });
  });

  it('anything else is not an image', () => {
    for (const bytes of [Buffer.from('hello world, not an image at all'), Buffer.alloc(0), Buffer.from('%PDF-1.7\n')]) {
      assert.equal(sniffImage(bytes), undefined);
    }
  });
});
