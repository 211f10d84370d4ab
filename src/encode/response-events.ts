import type { FinishReason, Usage } from '../core/chat.js';
import type { ApiError } from '../core/errors.js';
import {
  finishedStatus,
  functionCallItemId,
  messageItemId,
  outputTextPart,
  reasoningItemId,
  type ResponseEcho,
  type ResponseItem,
  type ResponseObject,
  type ResponseState,
  responseObject,
} from './response-object.js';

interface ChunkDelta {
  content?: string | null;
  reasoning_content?: string | null;
  tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }> | null;
}

interface Chunk {
  choices?: Array<{ index?: number; delta?: ChunkDelta; finish_reason?: FinishReason | null }>;
  usage?: Usage | null;
}

/**
 * A chunk whose only news is a piece of text for choice 0, as OpenAI and our own encoders write it
 * (anchored to the end, where only OpenAI's `"usage":null` and `"obfuscation"` may follow the choices).
 */
const TEXT_ONLY_CHUNK = /"choices":\[\{"index":0,"delta":\{"content":("(?:[^"\\]|\\.)*")\},"logprobs":null,"finish_reason":null\}\](?:,"usage":null)?(?:,"obfuscation":"[^"\\]*")?\}$/;

/**
 * The item being written: its place in `output`, and the text or arguments so far; a message's
 * text is kept as the inside of a JSON string (its deltas' literals joined, parsed once at the end).
 */
interface OpenItem {
  item: ResponseItem;
  outputIndex: number;
  kind: 'message' | 'reasoning' | 'function_call';
  text: string;
}

/** Called once with the final Response of a stream that ended (completed, incomplete or failed), and its JSON text. */
export type ResponseSettled = (response: ResponseObject, json: string) => void;

/**
 * Writes one streamed Responses answer from the OpenAI chat chunks the providers give: each piece
 * of text, reasoning or function call opens its output item (added, part added, deltas) and the
 * next one closes it (done events); the stream opens with `response.created` and `in_progress`
 * and ends with `response.completed` or `response.incomplete` carrying usage, or, after a failure,
 * with an `error` event and `response.failed`. Every event has the next `sequence_number`.
 */
export class ResponseEventWriter {
  private sequence = 0;
  private started = false;
  private open: OpenItem | undefined;
  /** Tool call index (chat) → its item, while it is the open one. */
  private callIndex = -1;
  private calls = 0;
  private messages = 0;
  private reasonings = 0;
  private finish: FinishReason | null = null;
  private readonly state: ResponseState;

  constructor(
    private readonly echo: ResponseEcho,
    init: { id: string; createdAt: number; model: string },
    private readonly settled?: ResponseSettled,
  ) {
    this.state = { ...init, status: 'in_progress', output: [] };
  }

  private event(out: string[], type: string, fields: Record<string, unknown>): void {
    out.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: this.sequence++ })}\n\n`);
  }

  /**
   * A delta event, the one written per piece of an answer, as text without building an object.
   * Item ids are ours (`[a-z0-9_]`), so they need no escaping.
   */
  private delta(out: string[], type: string, open: OpenItem, index: string, deltaJson: string, tail: string): void {
    out.push(
      `event: ${type}\ndata: {"type":"${type}","item_id":"${open.item.id}","output_index":${open.outputIndex},${index}"delta":${deltaJson}${tail},"sequence_number":${this.sequence++}}\n\n`,
    );
  }

  private start(out: string[]): void {
    if (this.started) return;
    this.started = true;
    // One serialization for both events, which carry the same Response.
    const response = JSON.stringify(responseObject(this.echo, this.state));
    for (const type of ['response.created', 'response.in_progress']) {
      out.push(`event: ${type}\ndata: {"type":"${type}","response":${response},"sequence_number":${this.sequence++}}\n\n`);
    }
  }

  private openItem(out: string[], kind: OpenItem['kind'], item: ResponseItem): OpenItem {
    this.close(out, 'completed');
    const open: OpenItem = { item, outputIndex: this.state.output.length, kind, text: '' };
    this.state.output.push(item);
    this.event(out, 'response.output_item.added', { output_index: open.outputIndex, item });
    const at = { item_id: item.id, output_index: open.outputIndex };
    if (kind === 'message') this.event(out, 'response.content_part.added', { ...at, content_index: 0, part: outputTextPart('') });
    if (kind === 'reasoning') this.event(out, 'response.reasoning_summary_part.added', { ...at, summary_index: 0, part: { type: 'summary_text', text: '' } });
    this.open = open;
    return open;
  }

  /** Ends the open item with its done events; its final form replaces the in-progress one in `output`. */
  private close(out: string[], status: 'completed' | 'incomplete'): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    if (open.kind === 'message') {
      this.closeMessage(out, open, status);
      return;
    }
    const at = { item_id: open.item.id, output_index: open.outputIndex };
    let item: ResponseItem;
    if (open.kind === 'reasoning') {
      const part = { type: 'summary_text', text: open.text };
      this.event(out, 'response.reasoning_summary_text.done', { ...at, summary_index: 0, text: open.text });
      this.event(out, 'response.reasoning_summary_part.done', { ...at, summary_index: 0, part });
      item = { ...open.item, summary: [part] };
    } else {
      this.event(out, 'response.function_call_arguments.done', { ...at, name: open.item.name, arguments: open.text });
      item = { ...open.item, status: 'completed', arguments: open.text };
    }
    this.state.output[open.outputIndex] = item;
    this.event(out, 'response.output_item.done', { output_index: open.outputIndex, item });
  }

  /**
   * A message's done events written around its text's JSON literal (its deltas' joined), which is
   * never serialized again; the text is parsed once, for the final Response. Item ids are ours.
   */
  private closeMessage(out: string[], open: OpenItem, status: 'completed' | 'incomplete'): void {
    const textJson = `"${open.text}"`;
    const partJson = `{"type":"output_text","text":${textJson},"annotations":[],"logprobs":[]}`;
    const head = `"item_id":"${open.item.id}","output_index":${open.outputIndex},"content_index":0`;
    out.push(
      `event: response.output_text.done\ndata: {"type":"response.output_text.done",${head},"text":${textJson},"logprobs":[],"sequence_number":${this.sequence++}}\n\n`,
      `event: response.content_part.done\ndata: {"type":"response.content_part.done",${head},"part":${partJson},"sequence_number":${this.sequence++}}\n\n`,
    );
    const item: ResponseItem = { ...open.item, status, content: [outputTextPart(JSON.parse(textJson) as string)] };
    this.state.output[open.outputIndex] = item;
    const itemJson = `{"id":"${item.id}","type":"message","status":"${status}","role":"assistant","content":[${partJson}]}`;
    out.push(`event: response.output_item.done\ndata: {"type":"response.output_item.done","output_index":${open.outputIndex},"item":${itemJson},"sequence_number":${this.sequence++}}\n\n`);
  }

  /** A piece of text as its JSON string literal (the chunk's own, reused as is where it can be). */
  private text(out: string[], deltaJson: string): void {
    const open = this.open?.kind === 'message' ? this.open : this.openItem(out, 'message', { id: messageItemId(this.state.id, this.messages++), type: 'message', status: 'in_progress', role: 'assistant', content: [] });
    open.text += deltaJson.slice(1, -1);
    this.delta(out, 'response.output_text.delta', open, '"content_index":0,', deltaJson, ',"logprobs":[]');
  }

  private reasoning(out: string[], delta: string): void {
    const open = this.open?.kind === 'reasoning' ? this.open : this.openItem(out, 'reasoning', { id: reasoningItemId(this.state.id, this.reasonings++), type: 'reasoning', summary: [] });
    open.text += delta;
    this.delta(out, 'response.reasoning_summary_text.delta', open, '"summary_index":0,', JSON.stringify(delta), '');
  }

  private toolCall(out: string[], call: NonNullable<ChunkDelta['tool_calls']>[number]): void {
    const index = call.index ?? 0;
    let open = this.open;
    if (open?.kind !== 'function_call' || index !== this.callIndex) {
      this.callIndex = index;
      const item = { id: functionCallItemId(this.state.id, this.calls++), type: 'function_call', status: 'in_progress', call_id: call.id ?? '', name: call.function?.name ?? '', arguments: '' };
      open = this.openItem(out, 'function_call', item);
    }
    const delta = call.function?.arguments ?? '';
    if (delta === '') return;
    open.text += delta;
    this.delta(out, 'response.function_call_arguments.delta', open, '', JSON.stringify(delta), '');
  }

  /** The events for one batch of chat chunk JSON texts. */
  batch(chunks: readonly string[]): string {
    const out: string[] = [];
    this.start(out);
    for (const text of chunks) {
      // Most chunks are one piece of text: its JSON string is taken from the chunk and reused.
      const plain = TEXT_ONLY_CHUNK.exec(text);
      if (plain) {
        this.text(out, plain[1]);
        continue;
      }
      const chunk = JSON.parse(text) as Chunk;
      const choice = chunk.choices?.[0];
      if (!choice || (choice.index ?? 0) !== 0) continue;
      const delta = choice.delta;
      if (delta?.reasoning_content) this.reasoning(out, delta.reasoning_content);
      if (delta?.content) this.text(out, JSON.stringify(delta.content));
      for (const call of delta?.tool_calls ?? []) this.toolCall(out, call);
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    return out.join('');
  }

  /** The events that end a stream that completed: open items closed, then the final Response. */
  end(usage: Usage): string {
    const out: string[] = [];
    this.start(out);
    const status = finishedStatus(this.finish);
    this.close(out, status);
    Object.assign(this.state, { status, finish: this.finish, usage });
    this.final(out, status === 'completed' ? 'response.completed' : 'response.incomplete');
    return out.join('');
  }

  /** The events that end a stream that failed after its first byte: `error`, then `response.failed`. */
  fail(error: ApiError): string {
    const out: string[] = [];
    this.start(out);
    this.event(out, 'error', { code: error.code, message: error.message, param: error.param });
    Object.assign(this.state, { status: 'failed', error });
    this.final(out, 'response.failed');
    return out.join('');
  }

  /** The event with the final Response; its JSON text, made once, is also what `settled` stores. */
  private final(out: string[], type: string): void {
    const response = responseObject(this.echo, this.state);
    const json = JSON.stringify(response);
    out.push(`event: ${type}\ndata: {"type":"${type}","response":${json},"sequence_number":${this.sequence++}}\n\n`);
    this.settled?.(response, json);
  }
}
