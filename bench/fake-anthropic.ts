/**
 * The fake upstream's Anthropic dialect (Messages API), minimal and fast:
 *
 *   POST /v1/messages   one `message` with the answer's text block, end_turn and usage; with
 *                       `stream: true` the Messages API's SSE events: message_start,
 *                       content_block_start and the first content_block_delta in the first
 *                       event-loop turn, the other 19 text_delta events each in its own turn,
 *                       then content_block_stop, message_delta (stop reason, usage) and
 *                       message_stop in a last turn, as the OpenAI dialect ends with usage and
 *                       [DONE].
 *
 * Needs `x-api-key` and `anthropic-version` headers and a body with model, max_tokens and
 * messages; checks nothing else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { COMPLETION_TOKENS, FULL_TEXT, PIECES, PROMPT_TOKENS, isObject, newId, readJson, schedule, sendJson, startEventStream } from './fake-common.js';

const USAGE = { input_tokens: PROMPT_TOKENS, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: COMPLETION_TOKENS, service_tier: 'standard' };

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, JSON.stringify({ type: 'error', error: { type, message }, request_id: null }));
}

function message(model: string, streaming: boolean): Record<string, unknown> {
  return {
    id: newId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: streaming ? [] : [{ type: 'text', text: FULL_TEXT }],
    stop_reason: streaming ? null : 'end_turn',
    stop_sequence: null,
    usage: streaming ? { ...USAGE, output_tokens: 1 } : USAGE,
  };
}

const event = (type: string, data: string): string => `event: ${type}\ndata: ${data}\n\n`;
const delta = (text: string): string => event('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(text)}}}`);

function stream(res: ServerResponse, model: string): void {
  startEventStream(res);
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (i === 0) {
      res.write(
        event('message_start', JSON.stringify({ type: 'message_start', message: message(model, true) })) +
          event('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}') +
          delta(PIECES[0]),
      );
    } else if (i < PIECES.length) {
      res.write(delta(PIECES[i]));
    } else {
      res.end(
        event('content_block_stop', '{"type":"content_block_stop","index":0}') +
          event('message_delta', `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${COMPLETION_TOKENS}}}`) +
          event('message_stop', '{"type":"message_stop"}'),
      );
      return;
    }
    i++;
    schedule(next);
  };
  next();
}

/** Answers POST /v1/messages; false for any other request. */
export function handleAnthropic(req: IncomingMessage, res: ServerResponse, url: string): boolean {
  if (req.method !== 'POST' || url !== '/v1/messages') return false;
  if (typeof req.headers['x-api-key'] !== 'string') {
    req.resume();
    sendError(res, 401, 'authentication_error', 'x-api-key header is required');
    return true;
  }
  if (typeof req.headers['anthropic-version'] !== 'string') {
    req.resume();
    sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    return true;
  }
  readJson(req, (body) => {
    if (!isObject(body) || typeof body.model !== 'string' || typeof body.max_tokens !== 'number' || !Array.isArray(body.messages)) {
      sendError(res, 400, 'invalid_request_error', 'model, max_tokens and messages are required');
      return;
    }
    if (body.stream === true) stream(res, body.model);
    else sendJson(res, 200, JSON.stringify(message(body.model, false)));
  });
  return true;
}
