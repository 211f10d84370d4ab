import type { ChatCompletion, FinishReason, Usage } from '../core/chat.js';
import type { ApiError } from '../core/errors.js';
import type { ResponsesRequest } from '../schema/responses-request.js';

/** An output item of a Responses answer: `message`, `function_call` or `reasoning`. */
export type ResponseItem = Record<string, unknown> & { id: string; type: string };

/** A Responses answer's object (OpenAI's `Response`). */
export type ResponseObject = Record<string, unknown> & { id: string; status: string; output: ResponseItem[] };

/** What a Response repeats of its request, in OpenAI's order; made once per request. */
export type ResponseEcho = Record<string, unknown>;

export function responseEcho(request: ResponsesRequest): ResponseEcho {
  const echo: ResponseEcho = {
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: request.store ?? true,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map((tool) => ({ ...tool, parameters: tool.parameters ?? null, strict: tool.strict ?? null })),
    top_p: request.top_p ?? null,
    truncation: 'disabled',
    metadata: request.metadata ?? {},
  };
  // A string or absent: OpenAI's schema has no null here.
  if (request.user != null) echo.user = request.user;
  return echo;
}

/** The random part of a response's id, which its items' ids share (`resp_<hex>` → `msg_<hex>`). */
const idPart = (responseId: string): string => responseId.slice(responseId.indexOf('_') + 1);
/** The n-th message (or reasoning) item of a response: the first plain, later ones numbered, so ids stay unique. */
export const messageItemId = (responseId: string, n = 0): string => `msg_${idPart(responseId)}${n > 0 ? `_${n}` : ''}`;
export const reasoningItemId = (responseId: string, n = 0): string => `rs_${idPart(responseId)}${n > 0 ? `_${n}` : ''}`;
export const functionCallItemId = (responseId: string, index: number): string => `fc_${idPart(responseId)}_${index}`;

export function outputTextPart(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function responseUsage(usage: Usage): Record<string, unknown> {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0, cache_write_tokens: 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}

/** A chat finish reason as a Response's `incomplete_details`; null when the answer is complete. */
export function incompleteDetails(finish: FinishReason | null | undefined): { reason: string } | null {
  if (finish === 'length') return { reason: 'max_output_tokens' };
  if (finish === 'content_filter') return { reason: 'content_filter' };
  return null;
}

export interface ResponseState {
  id: string;
  createdAt: number;
  model: string;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  output: ResponseItem[];
  finish?: FinishReason | null;
  usage?: Usage;
  error?: ApiError;
}

/** A failure as a Response's `error`, whose codes are OpenAI's few. */
function responseError(error: ApiError): { code: string; message: string } {
  return { code: error.status === 429 ? 'rate_limit_exceeded' : 'server_error', message: error.message };
}

export function responseObject(echo: ResponseEcho, state: ResponseState): ResponseObject {
  const done = state.status !== 'in_progress';
  const response: ResponseObject = {
    id: state.id,
    object: 'response',
    created_at: state.createdAt,
    status: state.status,
    completed_at: state.status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    error: state.error ? responseError(state.error) : null,
    incomplete_details: state.status === 'incomplete' ? incompleteDetails(state.finish) : null,
    model: state.model,
    output: state.output,
    ...echo,
  };
  // An object or absent: OpenAI's schema has no null here.
  if (done && state.usage) response.usage = responseUsage(state.usage);
  return response;
}

/** The output items of a chat completion's first choice: reasoning, then text, then function calls. */
export function completionOutput(completion: ChatCompletion, responseId: string): ResponseItem[] {
  const choice = completion.choices[0];
  const message = choice?.message;
  const status = choice?.finish_reason === 'length' ? 'incomplete' : 'completed';
  const output: ResponseItem[] = [];
  if (typeof message?.reasoning_content === 'string' && message.reasoning_content !== '') {
    output.push({ id: reasoningItemId(responseId), type: 'reasoning', summary: [{ type: 'summary_text', text: message.reasoning_content }] });
  }
  const calls = message?.tool_calls ?? [];
  const text = typeof message?.content === 'string' ? message.content : '';
  if (text !== '' || calls.length === 0) {
    output.push({ id: messageItemId(responseId), type: 'message', status, role: 'assistant', content: [outputTextPart(text)] });
  }
  calls.forEach((call, i) => {
    output.push({ id: functionCallItemId(responseId, i), type: 'function_call', status: 'completed', call_id: call.id, name: call.function.name, arguments: call.function.arguments });
  });
  return output;
}

/** The status a finished answer has: incomplete when it was cut. */
export function finishedStatus(finish: FinishReason | null | undefined): 'completed' | 'incomplete' {
  return incompleteDetails(finish) ? 'incomplete' : 'completed';
}
