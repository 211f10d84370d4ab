import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_KEY } from './openai-upstream.js';

/**
 * A fake of OpenAI's own Responses API (`POST /v1/responses`), JSON and SSE, in its exact wire
 * format: the Response object and the stream's event names with consecutive `sequence_number`s.
 * It answers an echo of the last user text (or of a `function_call_output` that ends the input); a `web_search*` tool adds a `web_search_call` item, a
 * function tool (before any `function_call_output`) a function call instead of text, a
 * `reasoning.effort` a reasoning item (with `encrypted_content` when `include` asks for it). It
 * refuses what OpenAI refuses without stored state: `previous_response_id`, and a reasoning item
 * without `encrypted_content` when `store` is false. Markers in the user text: #fail-400, #fail-500,
 * #fail-midstream (an `error` event after the first delta), #searches-<k> (k web_search_calls, at most `max_tool_calls`).
 */
export interface FakeOpenAIResponses {
  url: string;
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: Record<string, any> }>;
  close(): Promise<void>;
}

type Item = Record<string, any>;
export const FAKE_USAGE = { input_tokens: 21, input_tokens_details: { cached_tokens: 8, cache_write_tokens: 0 }, output_tokens: 13, output_tokens_details: { reasoning_tokens: 5 }, total_tokens: 34 };
export const UPSTREAM_MODEL_ANSWER = 'gpt-4.1-2025-04-14';

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null, param: string | null = null): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, param, code } }));
}

function lastUserText(input: unknown): string {
  if (typeof input === 'string') return input;
  const items = input as Item[];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if ((item.type ?? 'message') !== 'message' || item.role !== 'user') continue;
    if (typeof item.content === 'string') return item.content;
    return (item.content as Item[]).filter((p) => p.type === 'input_text').map((p) => p.text).join(' ');
  }
  return '';
}

function outputOf(body: Item, n: number): Item[] {
  const input = Array.isArray(body.input) ? (body.input as Item[]) : [];
  const tools = (body.tools ?? []) as Item[];
  const output: Item[] = [];
  if (body.reasoning?.effort) {
    const reasoning: Item = { id: `rs_up${n}`, type: 'reasoning', summary: [] };
    if ((body.include ?? []).includes('reasoning.encrypted_content')) reasoning.encrypted_content = `gAAAAenc${n}`;
    output.push(reasoning);
  }
  const search = tools.find((t) => String(t.type).startsWith('web_search'));
  if (search) {
    // `#searches-<k>` in the user text searches k times, never more than `max_tool_calls`, as OpenAI holds to it.
    const asked = Number(/#searches-(\d{1,2})\b/.exec(lastUserText(body.input))?.[1] ?? 1);
    const searches = typeof body.max_tool_calls === 'number' ? Math.min(asked, body.max_tool_calls) : asked;
    for (let i = 0; i < searches; i++) output.push({ id: `ws_up${n}_${i}`, type: 'web_search_call', status: 'completed', action: { type: 'search', query: lastUserText(body.input) } });
  }
  const fn = tools.find((t) => t.type === 'function');
  if (fn && !input.some((i) => i.type === 'function_call_output')) {
    output.push({ id: `fc_up${n}`, type: 'function_call', status: 'completed', call_id: `call_up${n}`, name: fn.name, arguments: '{"city":"Paris"}' });
    return output;
  }
  const carried = input.filter((i) => i.type === 'reasoning' && typeof i.encrypted_content === 'string').map((i) => i.encrypted_content);
  const last = input.at(-1);
  const answer = last?.type === 'function_call_output' ? `The tool answered: ${last.output}` : `Echo: ${lastUserText(body.input)}`;
  const text = `${answer}${carried.length > 0 ? ` [carried ${carried.join(',')}]` : ''}`;
  output.push({ id: `msg_up${n}`, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] });
  return output;
}

