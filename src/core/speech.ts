import type { Timeouts } from './timeouts.js';
import type { Warn } from './warnings.js';

/** Provider-neutral text-to-speech types. */

/** OpenAI's audio formats and the content type each is served with. */
export const AUDIO_CONTENT_TYPES = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
} as const;
export type AudioFormat = keyof typeof AUDIO_CONTENT_TYPES;

export interface SpeechCall {
  text: string;
  /** A language code (`en`, `ru`, `pt-BR`) for engines that choose the voice by language. */
  lang: string | undefined;
  voice: string | undefined;
  /** The format the client asked for; undefined lets the engine answer in its own format. */
  format: AudioFormat | undefined;
  /** 0.25 to 4, 1 is normal. */
  speed: number | undefined;
  /** Style instructions (gpt-4o-mini-tts). */
  instructions: string | undefined;
  publicModel: string;
  upstreamModel: string;
  signal: AbortSignal;
  warn: Warn;
  /** This request's timeouts (the model's over the provider's); the provider's own when absent. */
  timeouts?: Timeouts;
}

export interface SpeechResult {
  audio: Buffer;
  format: AudioFormat;
  contentType: string;
}
