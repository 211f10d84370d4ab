import type { StreamPart } from '../../core/chat.js';
import type { GeminiPart } from './gemini-api.js';
import { toolCallId } from './gemini-tool-call-id.js';

/**
 * Numbers one answer's function calls. Gemini gives calls no ids (Vertex sometimes does), so each
 * gets `call_<request id>_<n>`: unique across a conversation, and the same on every replay of a
 * recorded answer.
 */
export class ToolCallNumbering {
  private count = 0;
  private readonly prefix: string;

  constructor(requestId: string) {
    this.prefix = `call_${requestId.replace(/^chatcmpl-/, '')}_`;
  }

  next(upstreamId: string | undefined): { index: number; id: string } {
    const index = this.count++;
    return { index, id: upstreamId || `${this.prefix}${index}` };
  }

  get used(): number {
    return this.count;
  }
}

/**
 * One candidate's parts as typed stream parts: text, thought summaries (`thought: true`) as
 * reasoning, and each function call whole, with its id, name and arguments in one part; a call's
 * thought signature travels in its id (gemini-tool-call-id.ts). Parts with nothing for a chat answer
 * (code execution, inline media, signatures on text, which Gemini does not require back) are skipped.
 * Appended to `out` when given (a stream's batch), so no array is made per event.
 */
export function convertGeminiParts(parts: readonly GeminiPart[] | undefined, calls: ToolCallNumbering, out: StreamPart[] = []): StreamPart[] {
  for (const part of parts ?? []) {
    if (part.functionCall) {
      const { index, id } = calls.next(part.functionCall.id);
      out.push({ type: 'tool-call', index, id: toolCallId(id, part.thoughtSignature), name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) });
    } else if (typeof part.text === 'string' && part.text !== '') {
      out.push({ type: part.thought ? 'reasoning' : 'text', text: part.text });
    }
  }
  return out;
}
