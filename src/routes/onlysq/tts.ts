import type { FastifyInstance } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { parseTtsRequest } from '../../schema/speech-request.js';
import type { AppContext } from '../../server/context.js';
import { serveSpeech } from '../serve-speech.js';

/** OnlySq's text to speech: `{"model","text","lang","voice"}` → the audio bytes with their content type. */
export function registerTts(app: FastifyInstance, ctx: AppContext): void {
  app.post('/ai/tts', async (request, reply) => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    await serveSpeech(ctx, { reply, key, body: parseTtsRequest(request.body), endpoint: 'tts' });
  });
}
