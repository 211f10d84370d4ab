import type { ChatMessage, ContentPart } from '../../core/chat.js';
import { isGatewaySignature } from '../../core/anthropic-messages.js';
import { ApiError } from '../../core/errors.js';
import type { LoadedImage } from '../shared/fetch-image.js';
import type { AnthropicDocumentSource, AnthropicImageSource, AnthropicMessageParam, AnthropicRequestBlock } from './anthropic-api.js';
import { clientName, type Warning } from '../../core/warnings.js';
import { movedSystemMessage, requireSystemText, systemPromptLength, wrapSystemText } from '../../core/system-messages.js';

/** Turns a non-https image URL (`data:` or http) into inline bytes; the adapter passes `fetchImage`. */
export type LoadImage = (url: string) => Promise<LoadedImage>;

export interface AnthropicPrompt {
  system?: Array<{ type: 'text'; text: string }>;
  messages: AnthropicMessageParam[];
  warnings: Warning[];
}

type TextOrImage = Extract<AnthropicRequestBlock, { type: 'text' | 'image' | 'document' }>;

function invalid(message: string, param: string): ApiError {
  return new ApiError('invalid_request', message, { param });
}

async function imageSource(url: string, loadImage: LoadImage): Promise<AnthropicImageSource> {
  // Anthropic fetches https URLs itself; anything else must travel as bytes.
  if (url.startsWith('https://')) return { type: 'url', url };
  const image = await loadImage(url);
  return { type: 'base64', media_type: image.mediaType, data: image.data };
}

const PDF_DATA = 'data:application/pdf;base64,';

/** A `file` part as a document block: a PDF as a data URL, or by an https URL (a Messages API document's url source). */
function documentSource(file: { file_data?: unknown; file_url?: unknown } | undefined, param: string): AnthropicDocumentSource {
  if (typeof file?.file_data === 'string' && file.file_data.startsWith(PDF_DATA)) return { type: 'base64', media_type: 'application/pdf', data: file.file_data.slice(PDF_DATA.length) };
  if (typeof file?.file_url === 'string' && file.file_url.startsWith('https://')) return { type: 'url', url: file.file_url };
  throw invalid('Provider anthropic takes PDF files only, as a data:application/pdf;base64 URL or an https URL.', param);
}

/** What reading content parts needs, the same for every message of one conversion. */
interface BlockContext {
  loadImage: LoadImage;
  /** Collects what was dropped. */
  warnings: Warning[];
}

/** A message's content as text, image and document blocks; empty texts are left out, as Anthropic rejects them. */
async function contentBlocks(content: ChatMessage['content'], param: string, { loadImage, warnings }: BlockContext): Promise<TextOrImage[]> {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const blocks: TextOrImage[] = [];
  for (const [j, part] of (content as ContentPart[]).entries()) {
    const text = part.type === 'text' ? part.text : part.type === 'refusal' ? part.refusal : undefined;
    if (typeof text === 'string') {
      if (text) blocks.push({ type: 'text', text });
    } else if (part.type === 'image_url' && typeof (part.image_url as { url?: unknown } | undefined)?.url === 'string') {
      const image = part.image_url as { url: string; detail?: string };
      if (image.detail && image.detail !== 'auto') warnings.push({ code: 'dropped_content', message: `image_url.detail ${clientName(image.detail)} is not supported by provider anthropic` });
      blocks.push({ type: 'image', source: await imageSource(image.url, loadImage) });
    } else if (part.type === 'file') {
      const file = part.file as { file_data?: unknown; file_url?: unknown; filename?: unknown } | undefined;
      const block: TextOrImage = { type: 'document', source: documentSource(file, `${param}[${j}]`) };
      if (typeof file?.filename === 'string') block.title = file.filename;
      blocks.push(block);
    } else {
      throw invalid(`Content parts of type "${part.type}" are not supported by provider anthropic.`, `${param}[${j}]`);
    }
  }
  return blocks;
}

/** A system message's text; requireSystemText has refused any other part. */
function textOf(blocks: TextOrImage[]): string {
  return blocks.map((b) => (b as { text: string }).text).join('\n');
}

