import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_RESPONSE_TOOL } from '../../src/providers/anthropic/prepare-anthropic-tools.js';
import { type FakeAnswer, type FakeImage, type FakeRequest, type FakeTurn, fakeAnswer, faultsOf, lastUserText, pieces, sleep } from './fake-behaviour.js';

/**
 * A fake Anthropic Messages API for tests: `POST /v1/messages` with `x-api-key` and
 * `anthropic-version`, Anthropic's JSON and SSE shapes and error bodies
 * (`{"type":"error","error":{"type","message"}}`), and the validation the real API does on what a
 * translator could get wrong: a `system` role in `messages`, a missing `max_tokens`, roles that do
 * not alternate, tool results without their tool use, empty texts, unknown fields. It answers as
 * every fake does (fake-behaviour.ts); #fail-503 is Anthropic's 529 overloaded_error and
 * #rate-limit a 429 with Retry-After: 7. The gateway asks for a JSON schema through its
 * JSON_RESPONSE_TOOL, which this fake model answers as a schema-following model would: by calling it.
 * With `thinking` enabled it thinks first ("Thinking about: <last user text>", a thinking block with
 * a signature only this fake issues; `#redacted-thinking` adds a redacted_thinking block,
 * `#interleaved-thinking` a text and a second thinking block after the first, as interleaved thinking answers), and holds
 * the request to Anthropic's rules for thinking: a budget of at least 1024 below max_tokens, no
 * temperature but 1, no top_k, a final assistant turn with tool use that starts with its thinking,
 * and only thinking blocks whose signature it issued (redacted ones it wrote).
 */
export interface FakeAnthropic {
  /** A host root, as ANTHROPIC_BASE_URL holds it. */
  url: string;
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export const FAKE_ANTHROPIC_KEY = 'sk-ant-fake-upstream-key';
const KNOWN_MODELS = new Set(['claude-3-5-sonnet-latest', 'claude-sonnet-4-5', 'claude-3-5-haiku-latest']);
const FIELDS = new Set(['model', 'messages', 'max_tokens', 'system', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k', 'tools', 'tool_choice', 'metadata', 'thinking', 'service_tier']);
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const USER_BLOCKS = new Set(['text', 'image', 'document', 'tool_result']);
const ASSISTANT_BLOCKS = new Set(['text', 'tool_use', 'thinking', 'redacted_thinking']);

type Block = { type: string; text?: string; source?: { type?: string; media_type?: string; data?: string; url?: string }; id?: string; name?: string; input?: unknown; tool_use_id?: string; content?: string | Block[] };
interface Message { role: string; content: string | Block[] }
type Body = Record<string, unknown>;

function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake', ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_fake' }));
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first problem the real API would report as a 400, in its wording. */
function invalidBlock(block: Block, where: string, allowed: Set<string>): string | undefined {
  if (!isObject(block) || !allowed.has(block.type)) return `${where}.type: Input tag '${String(block?.type)}' found using 'type' does not match any of the expected tags`;
  if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) return 'messages: text content blocks must be non-empty';
  if (block.type === 'image') {
    const source = block.source ?? {};
    if (source.type === 'url' && typeof source.url === 'string') return undefined;
    if (source.type !== 'base64' || typeof source.data !== 'string') return `${where}.image.source: Input tag '${String(source.type)}' does not match any of the expected tags: 'base64', 'url'`;
    if (!IMAGE_TYPES.has(String(source.media_type))) return `${where}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  }
  if (block.type === 'tool_use' && (typeof block.id !== 'string' || typeof block.name !== 'string' || !isObject(block.input))) return `${where}.tool_use: id, name and an object input are required`;
  if (block.type === 'tool_result') {
    if (typeof block.tool_use_id !== 'string') return `${where}.tool_result.tool_use_id: Field required`;
    if (Array.isArray(block.content)) {
      for (const [k, inner] of block.content.entries()) {
        const problem = invalidBlock(inner, `${where}.tool_result.content.${k}`, new Set(['text', 'image']));
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

function blocksOf(message: Message): Block[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

function validate(body: Body): string | undefined {
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) return `${key}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string') return 'model: Field required';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return 'max_tokens: Input should be greater than or equal to 1';
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  if (body.messages.length === 0) return 'messages: at least one message is required';
  if (body.system !== undefined && typeof body.system !== 'string' && !(Array.isArray(body.system) && body.system.every((b: Block) => b?.type === 'text' && typeof b.text === 'string' && b.text !== ''))) {
    return 'system: Input should be a valid string or a list of non-empty text blocks';
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) return 'temperature: Input should be less than or equal to 1';
  const messages = body.messages as Message[];
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) return `messages.${i}: Input should be a valid dictionary`;
    if (message.role === 'system') return `messages.${i}.role: Unexpected role "system". The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`;
    if (message.role !== 'user' && message.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i > 0 && messages[i - 1].role === message.role) return `messages: roles must alternate between "user" and "assistant", but found multiple "${message.role}" roles in a row`;
    if (typeof message.content === 'string') {
      if (message.content === '' && i < messages.length - 1) return 'messages: text content blocks must be non-empty';
      continue;
    }
    if (!Array.isArray(message.content)) return `messages.${i}.content: Input should be a valid list`;
    if (message.content.length === 0 && !(i === messages.length - 1 && message.role === 'assistant')) {
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    }
    for (const [j, block] of message.content.entries()) {
      const problem = invalidBlock(block, `messages.${i}.content.${j}`, message.role === 'user' ? USER_BLOCKS : ASSISTANT_BLOCKS);
      if (problem) return problem;
    }
  }
  for (const [i, message] of messages.entries()) {
    const uses = message.role === 'assistant' ? blocksOf(message).filter((b) => b.type === 'tool_use').map((b) => b.id!) : [];
    const results = message.role === 'user' ? blocksOf(message).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id!) : [];
    const previousUses = i > 0 && messages[i - 1].role === 'assistant' ? blocksOf(messages[i - 1]).filter((b) => b.type === 'tool_use').map((b) => b.id) : [];
    const orphan = results.find((id) => !previousUses.includes(id));
    if (orphan) return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${orphan}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    const next = messages[i + 1];
    const answered = next ? blocksOf(next).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id) : [];
    const unanswered = next ? uses.filter((id) => !answered.includes(id)) : [];
    if (unanswered.length > 0) return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
  }
  const tools = body.tools ?? [];
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  for (const [i, tool] of (tools as Array<Record<string, unknown>>).entries()) {
    if (typeof tool?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
  }
  if (body.tool_choice !== undefined) {
    const choice = body.tool_choice as { type?: string; name?: string };
    if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(String(choice.type))) return `tool_choice: Input tag '${String(choice?.type)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`;
    if (choice.type === 'tool' && !(tools as Array<{ name?: string }>).some((t) => t.name === choice.name)) return `tool_choice: Tool '${String(choice.name)}' not found in provided tools`;
  }
  if (body.stop_sequences !== undefined && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s) => typeof s === 'string' && s.trim() !== ''))) {
    return 'stop_sequences: each stop sequence must contain non-whitespace';
  }
  return undefined;
}

