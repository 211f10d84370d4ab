export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface StreamResult {
  usage: ChatUsage | null;
  finishReason: string | null;
  /** Milliseconds from sending to the first content. */
  ttftMs: number | null;
  totalMs: number;
  /** Every `data:` payload as received, for the raw view. */
  raw: string[];
  /** Tool calls asked for, assembled from the streamed deltas by their index. */
  toolCalls: ToolCall[];
}

interface ToolCallDelta {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** Merges streamed tool-call deltas into whole calls: the first delta of an index brings id and name, the rest append to the arguments. */
export function mergeToolCallDeltas(calls: ToolCall[], deltas: ToolCallDelta[]): void {
  for (const delta of deltas) {
    const call = (calls[delta.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.function.name += delta.function.name;
    if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
  }
}

/**
 * Sends a streaming chat completion and reads its SSE answer with fetch and a stream reader,
 * calling `onText` with each piece of content. An error before the stream is thrown with the
 * server's message; an error event inside the stream is thrown too.
 */
export async function streamChat(key: string, body: Record<string, unknown>, onText: (text: string) => void, signal?: AbortSignal): Promise<StreamResult> {
  const started = performance.now();
  const res = await fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    signal,
  });
  if (!res.ok || !res.body) {
    const text = await res.text();
    let message = `HTTP ${res.status}`;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      /* not JSON: keep the status */
    }
    throw new Error(message);
  }
  const result: StreamResult = { usage: null, finishReason: null, ttftMs: null, totalMs: 0, raw: [], toolCalls: [] };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split(/\r?\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      result.raw.push(data);
      if (data === '[DONE]') continue;
      const chunk = JSON.parse(data) as {
        error?: { message: string };
        usage?: ChatUsage | null;
        choices?: Array<{ delta?: { content?: string | null; tool_calls?: ToolCallDelta[] }; finish_reason?: string | null }>;
      };
      if (chunk.error) throw new Error(chunk.error.message);
      if (chunk.usage) result.usage = chunk.usage;
      for (const choice of chunk.choices ?? []) {
        if (choice.finish_reason) result.finishReason = choice.finish_reason;
        if (choice.delta?.tool_calls) {
          result.ttftMs ??= performance.now() - started;
          mergeToolCallDeltas(result.toolCalls, choice.delta.tool_calls);
        }
        const text = choice.delta?.content;
        if (text) {
          result.ttftMs ??= performance.now() - started;
          onText(text);
        }
      }
    }
  }
  result.totalMs = performance.now() - started;
  result.toolCalls = result.toolCalls.filter(Boolean);
  return result;
}
