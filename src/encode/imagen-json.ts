import { sniffImage } from '../core/image-format.js';
import type { ImageSize } from '../core/images.js';
import type { GeneratedAnswer } from './generated-answer.js';

/** OnlySq's "improvised token counter based on image height and width": one per 64x64 pixels. */
export function imagenUsage(size: ImageSize): number {
  return Math.ceil((size.width * size.height) / 4096);
}

/**
 * ImaGen's answer: `{"id","created","model","files":[base64],"ratio","size":{"width","height"},
 * "elapsed-time","usage","user"}`, the size read from the image itself.
 */
export function imagenResponse(answer: GeneratedAnswer, ratio: string, user: number): Record<string, unknown> {
  const info = sniffImage(answer.images[0].data);
  const size = { width: info?.width ?? 0, height: info?.height ?? 0 };
  return {
    id: answer.id,
    created: answer.created,
    model: answer.model.id,
    files: answer.images.map((image) => image.data.toString('base64')),
    ratio,
    size,
    'elapsed-time': answer.elapsedSeconds,
    usage: answer.images.reduce((sum, image) => {
      const each = sniffImage(image.data);
      return sum + (each ? imagenUsage(each) : 0);
    }, 0),
    user,
  };
}
