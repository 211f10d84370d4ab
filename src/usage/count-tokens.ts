import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ChatMessage, ChatRequest, Usage } from '../core/chat.js';
import { makeUsage } from '../core/chat.js';

type Counter = (text: string) => number;
let counter: Promise<Counter> | undefined;

/** Loaded on first use: the tokenizer's tables cost memory and start-up time most requests never need. */
function loadCounter(): Promise<Counter> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => (text: string) => m.countTokens(text));
  return counter;
}

/**
 * Characters counted exactly; a longer text is counted up to here and the rest extrapolated at the
 * same tokens per character. BPE is quadratic in the length of a run without a break (100k
 * repeated letters take seconds), so the text is also fed in pieces (see `pieceEnd`) and the
 * counting yields to the event loop every SLICE_MS: no request holds it for longer.
 */
export const EXACT_CHARS = 32_768;
const SLICE_MS = 2;
const PIECE = 1024;
/** A piece without whitespace is cut this short, where BPE's cost is still small. */
const RUN = 128;

/** Where the piece starting at `from` ends: at a whitespace near PIECE characters, else after RUN. */
function pieceEnd(text: string, from: number): number {
  const limit = from + PIECE;
  if (limit >= text.length) {
    // The tail: one piece if it has a break in every RUN characters, as ordinary text does.
    return /\S{129}/.test(text.slice(from)) ? Math.min(text.length, from + RUN) : text.length;
  }
  const space = text.lastIndexOf(' ', limit);
  const newline = text.lastIndexOf('\n', limit);
  const at = Math.max(space, newline);
  return at > from + RUN && !/\S{129}/.test(text.slice(from, at)) ? at : from + RUN;
}

/**
 * Tokens of a text with OpenAI's o200k tokenizer: exact up to EXACT_CHARS characters (give or take
 * a token where a run of over 128 characters without a break is cut), extrapolated beyond; counted
 * in slices of at most a few milliseconds of the event loop.
 */
export async function countTextTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  const count = await loadCounter();
  const exact = text.length <= EXACT_CHARS ? text : text.slice(0, EXACT_CHARS);
  let tokens = 0;
  let sliceStart = performance.now();
  for (let i = 0; i < exact.length; ) {
    const end = pieceEnd(exact, i);
    tokens += count(exact.slice(i, end));
    i = end;
    if (performance.now() - sliceStart > SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return exact.length === text.length ? tokens : Math.ceil((tokens * text.length) / exact.length);
}

function messageText(message: ChatMessage): string {
  let text = message.name ?? '';
  const content = message.content;
  if (typeof content === 'string') text += content;
  else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  }
  for (const call of message.tool_calls ?? []) text += call.function.name + call.function.arguments;
  return text;
}

/**
 * What a provider bills an image as, at most, in prompt tokens: OpenAI's high-detail images cost
 * up to 1,105 tokens on GPT-4o, Anthropic's about 1,600, Gemini's 258 per tile. An estimate where
 * the upstream reports no usage, and an upper bound for credit reservations.
 */
export const IMAGE_TOKENS = 1_600;

export function countImageParts(messages: readonly ChatMessage[]): number {
  let images = 0;
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) if (part.type === 'image_url') images++;
  }
  return images;
}

/** The prompt's text as a tokenizer sees it: messages, tool definitions and the answer's schema. */
function promptText(body: Pick<ChatRequest, 'messages' | 'tools' | 'response_format'>): string {
  let text = '';
  for (const message of body.messages) text += `${messageText(message)}\n`;
  if (body.tools?.length) text += JSON.stringify(body.tools);
  if (body.response_format?.json_schema) text += JSON.stringify(body.response_format.json_schema);
  return text;
}

/**
 * Usage estimated with OpenAI's o200k tokenizer, for upstreams that report none (and for requests
 * cancelled before they did): each message costs its tokens plus 3 for its framing, every answer
 * is primed with 3 more, as OpenAI counts; tool definitions and a JSON schema count as their JSON
 * text, each image as IMAGE_TOKENS. The answer is what the gateway saw of it, reasoning included.
 */
export async function estimateUsage(body: Pick<ChatRequest, 'messages' | 'tools' | 'response_format'>, completionText: string): Promise<Usage> {
  const prompt = 3 + 3 * body.messages.length + (await countTextTokens(promptText(body))) + IMAGE_TOKENS * countImageParts(body.messages);
  return makeUsage(prompt, await countTextTokens(completionText));
}

/** The most tokens a text can be for any byte-level tokenizer: one per UTF-8 byte. */
export function tokensAtMost(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * An upper bound of a chat request's prompt tokens, without tokenizing, for credit reservations:
 * a token per byte of text, plus what providers add on their own (message framing; Anthropic's
 * tool-use system prompt is a few hundred tokens).
 */
export function promptTokensAtMost(body: Pick<ChatRequest, 'messages' | 'tools' | 'response_format'>): number {
  const framing = 64 + 8 * body.messages.length + (body.tools?.length ? 512 : 0);
  return framing + tokensAtMost(promptText(body)) + IMAGE_TOKENS * countImageParts(body.messages);
}

/**
 * A quick guess of a request's tokens before it is sent, for tokens-per-minute limits: about four
 * characters a token, plus the answer's limit. Reconciled with real usage afterwards.
 */
export function estimateRequestTokens(body: { messages: readonly ChatMessage[]; max_tokens?: number | null; max_completion_tokens?: number | null }): number {
  let chars = 0;
  for (const message of body.messages) chars += messageText(message).length + 12;
  return Math.ceil(chars / 4) + (body.max_completion_tokens ?? body.max_tokens ?? 0);
}
