import { UpstreamError } from '../../core/errors.js';
import { AUDIO_CONTENT_TYPES, type AudioFormat, type SpeechCall, type SpeechResult } from '../../core/speech.js';
import type { ProviderConfig } from '../types.js';
import { sendOpenAIRequest } from './send-openai-request.js';

const DEFAULT_VOICE = 'alloy';

/** `POST {base}/audio/speech`: OpenAI's TTS answers the audio bytes in the format asked for (mp3 by default). */
export async function speakOpenAI(config: ProviderConfig, call: SpeechCall): Promise<SpeechResult> {
  const format: AudioFormat = call.format ?? 'mp3';
  if (!call.voice) call.warn('adjusted_parameter', `no voice given; provider ${config.name} speaks with ${DEFAULT_VOICE}`);
  const body: Record<string, unknown> = { model: call.upstreamModel, input: call.text, voice: call.voice ?? DEFAULT_VOICE, response_format: format };
  if (call.speed !== undefined) body.speed = call.speed;
  if (call.instructions !== undefined) body.instructions = call.instructions;
  const res = await sendOpenAIRequest(config, '/audio/speech', body, call);
  const audio = await res.bytes();
  if (audio.length === 0) throw new UpstreamError('upstream_error', `provider ${config.name} sent empty audio`, { provider: config.name });
  const upstreamType = String(res.headers['content-type'] ?? '').split(';')[0].trim();
  return { audio, format, contentType: upstreamType.startsWith('audio/') ? upstreamType : AUDIO_CONTENT_TYPES[format] };
}
