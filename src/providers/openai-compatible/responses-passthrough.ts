import { BUILTIN_TOOL_CALLS } from '../../core/builtin-tool-calls.js';
import type { ChatCompletion, Usage } from '../../core/chat.js';
import { RESPONSES_ANSWER, type ResponsesOrigin, type WithResponsesAnswer } from '../../core/responses-origin.js';
import type { Warning } from '../../core/warnings.js';
import { malformedAnswer } from '../shared/malformed-answer.js';
import { countBuiltinToolCalls } from './count-builtin-tool-calls.js';
import type { ChatCall, ChatResult, ProviderConfig } from '../types.js';

/**
 * Whether a provider is sent Responses API requests as they are, at `<base>/responses`: OpenAI's
 * own API (type `openai`) unless its options say `responses_api: false`, and any OpenAI-compatible
 * provider whose options say `responses_api: true`.
 */
/**
 * Whether a provider is sent Responses API requests as they are: OpenAI's own API by default (the
 * `openai` type at api.openai.com), any OpenAI-wire provider that says so with `responses_api: true`,
 * none that says `false`. An `openai` preset pointed elsewhere (OPENAI_BASE_URL to a local server)
 * is not assumed to have `/responses`: many OpenAI-compatible servers answer only chat.
 */
export function speaksResponses(config: Pick<ProviderConfig, 'type' | 'options' | 'baseUrl'>): boolean {
  if (config.type !== 'openai' && config.type !== 'openai-compatible') return false;
  const option = config.options.responses_api;
  if (typeof option === 'boolean') return option;
  return config.type === 'openai' && isOpenAIsOwn(config.baseUrl);
}

function isOpenAIsOwn(baseUrl: string | undefined): boolean {
  if (!baseUrl) return false;
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

type Item = Record<string, unknown>;

/**
 * The conversation as OpenAI takes it without stored state (`store: false`): reasoning items only
 * with their `encrypted_content` (OpenAI refuses one it cannot find otherwise), and messages and
 * function calls without ids (ids made here, or for another request, name nothing at OpenAI).
 */
function statelessInput(input: readonly Item[]): { input: Item[]; droppedReasoning: number } {
  let droppedReasoning = 0;
  const out: Item[] = [];
  for (const item of input) {
    const type = item.type ?? 'message';
    if (type === 'reasoning') {
      if (typeof item.encrypted_content === 'string') out.push(item);
      else droppedReasoning++;
    } else if ((type === 'message' || type === 'function_call' || type === 'function_call_output') && 'id' in item) {
      const { id: _id, ...rest } = item;
      out.push(rest);
    } else {
      out.push(item);
    }
  }
  return { input: out, droppedReasoning };
}

export interface ResponsesPassthroughPlan {
  body: Record<string, unknown>;
  warnings: Warning[];
}

/**
 * A Responses client's own request for an OpenAI deployment: its model, the whole conversation as
 * input (the gateway keeps the state, so `store: false` upstream and no `previous_response_id`),
 * and the answer limit and built-in tool calls (`max_tool_calls`) under the gateway's caps.
 */
export function passthroughResponsesRequest(origin: ResponsesOrigin, options: { model: string; stream: boolean; maxAnswerTokens?: number; maxToolCalls?: number }): ResponsesPassthroughPlan {
  const { input, droppedReasoning } = statelessInput(origin.input);
  const body: Record<string, unknown> = { ...origin.body, model: options.model, input, store: false, stream: options.stream };
  const asked = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined;
  if (options.maxAnswerTokens !== undefined && (asked === undefined || asked > options.maxAnswerTokens)) body.max_output_tokens = options.maxAnswerTokens;
  const warnings: Warning[] = [];
  const askedCalls = typeof body.max_tool_calls === 'number' ? body.max_tool_calls : undefined;
  if (options.maxToolCalls !== undefined && (askedCalls === undefined || askedCalls > options.maxToolCalls)) {
    body.max_tool_calls = options.maxToolCalls;
    warnings.push({ code: 'tool_calls_limited', message: `built-in tool calls are limited to ${options.maxToolCalls} (max_tool_calls): what the gateway reserved of this key's credit` });
  }
  if (droppedReasoning > 0) {
    warnings.push({ code: 'dropped_parameter', message: `${droppedReasoning} reasoning item(s) without encrypted_content were not sent: ask for include ["reasoning.encrypted_content"] to carry reasoning between turns` });
  }
  return { body, warnings };
}

interface ResponsesUsage {
  input_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  output_tokens?: number;
  output_tokens_details?: { reasoning_tokens?: number } | null;
  total_tokens?: number;
}

/** A Response's `usage` as the ledger counts it, with the built-in tool calls of its `output`; undefined when it has none. */
export function responsesUsage(usage: unknown, output?: unknown): Usage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as ResponsesUsage;
  const prompt = u.input_tokens ?? 0;
  const completion = u.output_tokens ?? 0;
  const out: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: u.total_tokens ?? prompt + completion };
  if (u.input_tokens_details?.cached_tokens) out.prompt_tokens_details = { cached_tokens: u.input_tokens_details.cached_tokens };
  if (u.output_tokens_details?.reasoning_tokens) out.completion_tokens_details = { reasoning_tokens: u.output_tokens_details.reasoning_tokens };
  const calls = countBuiltinToolCalls(output);
  // Not enumerable: copies and comparisons of the usage see only its wire fields.
  if (calls) Object.defineProperty(out, BUILTIN_TOOL_CALLS, { value: calls, enumerable: false });
  return out;
}

/**
 * The upstream's Response as the gateway's: its id, the public model and the fields the gateway
 * owns (`own`: the conversation's state is kept here). Answers the upstream's id, for the usage row.
 */
export function adoptResponse(response: Record<string, unknown>, call: Pick<ChatCall, 'id' | 'publicModel'>, own: Record<string, unknown>): string | undefined {
  const upstreamId = typeof response.id === 'string' ? response.id : undefined;
  response.id = call.id;
  response.model = call.publicModel;
  Object.assign(response, own);
  return upstreamId;
}

export interface ResponsesAnswer {
  /** The upstream's answer as received. */
  text: string;
  call: Pick<ChatCall, 'id' | 'created' | 'publicModel'>;
  origin: ResponsesOrigin;
  provider: string;
}

/** A non-streamed Responses answer, relayed: the Response rides on a chat completion without choices. */
export function responsesAnswer({ text, call, origin, provider }: ResponsesAnswer): ChatResult {
  let response: Record<string, unknown>;
  try {
    response = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw malformedAnswer({ provider, what: 'an answer that is not JSON', body: text, cause });
  }
  if (typeof response !== 'object' || response === null || !Array.isArray(response.output)) throw malformedAnswer({ provider, what: 'a Response without output', body: text });
  const upstreamId = adoptResponse(response, call, origin.own);
  const usage = responsesUsage(response.usage, response.output);
  const completion: ChatCompletion & WithResponsesAnswer = { id: call.id, object: 'chat.completion', created: call.created, model: call.publicModel, choices: [] };
  completion[RESPONSES_ANSWER] = response as Record<string, unknown> & { id: string; output: Item[] };
  return { completion, usage, upstreamId };
}
