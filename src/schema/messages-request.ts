import { z } from 'zod';
import type { ChatMessage, ChatRequest, ContentPart, ToolCall } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { ANTHROPIC_MESSAGES, isGatewayThinking } from '../core/anthropic-messages.js';
import { CHAT_TOOLS, readChatTools } from '../core/tools.js';
import { parseListed } from './first-issue.js';

/**
 * Anthropic's Messages API request, read into the core chat request every provider takes.
 * Blocks are checked by their `type` and the fields we read; `cache_control` and other
 * attributes only Anthropic understands are accepted and left out of the core request.
 */
const block = z.looseObject({ type: z.string() });
const content = z.union([z.string(), z.array(block)]);

const message = z.looseObject({ role: z.enum(['user', 'assistant']), content });
/** The common message `message` takes: a turn of text. */
const isTextMessage = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string' && ((value as { role?: unknown }).role === 'user' || (value as { role?: unknown }).role === 'assistant');

const messagesRequest = z.looseObject({
  model: z.string().min(1),
  // Each message is read by `message`, one by one (parseListed).
  messages: z.array(z.unknown()),
  system: content.optional(),
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
  stream: z.boolean().optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1), type: z.string().optional(), description: z.string().optional(), input_schema: z.looseObject({}).optional() })).optional(),
  tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional(), disable_parallel_tool_use: z.boolean().optional() }).optional(),
  thinking: z.looseObject({ type: z.string(), budget_tokens: z.number().int().optional() }).optional(),
});

export type MessagesBody = { messages: Array<z.infer<typeof message>> } & z.infer<typeof messagesRequest>;
type Block = z.infer<typeof block>;

export interface MessagesRequest {
  /** The request as the core chat request; `reasoning_effort` is set by the route when the model can think. */
  chat: ChatRequest;
  /** The extended thinking budget the client asked for, if it turned thinking on. */
  thinkingBudget: number | undefined;
}

const invalid = (message: string): ApiError => new ApiError('invalid_request', message);

function paramPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `.${part}` : out ? `.${String(part)}` : String(part);
  return out;
}

/** What the body holds at a path of zod's (its issues carry no input unless asked, at a cost). */
function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** Validates a Messages API body and reads it into a core chat request; the first problem is a 400 in Anthropic's words. */
export function parseMessagesRequest(body: unknown, betas: string[] = []): MessagesRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('The request body must be a JSON object.');
  const result = parseListed<MessagesBody>({ schema: messagesRequest, key: 'messages', item: message, plain: isTextMessage, body });
  if (!result.success) {
    const issue = result.issue;
    const field = paramPath(issue.path);
    throw invalid(issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined ? `${field}: Field required` : `${field}: ${issue.message}`);
  }
  const request = result.data;
  const messages: ChatMessage[] = [];
  if (request.system !== undefined) {
    const system = typeof request.system === 'string' ? request.system : textOf(request.system, 'system');
    if (system !== '') messages.push({ role: 'system', content: system });
  }
  for (let i = 0; i < request.messages.length; i++) {
    const message = request.messages[i];
    // A turn of text needs no path for its errors: it has none.
    if (message.role === 'user' && typeof message.content === 'string') messages.push({ role: 'user', content: message.content });
    else if (message.role === 'user') userMessages(message.content, `messages.${i}.content`, messages);
    else messages.push(assistantMessage(message.content, `messages.${i}.content`));
  }
  if (messages.every((m) => m.role === 'system')) throw invalid('messages: at least one message is required');

  const chat: ChatRequest = { model: request.model, messages, max_tokens: request.max_tokens };
  if (request.stream) chat.stream = true;
  if (request.stop_sequences?.length) chat.stop = request.stop_sequences;
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  // Anthropic's and Gemini's own; an OpenAI-compatible upstream takes it or refuses it, as on the chat route.
  if (request.top_k !== undefined) chat.top_k = request.top_k;
  if (typeof request.metadata?.user_id === 'string') chat.user = request.metadata.user_id;
  const choice = request.tool_choice;
  if (request.tools?.length) {
    chat.tools = request.tools.map((tool) =>
      tool.type === undefined || tool.type === 'custom'
        ? { type: 'function', function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.input_schema ?? { type: 'object' } } }
        : { type: tool.type, name: tool.name },
    );
    if (choice?.disable_parallel_tool_use === true && choice.type !== 'none') chat.parallel_tool_calls = false;
  }
  if (choice !== undefined) {
    if (choice.type === 'tool' && choice.name === undefined) throw invalid('tool_choice.name: Field required');
    chat.tool_choice = choice.type === 'any' ? 'required' : choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
  }
  chat[CHAT_TOOLS] = readChatTools(chat.tools, chat.tool_choice);
  const thinkingBudget = request.thinking?.type === 'enabled' ? (request.thinking.budget_tokens ?? 1024) : undefined;
  chat[ANTHROPIC_MESSAGES] = { body: originalBody(body as Record<string, unknown>), betas, thinking: thinkingBudget !== undefined };
  return { chat, thinkingBudget };
}

