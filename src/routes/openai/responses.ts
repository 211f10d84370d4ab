import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import type { ChatCompletion } from '../../core/chat.js';
import { ResponseEventWriter } from '../../encode/response-events.js';
import { completionOutput, finishedStatus, type ResponseEcho, responseEcho, responseObject } from '../../encode/response-object.js';
import { convertResponsesInput } from '../../schema/convert-responses-input.js';
import { parseResponsesRequest } from '../../schema/responses-request.js';
import { responsesToChatRequest } from '../../schema/responses-to-chat-request.js';
import type { ChatCall } from '../../providers/types.js';
import type { AppContext } from '../../server/context.js';
import { type AnswerEncoder, serveChat } from '../serve-chat.js';

type Call = Pick<ChatCall, 'id' | 'created' | 'publicModel'>;

/** A Responses answer written from the chat answer the providers give. */
function responsesEncoder(echo: ResponseEcho): AnswerEncoder {
  return {
    completion(completion: ChatCompletion, call: Call): string {
      const finish = completion.choices[0]?.finish_reason;
      return JSON.stringify(
        responseObject(echo, {
          id: call.id,
          createdAt: call.created,
          model: call.publicModel,
          status: finishedStatus(finish),
          finish,
          output: completionOutput(completion, call.id),
          usage: completion.usage,
        }),
      );
    },
    stream: (call: Call) => new ResponseEventWriter(echo, { id: call.id, createdAt: call.created, model: call.publicModel }),
  };
}

/** `POST /ai/openai/responses` and its alias `POST /v1/responses`: OpenAI's Responses API over every chat model. */
export function registerResponses(app: FastifyInstance, ctx: AppContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await ctx.keys.authenticate(presentedKey(request.headers));
    const parsed = parseResponsesRequest(request.body);
    const body = responsesToChatRequest(parsed, convertResponsesInput(parsed.instructions, parsed.input));
    await serveChat(ctx, reply, body, key, { name: 'responses', withUser: false, idPrefix: 'resp_', encoder: responsesEncoder(responseEcho(parsed)) });
  };
  app.post('/ai/openai/responses', handler);
  app.post('/v1/responses', handler);
}
