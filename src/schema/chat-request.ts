import { z } from 'zod';
import type { ChatRequest } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { CHAT_TOOLS, readChatTools } from '../core/tools.js';
import { isPlainChatRequest } from './chat-request-fast-path.js';
import { parseListed } from './first-issue.js';

const nullableNumber = z.number().nullable().optional();
const nullableInt = z.number().int().nullable().optional();

const contentPart = z.looseObject({ type: z.string() });

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart)]).nullable().optional(),
  name: z.string().optional(),
  tool_calls: z
    .array(z.looseObject({ id: z.string(), type: z.string().optional(), function: z.looseObject({ name: z.string(), arguments: z.string() }) }))
    .nullable()
    .optional(),
  tool_call_id: z.string().optional(),
});

/**
 * The chat request fields whose types we rely on; everything else passes through untouched,
 * so new OpenAI parameters reach OpenAI-compatible upstreams without a gateway release.
 */
const chatRequest = z.looseObject({
  model: z.string().min(1),
  // Each message is read by `message`, one by one (parseListed).
  messages: z.array(z.unknown()).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  // OpenAI's ranges: an answer of at least one token, 1 to 128 choices.
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  temperature: nullableNumber,
  top_p: nullableNumber,
  n: z.number().int().min(1).max(128).nullable().optional(),
  seed: nullableInt,
  presence_penalty: nullableNumber,
  frequency_penalty: nullableNumber,
  stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string() })).nullable().optional(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string() })]).nullable().optional(),
  response_format: z.looseObject({ type: z.string() }).nullable().optional(),
  user: z.string().nullable().optional(),
});

/** Fields clients send that are meant for a client library or another API, never for an upstream. */
const CLIENT_ONLY_FIELDS = ['extra', 'extra_body', 'extra_headers', 'extra_query', 'request', 'meta'] as const;

function paramPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out;
}

/** The body as the schema reads it, or a 400 naming the first problem. */
function checked(body: unknown, prefix: string): Record<string, unknown> {
  const result = parseListed<Record<string, unknown>>({ schema: chatRequest, key: 'messages', item: message, body });
  if (result.success) return result.data;
  const issue = result.issue;
  const param = prefix + paramPath(issue.path);
  throw new ApiError('invalid_request', `Invalid value for '${param}': ${issue.message}`, { param });
}

/** Validates a chat request body (the common valid one by hand, anything else by the schema); the first problem becomes a 400 naming its parameter. */
export function parseChatRequest(body: unknown, prefix = ''): ChatRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalid_request', 'The request body must be a JSON object.');
  }
  const candidate = body as Record<string, unknown>;
  if (candidate.model === undefined) {
    throw new ApiError('invalid_request', "you must provide a model parameter", { param: `${prefix}model` });
  }
  if (candidate.messages === undefined) {
    throw new ApiError('invalid_request', "Missing required parameter: 'messages'.", { param: `${prefix}messages` });
  }
  const request = (isPlainChatRequest(candidate) ? candidate : checked(body, prefix)) as ChatRequest;
  for (const field of CLIENT_ONLY_FIELDS) if (field in request) delete request[field];
  try {
    request[CHAT_TOOLS] = readChatTools(request.tools, request.tool_choice);
  } catch (error) {
    if (!prefix || !(error instanceof ApiError) || !error.param) throw error;
    throw new ApiError(error.code, error.message, { param: prefix + error.param });
  }
  return request;
}