/** The client's body as an Anthropic deployment is sent it, without `stream` (the adapter's choice); its thinking is the adapter's to pass on or leave out. */
function originalBody(body: Record<string, unknown>): Record<string, unknown> {
  const { stream: _stream, ...rest } = body;
  return rest;
}

/** The text of blocks that can only hold text (the system prompt, a tool result read as text). */
function textOf(blocks: readonly Block[], path: string): string {
  let text = '';
  for (const [i, b] of blocks.entries()) {
    if (b.type !== 'text' || typeof b.text !== 'string') throw invalid(`${path}.${i}: expected a text block`);
    text += (text === '' ? '' : '\n\n') + b.text;
  }
  return text;
}

function imagePart(b: Block, path: string): ContentPart {
  const source = b.source as Record<string, unknown> | undefined;
  if (source?.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source?.type === 'url' && typeof source.url === 'string') return { type: 'image_url', image_url: { url: source.url } };
  throw invalid(`${path}.source: expected a base64 or url image source`);
}

function documentPart(b: Block, path: string): ContentPart {
  const source = b.source as Record<string, unknown> | undefined;
  if (source?.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
    return { type: 'file', file: { file_data: `data:${source.media_type};base64,${source.data}`, filename: typeof b.title === 'string' ? b.title : 'document.pdf' } };
  }
  // By URL: Anthropic fetches it itself; routing sends it only where a deployment takes files by URL.
  if (source?.type === 'url' && typeof source.url === 'string') return { type: 'file', file: { file_url: source.url, ...(typeof b.title === 'string' ? { filename: b.title } : {}) } };
  if (source?.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data };
  throw invalid(`${path}.source: expected a base64, url or text document source`);
}

/** A user turn: its tool results first, as tool messages (OpenAI's order), then its other blocks as one user message. */
function userMessages(value: string | Block[], path: string, out: ChatMessage[]): void {
  if (typeof value === 'string') {
    out.push({ role: 'user', content: value });
    return;
  }
  const parts: ContentPart[] = [];
  for (const [i, b] of value.entries()) {
    const at = `${path}.${i}`;
    switch (b.type) {
      case 'text':
        if (typeof b.text !== 'string') throw invalid(`${at}.text: Field required`);
        parts.push({ type: 'text', text: b.text });
        break;
      case 'image':
        parts.push(imagePart(b, at));
        break;
      case 'document':
        parts.push(documentPart(b, at));
        break;
      case 'tool_result':
        out.push(toolMessage(b, at));
        break;
      default:
        throw invalid(`${at}.type: a user message cannot hold a ${JSON.stringify(String(b.type).slice(0, 40))} block`);
    }
  }
  if (parts.length > 0) out.push({ role: 'user', content: parts.length === 1 && parts[0].type === 'text' ? (parts[0] as { text: string }).text : parts });
}

/** A tool result as the tool message of its call; an error result says so in its text, as the core types have no flag for it. */
function toolMessage(b: Block, path: string): ChatMessage {
  if (typeof b.tool_use_id !== 'string') throw invalid(`${path}.tool_use_id: Field required`);
  const raw = b.content;
  let text: string;
  if (raw === undefined || raw === null) text = '';
  else if (typeof raw === 'string') text = raw;
  else if (Array.isArray(raw)) {
    text = '';
    for (const [i, part] of (raw as Block[]).entries()) {
      if (part?.type === 'text' && typeof part.text === 'string') text += (text === '' ? '' : '\n') + part.text;
      else if (part?.type !== 'image') throw invalid(`${path}.content.${i}: expected a text or image block`);
    }
  } else throw invalid(`${path}.content: expected a string or a list of blocks`);
  if (b.is_error === true) text = `Error: ${text}`;
  return { role: 'tool', tool_call_id: b.tool_use_id, content: text };
}

/**
 * An assistant turn: its text and tool calls, and the text of the thinking blocks the gateway
 * signed as the turn's reasoning (models that reason across tool calls take it back). Other
 * thinking blocks are another provider's, signed for it alone, and are left out.
 */
function assistantMessage(value: string | Block[], path: string): ChatMessage {
  if (typeof value === 'string') return { role: 'assistant', content: value };
  let text = '';
  let reasoning = '';
  const calls: ToolCall[] = [];
  for (const [i, b] of value.entries()) {
    const at = `${path}.${i}`;
    if (b.type === 'text') {
      if (typeof b.text !== 'string') throw invalid(`${at}.text: Field required`);
      text += b.text;
    } else if (b.type === 'tool_use') {
      if (typeof b.id !== 'string' || typeof b.name !== 'string') throw invalid(`${at}: a tool_use block needs an id and a name`);
      calls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type === 'thinking') {
      if (typeof b.thinking === 'string' && isGatewayThinking(b.thinking, b.signature)) reasoning += b.thinking;
    } else if (b.type !== 'redacted_thinking') {
      throw invalid(`${at}.type: an assistant message cannot hold a ${JSON.stringify(String(b.type).slice(0, 40))} block`);
    }
  }
  const message: ChatMessage = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) message.tool_calls = calls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  return message;
}
