import { parseArgs } from 'node:util';
import { request } from 'undici';
import type { Settings } from '../config/settings.js';
import { UsageError } from './cli-error.js';

export const CHAT_HELP = `opensq chat — ask a model and stream the answer to the terminal

Usage:
  opensq chat -m MODEL [--system TEXT] [--url URL] [--key KEY] [--json] "prompt"

Against a running server with --url (or OPENSQ_URL), e.g. --url http://localhost:8000; without
one, in-process: the server's code runs inside this command on the same configuration and
database. The key is --key, OPENSQ_API_KEY, or the public key "openai".
--json prints the whole chat.completion instead of streaming.
Exit codes: 0 answered, 1 the request failed (the error is printed), 2 bad usage.
`;

export class ChatFailed extends Error {}

export async function chatCommand(settings: Settings, args: string[], write: (text: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { model: { type: 'string', short: 'm' }, system: { type: 'string' }, url: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (!values.model) throw new UsageError('chat needs -m MODEL');
  const prompt = positionals.join(' ');
  if (!prompt) throw new UsageError('chat needs a prompt');
  const messages = [...(values.system ? [{ role: 'system', content: values.system }] : []), { role: 'user', content: prompt }];
  const key = values.key ?? process.env.OPENSQ_API_KEY ?? 'openai';
  const url = values.url ?? process.env.OPENSQ_URL;
  if (url) return ask({ base: url, key, model: values.model, messages, json: values.json === true, write });

  const { buildApp } = await import('../server/app.js');
  const { createContext, closeContext } = await import('../server/create-context.js');
  const { closeUpstreamDispatcher } = await import('../providers/shared/http-client.js');
  const ctx = await createContext({ ...settings, logLevel: process.env.LOG_LEVEL ?? 'silent' });
  const app = buildApp(ctx);
  try {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    await ask({ base: address, key, model: values.model, messages, json: values.json === true, write });
  } finally {
    await app.close();
    await closeContext(ctx);
    await closeUpstreamDispatcher();
  }
}

interface Question {
  /** The server's URL. */
  base: string;
  key: string;
  model: string;
  messages: unknown[];
  /** The whole chat.completion, printed, instead of the streamed text. */
  json: boolean;
  write(text: string): void;
}

async function ask({ base, key, model, messages, json, write }: Question): Promise<void> {
  const res = await request(`${base.replace(/\/+$/, '')}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages, stream: !json }),
  });
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      /* not our JSON error: show it as it came */
    }
    throw new ChatFailed(`HTTP ${res.statusCode}: ${message}`);
  }
  if (json) return write(`${JSON.stringify(JSON.parse(await res.body.text()), null, 2)}\n`);
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += chunk.toString();
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const event = JSON.parse(line.slice(6)) as { error?: { message: string }; choices?: Array<{ delta?: { content?: string | null } }> };
      if (event.error) throw new ChatFailed(`the stream failed: ${event.error.message}`);
      const text = event.choices?.[0]?.delta?.content;
      if (text) write(text);
    }
  }
  write('\n');
}
