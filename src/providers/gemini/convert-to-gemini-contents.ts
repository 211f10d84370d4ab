import type { ChatMessage, ContentPart } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import type { LoadedImage } from '../shared/fetch-image.js';
import type { GeminiContent, GeminiPart } from './gemini-api.js';
import { splitToolCallId } from './gemini-tool-call-id.js';
import { movedSystemMessage, requireSystemText, systemPromptLength, wrapSystemText } from '../../core/system-messages.js';
import { clientName, type Warn } from '../../core/warnings.js';

export interface GeminiContentsContext {
  /** The upstream model: Gemini 3 and later refuse function calls without a thought signature. */
  model?: string;
  /** Bytes of an image or file URL (`data:` decoded, http(s) fetched with SSRF protection). */
  loadImage(url: string): Promise<LoadedImage>;
  warn: Warn;
}

export interface GeminiContents {
  systemInstruction?: { parts: GeminiPart[] };
  contents: GeminiContent[];
}

type PendingPart = GeminiPart | Promise<GeminiPart>;

/**
 * What Google documents to send as the signature of a function call Gemini did not make (a
 * conversation begun on another model), so that Gemini 3 does not refuse it.
 */
const UNSIGNED_CALL = 'skip_thought_signature_validator';

/** Gemini 3 and later validate thought signatures on function calls; earlier models ignore them. */
function requiresThoughtSignatures(model: string): boolean {
  const major = /(?:^|\/)gemini-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : p.type === 'refusal' && typeof p.refusal === 'string' ? p.refusal : '')).join('');
}

/**
 * A tool result as Gemini's `functionResponse.response`, which must be a JSON object: content that
 * is a JSON object is sent as that object, anything else as `{"result": "<content>"}`.
 */
function functionResponse(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed)) return parsed;
  } catch {
    // Not JSON: sent as text below.
  }
  return { result: text };
}

function functionArgs(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed)) return parsed;
  } catch {
    // Reported below.
  }
  throw new ApiError('invalid_request', `Invalid value for '${param}': Gemini needs the arguments of a tool call to be a JSON object.`, { param });
}

/**
 * OpenAI chat messages as Gemini `contents` and `systemInstruction`: leading system and developer
 * messages become the system instruction, later ones user turns wrapped in `<system>` tags
 * (core/system-messages.ts); assistant turns are `model` turns with `functionCall` parts (with
 * the thought signature their tool call id carries); tool
 * results are `functionResponse` parts of a `user` turn, named after the assistant call they answer;
 * consecutive turns of one role are merged and empty parts left out, as Gemini requires.
 */
export async function convertToGeminiContents(messages: readonly ChatMessage[], ctx: GeminiContentsContext): Promise<GeminiContents> {
  const callNames = new Map<string, string>();
  for (const message of messages) for (const call of message.tool_calls ?? []) callNames.set(call.id, call.function.name);

  const system: GeminiPart[] = [];
  const turns: Array<{ role: 'user' | 'model'; parts: PendingPart[] }> = [];
  const push = (role: 'user' | 'model', parts: PendingPart[]): void => {
    if (parts.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else turns.push({ role, parts });
  };
  const leading = systemPromptLength(messages);
  const needsSignatures = ctx.model !== undefined && requiresThoughtSignatures(ctx.model);
  let moved = false;
  const reported = new Set<string>();
  const warnOnce = (message: string): void => {
    if (reported.has(message)) return;
    reported.add(message);
    ctx.warn('dropped_content', message);
  };
  const partsContext: PartsContext = { loadImage: (url) => ctx.loadImage(url), warnOnce };

  for (const [i, message] of messages.entries()) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        requireSystemText(message, i);
        const text = textOf(message.content);
        if (!text) break;
        if (i < leading) {
          system.push({ text });
          break;
        }
        if (!moved) ctx.warn('moved_system_message', movedSystemMessage('gemini'));
        moved = true;
        push('user', [{ text: wrapSystemText(text) }]);
        break;
      }
      case 'user':
        push('user', userParts(message.content, i, partsContext));
        break;
      case 'assistant': {
        const parts: PendingPart[] = [];
        const text = textOf(message.content);
        if (text) parts.push({ text });
        const calls = (message.tool_calls ?? []).map((call) => ({ call, signature: splitToolCallId(call.id).signature }));
        // Gemini signs a turn's first function call only; a turn it did not make gets Google's documented stand-in.
        const unsigned = needsSignatures && calls.length > 0 && calls.every((c) => c.signature === undefined);
        for (const [j, { call, signature }] of calls.entries()) {
          const part: GeminiPart = { functionCall: { name: call.function.name, args: functionArgs(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) } };
          if (signature) part.thoughtSignature = signature;
          else if (j === 0 && unsigned) part.thoughtSignature = UNSIGNED_CALL;
          parts.push(part);
        }
        push('model', parts);
        break;
      }
      case 'tool':
      case 'function': {
        const name = (message.tool_call_id ? callNames.get(message.tool_call_id) : undefined) ?? message.name;
        if (!name) {
          throw new ApiError('invalid_request', `Invalid value for 'messages[${i}].tool_call_id': no assistant tool call in the conversation has this id.`, {
            param: `messages[${i}].tool_call_id`,
          });
        }
        push('user', [{ functionResponse: { name, response: functionResponse(textOf(message.content)) } }]);
        break;
      }
    }
  }

  const contents = await Promise.all(turns.map(async ({ role, parts }) => ({ role, parts: await Promise.all(parts) })));
  if (contents.length === 0) {
    throw new ApiError('invalid_request', 'Gemini needs at least one user or assistant message with content.', { param: 'messages' });
  }
  const converted: GeminiContents = { contents };
  if (system.length > 0) converted.systemInstruction = { parts: system };
  return converted;
}

/** What reading a user turn's parts needs, the same for every message of one conversion. */
interface PartsContext {
  loadImage: GeminiContentsContext['loadImage'];
  /** Warns of dropped content, once per distinct message. */
  warnOnce: (message: string) => void;
}

function userParts(content: ChatMessage['content'], i: number, { loadImage, warnOnce }: PartsContext): PendingPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  const parts: PendingPart[] = [];
  for (const part of (content ?? []) as ContentPart[]) {
    if (part.type === 'text' && typeof part.text === 'string') {
      if (part.text) parts.push({ text: part.text });
    } else if (part.type === 'image_url' && isPlainObject(part.image_url) && typeof part.image_url.url === 'string') {
      const detail = part.image_url.detail;
      if (detail === 'low' || detail === 'high') warnOnce(`gemini has no per-image detail; image_url.detail ${clientName(detail)} was ignored`);
      parts.push(inline(loadImage(part.image_url.url)));
    } else if (part.type === 'input_audio' && isPlainObject(part.input_audio) && typeof part.input_audio.data === 'string') {
      parts.push({ inlineData: { mimeType: `audio/${String(part.input_audio.format ?? 'wav')}`, data: part.input_audio.data } });
    } else if (part.type === 'file' && isPlainObject(part.file) && typeof part.file.file_data === 'string') {
      parts.push(inline(loadImage(part.file.file_data)));
    } else {
      warnOnce(`gemini cannot take content parts of type ${clientName(part.type)}; one in messages[${i}] was dropped`);
    }
  }
  return parts;
}

function inline(loading: Promise<LoadedImage>): Promise<GeminiPart> {
  const part = loading.then((image) => ({ inlineData: { mimeType: image.mediaType, data: image.data } }));
  // Awaited with the others once every message is converted; this keeps a failure from going
  // unhandled if a later message throws first.
  part.catch(() => undefined);
  return part;
}