function toolUse(call: NonNullable<ChatMessage['tool_calls']>[number], param: string): AnthropicRequestBlock {
  let input: unknown;
  try {
    input = JSON.parse(call.function.arguments || '{}');
  } catch {
    input = undefined;
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid('Tool call arguments must be a JSON object for provider anthropic.', `${param}.function.arguments`);
  }
  return { type: 'tool_use', id: call.id, name: call.function.name, input: input as Record<string, unknown> };
}

/**
 * An assistant turn's `thinking_blocks` (as answers carry them, chat-chunks.ts) that Anthropic
 * signed, to go back first in the turn as Anthropic requires with thinking and tools; unsigned
 * blocks and the gateway's own are left out, as Anthropic would refuse them.
 */
function signedThinking(value: unknown): AnthropicRequestBlock[] {
  if (!Array.isArray(value)) return [];
  const blocks: AnthropicRequestBlock[] = [];
  for (const block of value as Array<Record<string, unknown>>) {
    if (block?.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string' && !isGatewaySignature(block.signature)) {
      blocks.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
    } else if (block?.type === 'redacted_thinking' && typeof block.data === 'string') blocks.push({ type: 'redacted_thinking', data: block.data });
  }
  return blocks;
}

/**
 * OpenAI's messages as Anthropic's `system` and `messages`: leading system and developer messages
 * are the top-level system prompt, later ones user turns wrapped in `<system>` tags
 * (core/system-messages.ts); tool results become `tool_result` blocks of a user turn;
 * assistant tool calls become `tool_use` blocks; consecutive turns of one role are merged, since
 * Anthropic requires user and assistant to alternate, with tool results first in their turn.
 */
export async function convertToAnthropicMessages(input: readonly ChatMessage[], loadImage: LoadImage, options: { thinking?: boolean } = {}): Promise<AnthropicPrompt> {
  const warnings: Warning[] = [];
  const blockContext: BlockContext = { loadImage, warnings };
  const leading = systemPromptLength(input);
  let moved = false;
  const system: Array<{ type: 'text'; text: string }> = [];
  const messages: AnthropicMessageParam[] = [];
  const push = (role: AnthropicMessageParam['role'], content: AnthropicRequestBlock[]): void => {
    if (content.length === 0) return;
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };

  for (const [i, message] of input.entries()) {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        requireSystemText(message, i);
        const text = textOf(await contentBlocks(message.content, `${param}.content`, blockContext));
        if (!text) break;
        if (i < leading) {
          system.push({ type: 'text', text });
          break;
        }
        if (!moved) warnings.push({ code: 'moved_system_message', message: movedSystemMessage('anthropic') });
        moved = true;
        push('user', [{ type: 'text', text: wrapSystemText(text) }]);
        break;
      }
      case 'user':
        push('user', await contentBlocks(message.content, `${param}.content`, blockContext));
        break;
      case 'assistant': {
        const blocks: AnthropicRequestBlock[] = options.thinking ? signedThinking(message.thinking_blocks) : [];
        blocks.push(...(await contentBlocks(message.content, `${param}.content`, blockContext)));
        for (const [j, call] of (message.tool_calls ?? []).entries()) blocks.push(toolUse(call, `${param}.tool_calls[${j}]`));
        push('assistant', blocks);
        break;
      }
      case 'tool': {
        if (!message.tool_call_id) throw invalid('Tool messages need a tool_call_id.', `${param}.tool_call_id`);
        const content = typeof message.content === 'string' ? message.content : await contentBlocks(message.content, `${param}.content`, blockContext);
        const result: Extract<AnthropicRequestBlock, { type: 'tool_result' }> = { type: 'tool_result', tool_use_id: message.tool_call_id };
        if (content.length > 0) result.content = content;
        push('user', [result]);
        break;
      }
      default:
        throw invalid(`Messages with role "${message.role}" are not supported by provider anthropic; use tools and tool messages.`, `${param}.role`);
    }
  }

  for (const message of messages) {
    if (message.role === 'user') {
      message.content = [...message.content.filter((b) => b.type === 'tool_result'), ...message.content.filter((b) => b.type !== 'tool_result')];
    }
  }
  return system.length > 0 ? { system, messages, warnings } : { messages, warnings };
}
