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
 *   created-string, created-huge, created-negative   OpenAI: `created` "soon", 1e308 or -5
 *   choices-dup         OpenAI: every choice twice, both with index 0
 *   tool-index-huge     OpenAI: tool calls with index 1e9, -1, 1.5 and "0"
 *   tool-id-odd         OpenAI: tool call ids holding CR/LF and an SSE line, or 2 MB long
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
  const odd = ODD_OPENAI[mode];
  if (odd) return odd(res, body.stream === true);
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

/** OpenAI-wire answers with odd values where small ones belong; each writes the whole answer. */
const ODD_OPENAI: Record<string, (res: ServerResponse, stream: boolean) => void> = {
  'created-string': (res, stream) => oddAnswer(res, stream, { created: 'soon' }),
  'created-huge': (res, stream) => oddAnswer(res, stream, { created: 1e308 }),
  'created-negative': (res, stream) => oddAnswer(res, stream, { created: -5 }),
  'choices-dup': (res, stream) => oddAnswer(res, stream, {}, 2),
  'tool-index-huge': (res, stream) => oddTools(res, stream, [1e9, -1, 1.5, '0'], () => 'call_1'),
  'tool-id-odd': (res, stream) => oddTools(res, stream, [0, 1], (i) => (i === 0 ? 'call_1\r\n\r\ndata: {"injected":true}\n\n' : 'c'.repeat(2_000_000))),
};

function oddAnswer(res: ServerResponse, stream: boolean, fields: Record<string, unknown>, copies = 1): void {
  const head = { id: 'chatcmpl-up', object: stream ? 'chat.completion.chunk' : 'chat.completion', created: 1, model: 'gpt-4o-mini', ...fields };
  const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
  if (!stream) {
    const choices = Array.from({ length: copies }, () => ({ index: 0, message: { role: 'assistant', content: TEXT.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' }));
    return json(res, { ...head, choices, usage });
  }
  sse(res);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string => `data: ${JSON.stringify({ ...head, choices, ...extra })}\n\n`;
  const choices = (delta: Record<string, unknown>, finish: string | null) => Array.from({ length: copies }, () => ({ index: 0, delta, finish_reason: finish }));
  res.end(`${TEXT.map((text) => chunk(choices({ content: text }, null))).join('')}${chunk(choices({}, 'stop'))}${chunk([], { usage })}data: [DONE]\n\n`);
}

function oddTools(res: ServerResponse, stream: boolean, indexes: unknown[], id: (i: number) => string): void {
  const head = { id: 'chatcmpl-up', object: stream ? 'chat.completion.chunk' : 'chat.completion', created: 1, model: 'gpt-4o-mini' };
  const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
  if (!stream) {
    const calls = indexes.map((_, i) => ({ id: id(i), type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }));
    return json(res, { ...head, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: calls }, finish_reason: 'tool_calls' }], usage });
  }
  sse(res);
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): string => `data: ${JSON.stringify({ ...head, choices: delta ? [{ index: 0, delta, finish_reason: finish }] : [], ...extra })}\n\n`;
  let out = chunk({ role: 'assistant', content: null }, null);
  indexes.forEach((index, i) => {
    out += chunk({ tool_calls: [{ index, id: id(i), type: 'function', function: { name: 'weather', arguments: '' } }] }, null);
    out += chunk({ tool_calls: [{ index, function: { arguments: '{"city":"Paris"}' } }] }, null);
  });
  res.end(`${out}${chunk({}, 'tool_calls')}data: ${JSON.stringify({ ...head, choices: [], usage })}\n\ndata: [DONE]\n\n`);
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
