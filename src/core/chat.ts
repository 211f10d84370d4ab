import type { ANTHROPIC_MESSAGES, AnthropicMessagesOrigin } from './anthropic-messages.js';
import type { CHAT_TOOLS, ChatTools } from './tools.js';
import type { READ_WARNINGS, Warning } from './warnings.js';

/** Provider-neutral chat types. Requests and answers keep OpenAI's wire names, which are our public contract. */

export interface ContentPartText { type: 'text'; text: string }
export interface ContentPartImage { type: 'image_url'; image_url: { url: string; detail?: string } }
export type ContentPart = ContentPartText | ContentPartImage | { type: string; [key: string]: unknown };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

/** A validated chat request: OpenAI's fields we read, plus whatever else the client sent. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  n?: number | null;
  /** The client's own `tools` and `tool_choice`, relayed unchanged to OpenAI-wire upstreams; others read `chatTools(request)`. */
  tools?: unknown[];
  tool_choice?: unknown;
  /** `tools` and `tool_choice` as read at validation (core/tools.ts). */
  [CHAT_TOOLS]?: ChatTools;
  /** The Messages API request this chat request was read from (routes/anthropic). */
  [ANTHROPIC_MESSAGES]?: AnthropicMessagesOrigin;
  /** What reading the request from another API's shape lost, reported as warnings. */
  [READ_WARNINGS]?: Warning[];
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } } | null;
  [key: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** `cache_creation_tokens`: prompt tokens written to the provider's cache (Anthropic's), not an OpenAI field. */
  prompt_tokens_details?: { cached_tokens?: number; cache_creation_tokens?: number; [key: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
}

/** OpenAI's finish reasons plus OnlySq's `error`; a provider's unknown value is kept raw. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | (string & {});

/**
 * A reasoning block with what the provider needs to take it back: Anthropic's signature, or an
 * encrypted block's data. Written on answers as `thinking_blocks` (LiteLLM's field for them).
 */
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature?: string } | { type: 'redacted_thinking'; data: string };

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[]; reasoning_content?: string; thinking_blocks?: ThinkingBlock[]; refusal?: null; [key: string]: unknown };
    finish_reason: FinishReason | null;
    /** The stop sequence that ended the answer, as vLLM names it (SGLang: `matched_stop`); only when one did. */
    stop_reason?: string | number | null;
    matched_stop?: string | number | null;
    logprobs?: unknown;
  }>;
  usage?: Usage;
  [key: string]: unknown;
}

/** What a non-relay provider yields while streaming; encoded to OpenAI chunks at the edge. */
export type StreamPart =
  | { type: 'text'; text: string }
  /** `signature`: the provider's signature of the reasoning block this piece ends (Anthropic's), for the client to send back. */
  | { type: 'reasoning'; text: string; signature?: string }
  /** A reasoning block the provider encrypted: only its opaque `data`, for the client to send back. */
  | { type: 'redacted-reasoning'; data: string }
  | { type: 'tool-call'; index: number; id?: string; name?: string; arguments: string }
  /** `stopSequence`: the client's stop sequence that ended the answer, where the provider says which. */
  | { type: 'finish'; reason: FinishReason; stopSequence?: string }
  | { type: 'usage'; usage: Usage };

export function makeUsage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * The answer limit a provider should send: what the client asked for (`max_completion_tokens`,
 * else `max_tokens`), lowered to the gateway's cap where there is one; undefined when neither is set.
 */
export function answerLimit(body: Pick<ChatRequest, 'max_tokens' | 'max_completion_tokens'>, cap: number | undefined): number | undefined {
  const asked = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (cap === undefined) return asked;
  return asked === undefined ? cap : Math.min(asked, cap);
}
