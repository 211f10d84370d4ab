/**
 * The fake upstream's Gemini dialect (Generative Language API v1beta), minimal and fast:
 *
 *   POST /v1beta/models/{model}:generateContent            one GenerateContentResponse: the
 *                                                          answer's text as one part, STOP, usage;
 *   POST /v1beta/models/{model}:streamGenerateContent?alt=sse
 *                                                          20 `data:` events, each a
 *                                                          GenerateContentResponse with one text
 *                                                          part (the last with finishReason and
 *                                                          usageMetadata), each in its own
 *                                                          event-loop turn; the last one ends the
 *                                                          body (Gemini has no end marker).
 *
 * Needs an `x-goog-api-key` header and a body with `contents`; checks nothing else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { COMPLETION_TOKENS, FULL_TEXT, PIECES, PROMPT_TOKENS, isObject, newId, readJson, schedule, sendJson } from './fake-common.js';

const ROUTE = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

const USAGE = {
  promptTokenCount: PROMPT_TOKENS,
  candidatesTokenCount: COMPLETION_TOKENS,
  totalTokenCount: PROMPT_TOKENS + COMPLETION_TOKENS,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: PROMPT_TOKENS }],
};

function sendError(res: ServerResponse, code: number, status: string, message: string): void {
  sendJson(res, code, JSON.stringify({ error: { code, message, status } }), 'application/json; charset=UTF-8');
}

function complete(res: ServerResponse, model: string): void {
  const response = {
    candidates: [{ content: { parts: [{ text: FULL_TEXT }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: USAGE,
    modelVersion: model,
    responseId: newId(''),
  };
  sendJson(res, 200, JSON.stringify(response), 'application/json; charset=UTF-8');
}

function stream(res: ServerResponse, model: string): void {
  const tail = `,"modelVersion":${JSON.stringify(model)},"responseId":"${newId('')}"}`;
  const usage = JSON.stringify(USAGE);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'content-disposition': 'attachment' });
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    const last = i === PIECES.length - 1;
    const candidate = `{"content":{"parts":[{"text":${JSON.stringify(PIECES[i])}}],"role":"model"}${last ? ',"finishReason":"STOP"' : ''},"index":0}`;
    const event = `data: {"candidates":[${candidate}]${last ? `,"usageMetadata":${usage}` : ''}${tail}\r\n\r\n`;
    i++;
    if (last) {
      res.end(event);
      return;
    }
    res.write(event);
    schedule(next);
  };
  next();
}

/** Answers a request under /v1beta/; false when the path is not Gemini's. */
export function handleGemini(req: IncomingMessage, res: ServerResponse, url: string): boolean {
  const query = url.indexOf('?');
  const route = ROUTE.exec(query < 0 ? url : url.slice(0, query));
  if (!route || req.method !== 'POST') return false;
  const [, model, method] = route;
  if (typeof req.headers['x-goog-api-key'] !== 'string') {
    req.resume();
    sendError(res, 403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
    return true;
  }
  const streaming = method === 'streamGenerateContent';
  if (streaming && !url.slice(query + 1).split('&').includes('alt=sse')) {
    req.resume();
    sendError(res, 400, 'INVALID_ARGUMENT', 'the bench fake streams only with alt=sse');
    return true;
  }
  readJson(req, (body) => {
    if (!isObject(body) || !Array.isArray(body.contents) || body.contents.length === 0) {
      sendError(res, 400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified\n');
      return;
    }
    if (streaming) stream(res, model);
    else complete(res, model);
  });
  return true;
}