/** The signature this fake gives a thinking text (Anthropic's are opaque base64 of the same look). */
export function fakeThinkingSignature(thinking: string): string {
  return `EqFake${createHash('sha256').update(thinking).digest('base64')}`;
}

export const FAKE_REDACTED_THINKING = 'EmwKAhgBEgyFakeRedactedThinkingData';
/** What `#interleaved-thinking` writes between its first and second thinking block, and its second thought. */
export const FAKE_INTERLEAVED_TEXT = 'Let me look that up.';
export const FAKE_SECOND_THOUGHT = 'Thinking again: the tool will know.';

/** The first problem Anthropic would report with a request that turns thinking on. */
function invalidThinking(body: Body): string | undefined {
  const thinking = body.thinking as { type?: string; budget_tokens?: unknown } | undefined;
  if (thinking === undefined || thinking.type !== 'enabled') return undefined;
  const budget = thinking.budget_tokens;
  if (!Number.isInteger(budget) || (budget as number) < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
  if ((budget as number) >= (body.max_tokens as number)) return '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size';
  if (body.temperature !== undefined && body.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility';
  if (body.top_k !== undefined) return '`top_k` cannot be set when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility';
  const messages = body.messages as Message[];
  for (const [i, message] of messages.entries()) {
    if (message.role !== 'assistant' || typeof message.content === 'string') continue;
    for (const [j, block] of (message.content as Array<Block & { thinking?: unknown; signature?: unknown; data?: unknown }>).entries()) {
      if (block.type === 'thinking' && (typeof block.thinking !== 'string' || block.signature !== fakeThinkingSignature(block.thinking))) return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
      if (block.type === 'redacted_thinking' && block.data !== FAKE_REDACTED_THINKING) return `messages.${i}.content.${j}: Invalid \`data\` in \`redacted_thinking\` block`;
    }
  }
  const lastAssistant = messages.findLastIndex((m) => m.role === 'assistant');
  const last = lastAssistant >= 0 ? blocksOf(messages[lastAssistant]) : [];
  if (last.some((b) => b.type === 'tool_use') && last[0].type !== 'thinking' && last[0].type !== 'redacted_thinking') {
    return `messages.${lastAssistant}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${last[0].type}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`;
  }
  return undefined;
}

function textOf(content: string | Block[] | undefined): string {
  if (typeof content === 'string') return content;
  return (content ?? []).filter((b) => b.type === 'text').map((b) => b.text).join(' ');
}

function imagesOf(blocks: Block[]): FakeImage[] {
  return blocks
    // Documents (PDFs) are seen as images are: their media type and size.
    .filter((b) => b.type === 'image' || b.type === 'document')
    .map((b) => (b.source?.type === 'base64' ? { mediaType: String(b.source.media_type), bytes: Buffer.from(b.source.data ?? '', 'base64').length } : { mediaType: 'remote', bytes: 0 }));
}

/** Anthropic's request in the fakes' neutral form; each tool_result is a tool turn of its own. */
function decode(body: Body): FakeRequest {
  const system = typeof body.system === 'string' ? body.system : (body.system as Block[] | undefined)?.map((b) => b.text).join('\n');
  const turns: FakeTurn[] = [];
  for (const message of body.messages as Message[]) {
    const blocks = blocksOf(message);
    if (message.role === 'assistant') {
      const toolCalls = blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id!, name: b.name!, arguments: JSON.stringify(b.input) }));
      turns.push({ role: 'assistant', text: textOf(blocks), images: [], toolCalls });
      continue;
    }
    for (const result of blocks.filter((b) => b.type === 'tool_result')) {
      const text = textOf(result.content);
      turns.push({ role: 'tool', text, images: [], toolCalls: [], toolResult: text });
    }
    const rest = blocks.filter((b) => b.type !== 'tool_result');
    if (rest.length > 0) turns.push({ role: 'user', text: textOf(rest), images: imagesOf(rest), toolCalls: [] });
  }
  const names = ((body.tools as Array<{ name: string }> | undefined) ?? []).map((t) => t.name);
  const choice = body.tool_choice as { type: string; name?: string } | undefined;
  const jsonSchema = names.includes(JSON_RESPONSE_TOOL) && (choice?.type === 'any' || (choice?.type === 'tool' && choice.name === JSON_RESPONSE_TOOL));
  const toolChoice: FakeRequest['toolChoice'] =
    choice?.type === 'tool' ? (choice.name === JSON_RESPONSE_TOOL ? undefined : { name: choice.name! }) : choice?.type === 'any' ? 'required' : (choice?.type as 'auto' | 'none' | undefined);
  const stop = Array.isArray(body.stop_sequences) ? (body.stop_sequences as string[]) : undefined;
  return { system, turns, tools: names.filter((n) => n !== JSON_RESPONSE_TOOL), toolChoice, maxTokens: body.max_tokens as number, jsonSchema, stop };
}