function responseOf(body: Item, n: number, status: string, output: Item[]): Item {
  return {
    id: `resp_upstream${n}`,
    object: 'response',
    created_at: 1_760_000_000,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: UPSTREAM_MODEL_ANSWER,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
    store: body.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    // OpenAI sends `usage: null` until the end; its published schema allows no null, so the fake leaves it out.
    ...(status === 'completed' ? { usage: FAKE_USAGE } : {}),
    metadata: body.metadata ?? {},
  };
}

/** The events OpenAI streams for one output item. */
function itemEvents(item: Item, outputIndex: number): Item[] {
  const events: Item[] = [];
  if (item.type === 'message') {
    const text = item.content[0].text as string;
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
    events.push({ type: 'response.content_part.added', item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
    for (const piece of text.match(/.{1,5}/gs) ?? []) events.push({ type: 'response.output_text.delta', item_id: item.id, output_index: outputIndex, content_index: 0, delta: piece, logprobs: [] });
    events.push({ type: 'response.output_text.done', item_id: item.id, output_index: outputIndex, content_index: 0, text, logprobs: [] });
    events.push({ type: 'response.content_part.done', item_id: item.id, output_index: outputIndex, content_index: 0, part: item.content[0] });
  } else if (item.type === 'function_call') {
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } });
    events.push({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index: outputIndex, delta: item.arguments });
    events.push({ type: 'response.function_call_arguments.done', item_id: item.id, output_index: outputIndex, arguments: item.arguments });
  } else if (item.type === 'web_search_call') {
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress' } });
    for (const step of ['in_progress', 'searching', 'completed']) events.push({ type: `response.web_search_call.${step}`, item_id: item.id, output_index: outputIndex });
  } else {
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item });
  }
  events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
  return events;
}

export async function startFakeOpenAIResponses(): Promise<FakeOpenAIResponses> {
  let served = 0;
  const fake: FakeOpenAIResponses = { url: '', requests: [], close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').split('?')[0];
    if (req.headers.authorization !== `Bearer ${FAKE_KEY}`) return sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    if (req.method !== 'POST' || path !== '/v1/responses') return sendError(res, 404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error', null);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Item;
    fake.requests.push({ path, headers: req.headers, body });
    const n = ++served;
    if (body.previous_response_id) return sendError(res, 400, `Previous response with id '${body.previous_response_id}' not found.`, 'invalid_request_error', 'previous_response_not_found', 'previous_response_id');
    const input = Array.isArray(body.input) ? (body.input as Item[]) : [];
    const orphan = input.find((i) => i.type === 'reasoning' && typeof i.encrypted_content !== 'string');
    if (orphan && body.store === false) {
      return sendError(res, 404, `Item with id '${orphan.id}' not found. Items are not persisted when \`store\` is set to false.`, 'invalid_request_error', null, 'input');
    }
    const text = lastUserText(body.input);
    if (text.includes('#fail-400')) return sendError(res, 400, "Invalid value: 'bogus'. Supported values are: 'auto'.", 'invalid_request_error', 'invalid_value', 'truncation');
    if (text.includes('#fail-500')) return sendError(res, 500, 'The server had an error while processing your request.', 'server_error', null);
    const output = outputOf(body, n);
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(responseOf(body, n, 'completed', output)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    let sequence = 0;
    const send = (event: Item): void => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence++ })}\n\n`);
    };
    send({ type: 'response.created', response: responseOf(body, n, 'in_progress', []) });
    send({ type: 'response.in_progress', response: responseOf(body, n, 'in_progress', []) });
    const events = output.flatMap(itemEvents);
    for (const event of events) {
      send(event);
      if (text.includes('#fail-midstream') && event.type === 'response.output_text.delta') {
        send({ type: 'error', code: 'server_error', message: 'The model failed mid-answer.', param: null });
        res.end();
        return;
      }
    }
    send({ type: 'response.completed', response: responseOf(body, n, 'completed', output) });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
