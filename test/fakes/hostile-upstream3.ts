import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readHostileRequest } from './hostile-request.js';

/**
 * An upstream sending absurd values where the gateway expects small ones, for threat-outside3-*:
 * one server speaking OpenAI's chat wire (`/chat/completions`), Anthropic's (`/v1/messages`),
 * Gemini's (`/v1beta/models/{m}:generateContent`, `:streamGenerateContent`) and Cohere's
 * (`/v2/chat`), streamed when asked. The behaviour is picked by a `#h-<mode>` marker in the body;
 * without one it answers "hello there friend". Modes:
 *   usage-huge          usage counting 1e308 answer tokens (OpenAI streamed: in a usage-only chunk)
 *   usage-huge-finish   OpenAI streamed: the 1e308 usage on the chunk that carries the finish reason
 *   finish-long         a finish reason 100,000 characters long
 *   finish-odd          a finish reason with a CR/LF and markup in it
 *   error-fields-long   OpenAI: an error (a 400, or an event mid-stream) whose param, type and
 *                       code are 100,000 characters long
 *   error-message-object  OpenAI: an error whose message and param are objects
 *   error-object        Cohere: a `message-end` whose `error` is an object
 *   tool-args-object    Cohere: a tool call whose arguments are an object
 *   tool-args-number    Cohere: a tool call whose arguments are a number
 */
export interface HostileUpstream3 {
  url: string;
  close(): Promise<void>;
}

export const LONG = 100_000;
const TEXT = ['hello', ' there', ' friend'];
const HUGE: [number, number] = [5, 1e308];
const USUAL: [number, number] = [5, 3];

const sse = (res: ServerResponse): void => void res.writeHead(200, { 'content-type': 'text/event-stream' });
const json = (res: ServerResponse, body: unknown, status = 200): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const usageOf = (mode: string): [number, number] => (mode.startsWith('usage-huge') ? HUGE : USUAL);
/** The finish reason of a mode, or the wire's usual one. */
const finishOf = (mode: string, usual: string): string => (mode === 'finish-long' ? 'x'.repeat(LONG) : mode === 'finish-odd' ? 'stop\r\n<b>bold</b>' : usual);

function openAI(res: ServerResponse, body: Record<string, unknown>, mode: string): void {
  const [prompt, completion] = usageOf(mode);
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  const finish = finishOf(mode, 'stop');
  const longError = { error: { message: 'boom', type: 't'.repeat(LONG), param: 'p'.repeat(LONG), code: 'c'.repeat(LONG) } };
  const objectError = { error: { message: { nested: 'boom' }, type: 'server_error', param: { nested: 'p' }, code: null } };
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices, ...extra })}\n\n`;
  if (body.stream !== true) {
    if (mode === 'error-fields-long') return json(res, longError, 400);
    if (mode === 'error-message-object') return json(res, objectError, 400);
    return json(res, { id: 'chatcmpl-up', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: TEXT.join('') }, finish_reason: finish }], usage });
  }
  sse(res);
  let out = TEXT.map((text, i) => chunk([{ index: 0, delta: i === 0 ? { role: 'assistant', content: text } : { content: text }, finish_reason: null }])).join('');
  if (mode === 'error-fields-long' || mode === 'error-message-object') {
    res.end(`${out}data: ${JSON.stringify(mode === 'error-fields-long' ? longError : objectError)}\n\n`);
    return;
  }
  if (mode === 'usage-huge-finish') out += chunk([{ index: 0, delta: {}, finish_reason: finish }], { usage });
  else out += chunk([{ index: 0, delta: {}, finish_reason: finish }]) + chunk([], { usage });
  res.end(`${out}data: [DONE]\n\n`);
}

const anthropicEvent = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

function anthropic(res: ServerResponse, body: Record<string, unknown>, mode: string): void {
  const [input, output] = usageOf(mode);
  const stop = finishOf(mode, 'end_turn');
  if (body.stream !== true) {
    return json(res, { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: TEXT.join('') }], stop_reason: stop, stop_sequence: null, usage: { input_tokens: input, output_tokens: output } });
  }
  sse(res);
  res.end(
    anthropicEvent('message_start', { message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: input, output_tokens: 0 } } }) +
      anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
      TEXT.map((text) => anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })).join('') +
      anthropicEvent('content_block_stop', { index: 0 }) +
      anthropicEvent('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: output } }) +
      anthropicEvent('message_stop', {}),
  );
}

function gemini(req: IncomingMessage, res: ServerResponse, mode: string): void {
  const [prompt, candidates] = usageOf(mode);
  const finishReason = mode.startsWith('finish-') ? finishOf(mode, 'STOP') : 'STOP';
  const piece = (text: string, last: boolean): Record<string, unknown> => ({
    candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(last ? { finishReason } : {}), index: 0 }],
    ...(last ? { usageMetadata: { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates } } : {}),
    modelVersion: 'gemini-x',
  });
  if (!req.url?.includes(':streamGenerateContent')) return json(res, piece(TEXT.join(''), true));
  sse(res);
  res.end(TEXT.map((text, i) => `data: ${JSON.stringify(piece(text, i === TEXT.length - 1))}\n\n`).join(''));
}

const cohereEvent = (type: string, data: Record<string, unknown> = {}): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

function cohere(res: ServerResponse, body: Record<string, unknown>, mode: string): void {
  const [input, output] = usageOf(mode);
  const usage = { billed_units: { input_tokens: input, output_tokens: output }, tokens: { input_tokens: input, output_tokens: output } };
  const finish = mode.startsWith('finish-') ? finishOf(mode, 'COMPLETE') : mode.startsWith('tool-args') ? 'TOOL_CALL' : 'COMPLETE';
  const args = mode === 'tool-args-object' ? { city: 'Paris' } : mode === 'tool-args-number' ? 42 : undefined;
  if (body.stream !== true) {
    const message = args === undefined ? { role: 'assistant', content: [{ type: 'text', text: TEXT.join('') }] } : { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: args } }] };
    return json(res, { id: 'c', finish_reason: finish, message, usage });
  }
  sse(res);
  let out = cohereEvent('message-start', { id: 'c', delta: { message: { role: 'assistant' } } });
  if (args !== undefined) {
    out +=
      cohereEvent('tool-call-start', { index: 0, delta: { message: { tool_calls: { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } } } } }) +
      cohereEvent('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: args } } } } }) +
      cohereEvent('tool-call-end', { index: 0 });
  } else {
    out += cohereEvent('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } });
    out += TEXT.map((text) => cohereEvent('content-delta', { index: 0, delta: { message: { content: { text } } } })).join('');
    out += cohereEvent('content-end', { index: 0 });
  }
  const end = mode === 'error-object' ? { error: { message: 'the model crashed', code: 'internal' }, finish_reason: 'ERROR' } : { finish_reason: finish, usage };
  res.end(out + cohereEvent('message-end', { delta: end }));
}

export async function startHostileUpstream3(): Promise<HostileUpstream3> {
  const server: Server = createServer(
    readHostileRequest((req, res, body, mode) => {
      if (req.url?.startsWith('/v1beta/')) gemini(req, res, mode);
      else if (req.url?.startsWith('/v2/')) cohere(res, body, mode);
      else if (req.url?.endsWith('/messages')) anthropic(res, body, mode);
      else openAI(res, body, mode);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