const STOP_REASONS = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' } as const;

/** The answer's content blocks: a JSON answer to a schema request is a call of the JSON tool. */
function contentOf(answer: FakeAnswer, jsonSchema: boolean): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  if (answer.text) {
    let json: unknown;
    try {
      json = jsonSchema ? JSON.parse(answer.text) : undefined;
    } catch {
      json = undefined;
    }
    if (isObject(json)) blocks.push({ type: 'tool_use', id: 'toolu_fakejson', name: JSON_RESPONSE_TOOL, input: json });
    else blocks.push({ type: 'text', text: answer.text });
  }
  for (const call of answer.toolCalls) blocks.push({ type: 'tool_use', id: call.id.replace(/^call_/, 'toolu_'), name: call.name, input: JSON.parse(call.arguments) });
  return blocks;
}

/** A request that marks anything with `cache_control` writes 3 prompt tokens to the cache. */
function usageOf(answer: FakeAnswer, body: Body): Record<string, unknown> {
  const { input, output, cached } = answer.usage;
  const written = JSON.stringify(body).includes('"cache_control"') ? 3 : 0;
  return { input_tokens: input - cached - written, cache_creation_input_tokens: written, cache_read_input_tokens: cached, output_tokens: output, service_tier: 'standard' };
}

/** `POST /v1/messages/count_tokens`: the body of a message request without `max_tokens`; its prompt's tokens as the fake's answers count them. */
function countTokens(body: Body, res: ServerResponse): void {
  if ('max_tokens' in body || 'stream' in body) return sendError(res, 400, 'invalid_request_error', `${'max_tokens' in body ? 'max_tokens' : 'stream'}: Extra inputs are not permitted`);
  const problem = validate({ ...body, max_tokens: 1 });
  if (problem) return sendError(res, 400, 'invalid_request_error', problem);
  if (!KNOWN_MODELS.has(String(body.model))) return sendError(res, 404, 'not_found_error', `model: ${String(body.model)}`);
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' });
  res.end(JSON.stringify({ input_tokens: fakeAnswer(decode(body)).usage.input }));
}

