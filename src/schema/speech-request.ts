import { ApiError } from '../core/errors.js';
import { AUDIO_CONTENT_TYPES, type AudioFormat } from '../core/speech.js';
import { asObject, parseModelField } from './body-fields.js';

export interface SpeechRequest {
  model: string;
  text: string;
  lang: string | undefined;
  voice: string | undefined;
  format: AudioFormat | undefined;
  speed: number | undefined;
  instructions: string | undefined;
}

/** OpenAI's limit for `input`. */
export const SPEECH_INPUT_MAX = 4096;
/** `/ai/tts` reads longer texts: gtts splits them into many requests. */
export const TTS_TEXT_MAX = 20_000;

function text(value: unknown, param: string, max: number): string {
  if (value === undefined || value === null) throw new ApiError('invalid_request', `Missing required parameter: '${param}'.`, { param });
  if (typeof value !== 'string') throw new ApiError('invalid_request', `Invalid type for '${param}': expected a string.`, { param });
  if (value.trim() === '') throw new ApiError('invalid_request', `Invalid '${param}': the text must not be empty.`, { param });
  if (value.length > max) throw new ApiError('invalid_request', `Invalid '${param}': string too long. Expected a string with maximum length ${max}, but got a string with length ${value.length} instead.`, { param });
  return value;
}

function optionalString(body: Record<string, unknown>, param: string): string | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > 200) throw new ApiError('invalid_request', `Invalid '${param}': expected a short string.`, { param });
  return value;
}

function format(body: Record<string, unknown>, param: string): AudioFormat | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(value in AUDIO_CONTENT_TYPES)) {
    throw new ApiError('invalid_request', `Invalid '${param}': ${JSON.stringify(value).slice(0, 40)}. Expected one of: ${Object.keys(AUDIO_CONTENT_TYPES).join(', ')}.`, { param });
  }
  return value as AudioFormat;
}

function speed(body: Record<string, unknown>): number | undefined {
  const value = body.speed;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !(value >= 0.25 && value <= 4)) throw new ApiError('invalid_request', "Invalid 'speed': expected a number from 0.25 to 4.", { param: 'speed' });
  return value;
}

/** OpenAI's `POST /audio/speech`: `{"model","input","voice","response_format","speed","instructions"}`. */
export function parseSpeechRequest(raw: unknown): SpeechRequest {
  const body = asObject(raw);
  const model = parseModelField(body);
  const input = text(body.input, 'input', SPEECH_INPUT_MAX);
  const voice = optionalString(body, 'voice');
  if (voice === undefined) throw new ApiError('invalid_request', "Missing required parameter: 'voice'.", { param: 'voice' });
  return { model, text: input, lang: undefined, voice, format: format(body, 'response_format'), speed: speed(body), instructions: optionalString(body, 'instructions') };
}

/** OnlySq's `POST /ai/tts`: `{"model","text","lang","voice"}` (`format` and `speed` optional). */
export function parseTtsRequest(raw: unknown): SpeechRequest {
  const body = asObject(raw);
  const model = parseModelField(body);
  return {
    model,
    text: text(body.text, 'text', TTS_TEXT_MAX),
    lang: optionalString(body, 'lang'),
    voice: optionalString(body, 'voice'),
    format: format(body, 'format'),
    speed: speed(body),
    instructions: undefined,
  };
}
