import type { ToolCall } from './stream-chat.js';

export type Part = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
export interface Message {
  role: 'user' | 'assistant' | 'tool';
  content: string | Part[];
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/** The playground's fields filled from a logged chat or API2.0 body, so Send re-runs its last turn. */
export interface ChatPrefill {
  model: string;
  system: string;
  /** The turns before the last user message. */
  messages: Message[];
  /** The last user message's text and image: the composer's content. */
  input: string;
  image: string | null;
  temperature: string;
  maxTokens: string;
  toolsText: string;
  /** Every other parameter (response_format, top_p, stop, ...) as a JSON object's text. */
  paramsText: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function textOfParts(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p: { type?: string; text?: string }) => (p?.type === 'text' ? (p.text ?? '') : '')).join('\n');
}

function asMessage(m: Json): Message {
  const role = m.role === 'assistant' || m.role === 'tool' ? m.role : 'user';
  const content = Array.isArray(m.content) ? (m.content as Part[]) : typeof m.content === 'string' ? m.content : '';
  return {
    role,
    content,
    ...(Array.isArray(m.tool_calls) && { tool_calls: m.tool_calls as ToolCall[] }),
    ...(typeof m.tool_call_id === 'string' && { tool_call_id: m.tool_call_id }),
  };
}

/** API2.0 keeps the chat under `request`, with parameters beside `model` too: flattened as the server does. */
export function chatBody(endpoint: string, body: Json): Json {
  if (endpoint !== 'v2') return body;
  const { request, meta: _meta, ...outer } = body;
  return { ...outer, ...(isObject(request) ? request : {}), model: body.model };
}

export function chatPrefill(endpoint: string, logged: Json): ChatPrefill {
  const { model, messages, temperature, max_tokens, tools, stream: _stream, stream_options: _options, ...params } = chatBody(endpoint, logged);
  const all = (Array.isArray(messages) ? messages : []).filter(isObject);
  // System and developer messages become the system prompt; the rest the conversation.
  const system = all.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOfParts(m.content)).join('\n\n');
  const turns = all.filter((m) => m.role !== 'system' && m.role !== 'developer').map(asMessage);
  const last = turns.at(-1);
  let input = '';
  let image: string | null = null;
  if (last?.role === 'user') {
    turns.pop();
    input = textOfParts(last.content);
    if (Array.isArray(last.content)) image = last.content.find((p): p is Extract<Part, { type: 'image_url' }> => p.type === 'image_url')?.image_url.url ?? null;
  }
  return {
    model: typeof model === 'string' ? model : '',
    system,
    messages: turns,
    input,
    image,
    temperature: typeof temperature === 'number' ? String(temperature) : '',
    maxTokens: typeof max_tokens === 'number' ? String(max_tokens) : '',
    toolsText: Array.isArray(tools) && tools.length ? JSON.stringify(tools, null, 2) : '',
    paramsText: Object.keys(params).length ? JSON.stringify(params, null, 2) : '',
  };
}
