import { Worker } from 'node:worker_threads';
import type { ChatMessage, ChatRequest, Usage } from '../core/chat.js';
import { makeUsage } from '../core/chat.js';

/**
 * Characters counted exactly; a longer text is counted up to here and the rest extrapolated at the
 * same tokens per character, so no request costs more than a bounded amount of counting.
 */
export const EXACT_CHARS = 32_768;

/**
 * The counting thread's program. It runs in a worker of its own: loading the tokenizer's tables
 * takes about 200 ms and BPE is quadratic in the length of a run without a break, neither of which
 * may stall the event loop that serves every other request. It is serialised with `toString` and
 * evaluated there, so it must use nothing but its arguments.
 */
async function countingThread(threads: typeof import('node:worker_threads'), tokenizerUrl: string): Promise<void> {
  const { countTokens } = (await import(tokenizerUrl)) as { countTokens(text: string): number };
  const PIECE = 1024;
  // A piece without whitespace is cut this short, where BPE's cost is still small.
  const RUN = 128;
  const unbroken = /\S{129}/;
  const pieceEnd = (text: string, from: number): number => {
    const limit = from + PIECE;
    if (limit >= text.length) return unbroken.test(text.slice(from)) ? Math.min(text.length, from + RUN) : text.length;
    const at = Math.max(text.lastIndexOf(' ', limit), text.lastIndexOf('\n', limit));
    return at > from + RUN && !unbroken.test(text.slice(from, at)) ? at : from + RUN;
  };
  threads.parentPort!.on('message', ({ id, text }: { id: number; text: string }) => {
    let tokens = 0;
    for (let i = 0; i < text.length; ) {
      const end = pieceEnd(text, i);
      tokens += countTokens(text.slice(i, end));
      i = end;
    }
    threads.parentPort!.postMessage({ id, tokens });
  });
}

/** The counting thread, started on first use (most requests never count) and never keeping the process up. */
class TokenCounter {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(tokens: number): void; reject(error: Error): void }>();

  count(text: string): Promise<number> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, text });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const tokenizer = import.meta.resolve('gpt-tokenizer/encoding/o200k_base');
    // `__name`: what esbuild (tsx, in tests) wraps named functions in; tsc's output has none.
    const program = `const __name = (f) => f; (${countingThread.toString()})(require('node:worker_threads'), ${JSON.stringify(tokenizer)})`;
    const worker = new Worker(program, { eval: true });
    worker.unref();
    worker.on('message', ({ id, tokens }: { id: number; tokens: number }) => {
      this.pending.get(id)?.resolve(tokens);
      this.pending.delete(id);
      if (this.pending.size === 0) worker.unref();
    });
    // A counting thread that fails is replaced on the next count; its waiters get the error.
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the token counting thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

const counter = new TokenCounter();

/**
 * Tokens of a text with OpenAI's o200k tokenizer, counted on another thread: exact up to
 * EXACT_CHARS characters (give or take a token where a run of over 128 characters without a break
 * is cut), extrapolated beyond. If counting fails, about four characters a token.
 */
export async function countTextTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  const exact = text.length <= EXACT_CHARS ? text : text.slice(0, EXACT_CHARS);
  let tokens: number;
  try {
    tokens = await counter.count(exact);
  } catch {
    tokens = Math.ceil(exact.length / 4);
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

/** Image parts (and files, which providers take as inline data) of a conversation. */
export function countImageParts(messages: readonly ChatMessage[]): number {
  let images = 0;
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) if (part?.type === 'image_url' || part?.type === 'file') images++;
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
