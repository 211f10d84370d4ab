import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An upstream that turns on the gateway, for the outside checks (threat-outside-*): one server
 * speaking OpenAI's chat wire (`/chat/completions`) and Anthropic's (`/v1/messages`), whose
 * behaviour is picked by a `#h-<mode>` marker anywhere in the request body. Without a marker it
 * answers a short "hello", streamed when asked. Modes:
 *   echo-key-midstream  a first chunk, then an error event quoting the credential it was sent
 *                       (OpenAI's `data: {"error":...}`; Anthropic's `event: error`)
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

const OPENAI: Record<string, Handler> = {
  'echo-key-midstream': (req, res) => {
    sse(res);
    res.write(openAIChunk({ role: 'assistant', content: 'par' }));
    res.end(`data: ${JSON.stringify({ error: { message: `Invalid credential ${credential(req)}`, type: 'server_error', code: null } })}\n\n`);
  },
  ok: (_req, res, body) => {
    if (body.stream === true) {
      sse(res);
      res.end(`${openAIChunk({ role: 'assistant', content: 'hello' })}${openAIChunk({}, 'stop')}data: [DONE]\n\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }));
  },
};

const ANTHROPIC: Record<string, Handler> = {
  'echo-key-midstream': (req, res) => {
    sse(res);
    res.write(ANTHROPIC_START);
    res.end(anthropicEvent('error', { error: { type: 'overloaded_error', message: `Invalid credential ${credential(req)}` } }));
  },
};

export async function startHostileUpstream(key = 'sk-hostile-upstream-secret-4711'): Promise<HostileUpstream> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // A body that is not JSON gets the default answer.
      }
      const mode = /#h-([a-z0-9-]+)/.exec(text)?.[1] ?? 'ok';
      const handlers = req.url?.endsWith('/messages') ? ANTHROPIC : OPENAI;
      (handlers[mode] ?? OPENAI.ok)(req, res, body);
    });
  });
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
