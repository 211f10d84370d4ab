import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readHostileRequest } from './hostile-request.js';

/**
 * An upstream that turns on the gateway, for the outside checks (threat-outside-*): one server
 * speaking OpenAI's chat wire (`/chat/completions`, and `/embeddings` for the usage modes) and
 * Anthropic's (`/v1/messages`), whose
 * behaviour is picked by a `#h-<mode>` marker anywhere in the request body. Without a marker it
 * answers a short "hello", streamed when asked. Modes:
 *   echo-key-midstream  a first chunk, then an error event quoting the credential it was sent
 *                       (OpenAI's `data: {"error":...}`; Anthropic's `event: error`)
 *   usage-negative      an answer (streamed when asked) whose usage counts a million prompt
 *                       tokens below zero
 *   usage-huge          an answer whose usage counts 1e308 completion tokens
 *   huge-error-midstream  a first chunk, then an error event whose message is 5 MB long
 *   deep-json           a 200 chat completion whose `choices` nests 100,000 arrays deep
 */
export interface HostileUpstream {
  url: string;
  key: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;

const sse = (res: ServerResponse): void => void res.writeHead(200, { 'content-type': 'text/event-stream' });
const openAIChunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const anthropicEvent = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const credential = (req: IncomingMessage): string => String(req.headers.authorization ?? req.headers['x-api-key'] ?? '');

const ANTHROPIC_START = anthropicEvent('message_start', {
  message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 0 } },
});

/** The usage counts of each `usage-*` mode: prompt and completion tokens. */
const USAGE: Record<string, [number, number]> = { 'usage-negative': [-1_000_000, 1], 'usage-huge': [5, 1e308] };

function openAIAnswer(res: ServerResponse, body: Record<string, unknown>, [prompt, completion]: [number, number]): void {
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (body.stream === true) {
    sse(res);
    const last = `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage })}\n\n`;
    res.end(`${openAIChunk({ role: 'assistant', content: 'hello' })}${openAIChunk({}, 'stop')}${last}data: [DONE]\n\n`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage }));
}

function anthropicAnswer(res: ServerResponse, body: Record<string, unknown>, [input, output]: [number, number]): void {
  if (body.stream === true) {
    sse(res);
    const start = anthropicEvent('message_start', {
      message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: input, output_tokens: 0 } },
    });
    res.end(
      start +
        anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
        anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hello' } }) +
        anthropicEvent('content_block_stop', { index: 0 }) +
        anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: output } }) +
        anthropicEvent('message_stop', {}),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'hello' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: input, output_tokens: output } }));
}

function embeddings(res: ServerResponse, [prompt]: [number, number]): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], model: 'text-embedding-3-small', usage: { prompt_tokens: prompt, total_tokens: prompt } }));
}

const OPENAI: Record<string, Handler> = {
  'echo-key-midstream': (req, res) => {
    sse(res);
    res.write(openAIChunk({ role: 'assistant', content: 'par' }));
    res.end(`data: ${JSON.stringify({ error: { message: `Invalid credential ${credential(req)}`, type: 'server_error', code: null } })}\n\n`);
  },
  'huge-error-midstream': (_req, res) => {
    sse(res);
    res.write(openAIChunk({ role: 'assistant', content: 'par' }));
    res.end(`data: ${JSON.stringify({ error: { message: 'z'.repeat(5_000_000), type: 'server_error', code: null } })}\n\n`);
  },
  'deep-json': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"id":"chatcmpl-up","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  },
  ok: (_req, res, body) => openAIAnswer(res, body, [5, 1]),
  ...Object.fromEntries(Object.entries(USAGE).map(([mode, counts]) => [mode, (_req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => openAIAnswer(res, body, counts)])),
};

const ANTHROPIC: Record<string, Handler> = {
  'echo-key-midstream': (req, res) => {
    sse(res);
    res.write(ANTHROPIC_START);
    res.end(anthropicEvent('error', { error: { type: 'overloaded_error', message: `Invalid credential ${credential(req)}` } }));
  },
  ok: (_req, res, body) => anthropicAnswer(res, body, [5, 1]),
  ...Object.fromEntries(Object.entries(USAGE).map(([mode, counts]) => [mode, (_req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => anthropicAnswer(res, body, counts)])),
};

export async function startHostileUpstream(key = 'sk-hostile-upstream-secret-4711'): Promise<HostileUpstream> {
  const server: Server = createServer(
    readHostileRequest((req, res, body, mode) => {
      if (req.url?.endsWith('/embeddings')) return embeddings(res, USAGE[mode] ?? [5, 0]);
      const handlers = req.url?.endsWith('/messages') ? ANTHROPIC : OPENAI;
      (handlers[mode] ?? handlers.ok)(req, res, body);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