async function handleMessages(body: Body, res: ServerResponse): Promise<void> {
  const problem = validate(body) ?? invalidThinking(body);
  if (problem) return sendError(res, 400, 'invalid_request_error', problem);
  if (!KNOWN_MODELS.has(String(body.model))) return sendError(res, 404, 'not_found_error', `model: ${String(body.model)}`);

  const request = decode(body);
  const faults = faultsOf(request);
  if (faults.has('hang')) return new Promise(() => undefined);
  if (faults.has('fail-500')) return sendError(res, 500, 'api_error', 'Internal server error');
  if (faults.has('fail-503')) return sendError(res, 529, 'overloaded_error', 'Overloaded');
  if (faults.has('rate-limit')) return sendError(res, 429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '7' });
  if (faults.has('bad-request')) return sendError(res, 400, 'invalid_request_error', `max_tokens: 100000 > 8192, which is the maximum allowed number of output tokens for ${String(body.model)}`);
  if (faults.has('not-json')) {
    res.writeHead(200, { 'content-type': 'text/html' });
    return void res.end('<html>oops</html>');
  }

  const answer = fakeAnswer(request);
  const content = contentOf(answer, request.jsonSchema);
  if ((body.thinking as { type?: string } | undefined)?.type === 'enabled') {
    const thinking = `Thinking about: ${lastUserText(request)}`;
    const blocks: Array<Record<string, unknown>> = [{ type: 'thinking', thinking, signature: fakeThinkingSignature(thinking) }];
    if (lastUserText(request).includes('#redacted-thinking')) blocks.push({ type: 'redacted_thinking', data: FAKE_REDACTED_THINKING });
    if (lastUserText(request).includes('#interleaved-thinking')) blocks.push({ type: 'text', text: FAKE_INTERLEAVED_TEXT }, { type: 'thinking', thinking: FAKE_SECOND_THOUGHT, signature: fakeThinkingSignature(FAKE_SECOND_THOUGHT) });
    content.unshift(...blocks);
  }
  const stopReason = content.some((b) => b.type === 'tool_use') ? 'tool_use' : answer.stopSequence !== undefined ? 'stop_sequence' : STOP_REASONS[answer.finish];
  const withUsage = !faults.has('no-usage');
  const message: Record<string, unknown> = { id: 'msg_fake123', type: 'message', role: 'assistant', model: String(body.model), content, stop_reason: stopReason, stop_sequence: answer.stopSequence ?? null };
  if (withUsage) message.usage = usageOf(answer, body);
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' });
    return void res.end(JSON.stringify(message));
  }

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_fake' });
  const send = (event: Record<string, unknown> & { type: string }): boolean => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  const start: Record<string, unknown> = { ...message, content: [], stop_reason: null };
  if (withUsage) start.usage = { ...usageOf(answer, body), output_tokens: 1 };
  send({ type: 'message_start', message: start });
  for (const [index, block] of content.entries()) {
    if (block.type === 'text') {
      send({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      if (index === 0) send({ type: 'ping' });
      for (const [i, piece] of pieces(String(block.text)).entries()) {
        if (faults.has('slow')) await sleep(50);
        send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
        if (faults.has('reset') && i === 1) {
          await sleep(20);
          return void res.socket?.destroy();
        }
        if (faults.has('midstream-error') && i === 1) {
          send({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
          return void res.end();
        }
      }
    } else if (block.type === 'thinking') {
      send({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      if (index === 0) send({ type: 'ping' });
      for (const piece of pieces(String(block.thinking))) send({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
      send({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
    } else if (block.type === 'redacted_thinking') {
      send({ type: 'content_block_start', index, content_block: block });
    } else {
      send({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
      for (const piece of pieces(JSON.stringify(block.input), 8)) send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    send({ type: 'content_block_stop', index });
  }
  const delta: Record<string, unknown> = { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: answer.stopSequence ?? null } };
  if (withUsage) delta.usage = { output_tokens: answer.usage.output };
  send(delta as { type: string });
  send({ type: 'message_stop' });
  res.end();
}

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: FakeAnthropic['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const key = req.headers['x-api-key'];
      if (key === undefined) return sendError(res, 401, 'authentication_error', 'x-api-key header is required');
      if (key !== FAKE_ANTHROPIC_KEY) return sendError(res, 401, 'authentication_error', 'invalid x-api-key');
      if (req.headers['anthropic-version'] === undefined) return sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
      if (req.headers['anthropic-version'] !== '2023-06-01') return sendError(res, 400, 'invalid_request_error', `anthropic-version: invalid version ${String(req.headers['anthropic-version'])}`);
      if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')) return sendError(res, 404, 'not_found_error', 'Not Found');
      let body: Body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return sendError(res, 400, 'invalid_request_error', 'There was an issue with the format or content of your request. The body must be valid JSON.');
      }
      if (!isObject(body)) return sendError(res, 400, 'invalid_request_error', 'The request body must be a JSON object.');
      requests.push({ path, headers: req.headers, body });
      if (path === '/v1/messages/count_tokens') return countTokens(body, res);
      handleMessages(body, res).catch((error) => res.destroy(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
