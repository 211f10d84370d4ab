import { ApiError } from '../core/errors.js';
import { sniffImage } from '../core/image-format.js';
import { IMAGEN_RATIOS, type ImagenRatio, type InputImage } from '../core/images.js';
import { asObject, parseModelField } from './body-fields.js';
import { parseImagePrompt } from './image-prompt.js';

export interface ImagenRequest {
  model: string;
  prompt: string;
  ratio: ImagenRatio;
  files: InputImage[];
}

const MAX_FILES = 8;
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** Input images: base64 strings (a `data:` prefix is tolerated) of PNG, JPEG, GIF or WebP images. */
function parseFiles(value: unknown): InputImage[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError('invalid_request', "Invalid type for 'files': expected an array of base64 strings.", { param: 'files' });
  if (value.length > MAX_FILES) throw new ApiError('invalid_request', `Invalid 'files': at most ${MAX_FILES} images.`, { param: 'files' });
  return value.map((item, i) => {
    const param = `files[${i}]`;
    if (typeof item !== 'string') throw new ApiError('invalid_request', `Invalid type for '${param}': expected a base64 string.`, { param });
    const base64 = item.replace(/^data:[^,]*;base64,/, '');
    if (!BASE64.test(base64)) throw new ApiError('invalid_request', `Invalid '${param}': not base64.`, { param });
    const data = Buffer.from(base64, 'base64');
    const info = sniffImage(data);
    if (!info) throw new ApiError('invalid_request', `Invalid '${param}': not an image (expected base64 of a PNG, JPEG, GIF or WebP file).`, { param });
    return { data, mediaType: info.mediaType };
  });
}

/** ImaGen's body: `{"model","prompt","ratio","files"}`; other fields (`meta`, `extra`, ...) are ignored. */
export function parseImagenRequest(raw: unknown): ImagenRequest {
  const body = asObject(raw);
  const model = parseModelField(body);
  const prompt = parseImagePrompt(body.prompt);
  const ratio = body.ratio ?? '1:1';
  if (typeof ratio !== 'string' || !(IMAGEN_RATIOS as readonly string[]).includes(ratio)) {
    throw new ApiError('invalid_request', `Invalid 'ratio': ${JSON.stringify(ratio).slice(0, 40)}. Must be one of: ${IMAGEN_RATIOS.join(', ')}.`, { param: 'ratio' });
  }
  return { model, prompt, ratio: ratio as ImagenRatio, files: parseFiles(body.files) };
}
