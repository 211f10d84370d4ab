import type { FastifyReply, FastifyRequest, FastifyInstance } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { parseSpeechRequest } from '../../schema/speech-request.js';
import type { AppContext } from '../../server/context.js';
import { serveSpeech } from '../serve-speech.js';

/** `POST /ai/openai/audio/speech` and `/v1/audio/speech` on every speech model. */
export function registerAudioSpeech(app: FastifyInstance, ctx: AppContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    await serveSpeech(ctx, { reply, key, body: parseSpeechRequest(request.body), endpoint: 'speech' });
  };
  app.post('/ai/openai/audio/speech', handler);
  app.post('/v1/audio/speech', handler);
}
