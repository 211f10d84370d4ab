/**
 * What every fake provider answers, whatever its wire format: each fake decodes its provider's
 * request into this neutral form, asks `fakeAnswer`, and encodes the answer in its own format. So
 * the contract suite can expect the same answers from every provider.
 *
 * Answers:
 *   - the last message is a tool result      → "The tool answered: <result>"
 *   - tools offered and tool_choice not none  → a call of the first tool with {"latitude":48.8566,"longitude":2.3522};
 *                                               a second call (of the second tool) when the text says "parallel"
 *   - an image in the conversation            → "I see an image (<media type>, <bytes> bytes)."
 *   - a JSON schema asked for                 → {"answer":"<last user text>"}
 *   - otherwise                               → "[<system>] Echo: <last user text>" (no prefix without system)
 *   - a max token limit of N words            → the first N words, finish "length"
 *   - a stop sequence (fakes that read them) in the text → the text before it, finish "stop",
 *                                               and `stopSequence` the one that matched first
 *   - `#long-answer` in the last user text  → 6,000 more words, unless a limit cuts them
 *   - `#think` in the last user text        → also reasoning "Thinking about: <last user text>", for
 *                                               fakes whose provider streams reasoning
 * Faults, by marker in the last user text: #fail-500 #fail-503 #rate-limit #bad-request
 *   #midstream-error #reset #no-usage #not-json #hang #slow, and for resilience tests
 *   #stall (hangs after two chunks), #bad-json (200 with a truncated JSON body),
 *   #retry-after-1 (429 with Retry-After: 1), #flaky1 / #flaky2 (the first one or two requests
 *   with this exact text fail with 500, later ones succeed).
 */
export interface FakeImage {
  mediaType: string;
  bytes: number;
}

export interface FakeTurn {
  role: 'user' | 'assistant' | 'tool';
  text: string;
  images: FakeImage[];
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  /** For role tool: the result's text. */
  toolResult?: string;
}

export interface FakeRequest {
  system: string | undefined;
  turns: FakeTurn[];
  tools: string[];
  toolChoice: 'auto' | 'none' | 'required' | { name: string } | undefined;
  maxTokens: number | undefined;
  jsonSchema: boolean;
  /** The request's stop sequences, for fakes that read them. */
  stop?: string[];
}

export interface FakeAnswer {
  text: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finish: 'stop' | 'length' | 'tool_calls';
  usage: { input: number; output: number; cached: number };
  reasoning?: string;
  stopSequence?: string;
}

export type FakeFault =
  | 'fail-500' | 'fail-503' | 'rate-limit' | 'bad-request' | 'midstream-error' | 'reset' | 'no-usage' | 'not-json' | 'hang' | 'slow'
  | 'stall' | 'bad-json' | 'retry-after-1';
const FAULTS: readonly FakeFault[] = [
  'fail-500', 'fail-503', 'rate-limit', 'bad-request', 'midstream-error', 'reset', 'no-usage', 'not-json', 'hang', 'slow', 'stall', 'bad-json', 'retry-after-1',
];

export function lastUserText(request: FakeRequest): string {
  for (let i = request.turns.length - 1; i >= 0; i--) if (request.turns[i].role === 'user') return request.turns[i].text;
  return '';
}

/**
 * The faults this request asks for. `seen` counts earlier requests per text, for the flaky markers;
 * a flaky request that should fail reports `fail-500`.
 */
export function faultsOf(request: FakeRequest, seen?: Map<string, number>): Set<FakeFault> {
  const text = lastUserText(request);
  const faults = new Set(FAULTS.filter((fault) => text.includes(`#${fault}`)));
  const flaky = /#flaky(\d)/.exec(text);
  if (flaky && seen) {
    const count = (seen.get(text) ?? 0) + 1;
    seen.set(text, count);
    if (count <= Number(flaky[1])) faults.add('fail-500');
  }
  return faults;
}

/** `#long-answer` in the last user text: an answer of this many words more, unless a limit cuts it. */
export const LONG_ANSWER_WORDS = 6000;

export const TOOL_ARGUMENTS = [{ latitude: 48.8566, longitude: 2.3522 }, { query: 'phone', max_price: 1000 }];

export function fakeAnswer(request: FakeRequest): FakeAnswer {
  const input = JSON.stringify(request).length >> 2;
  const answer = (text: string | null, toolCalls: FakeAnswer['toolCalls'], finish: FakeAnswer['finish']): FakeAnswer => ({
    text,
    toolCalls,
    finish,
    usage: { input, output: Math.max(1, ((text ?? '') + JSON.stringify(toolCalls)).length >> 2), cached: request.system ? 4 : 0 },
    ...(lastUserText(request).includes('#think') ? { reasoning: `Thinking about: ${lastUserText(request)}` } : {}),
  });
  const last = request.turns.at(-1);
  if (last?.role === 'tool') return answer(`The tool answered: ${last.toolResult ?? last.text}`, [], 'stop');
  const forced = typeof request.toolChoice === 'object' ? request.toolChoice.name : undefined;
  if (request.tools.length > 0 && request.toolChoice !== 'none') {
    const names = forced ? [forced] : request.tools;
    const count = lastUserText(request).includes('parallel') && names.length > 1 ? 2 : 1;
    const calls = Array.from({ length: count }, (_, i) => ({ id: `call_fake${i}`, name: names[i], arguments: JSON.stringify(TOOL_ARGUMENTS[i]) }));
    return answer(null, calls, 'tool_calls');
  }
  const image = request.turns.flatMap((t) => t.images)[0];
  if (image) return answer(`I see an image (${image.mediaType}, ${image.bytes} bytes).`, [], 'stop');
  if (request.jsonSchema) return answer(JSON.stringify({ answer: lastUserText(request) }), [], 'stop');
  let text = `${request.system ? `[${request.system}] ` : ''}Echo: ${lastUserText(request)}`;
  if (lastUserText(request).includes('#long-answer')) text += ' and on'.repeat(LONG_ANSWER_WORDS / 2);
  const stops = (request.stop ?? []).map((stop) => ({ stop, at: text.indexOf(stop) })).filter((s) => s.at >= 0).sort((a, b) => a.at - b.at);
  if (stops.length > 0) text = text.slice(0, stops[0].at);
  if (request.maxTokens !== undefined && text.split(' ').length > request.maxTokens) {
    // Cut at the limit, which counts words here; like a real provider it never bills more.
    const cut = answer(text.split(' ').slice(0, request.maxTokens).join(' '), [], 'length');
    cut.usage.output = Math.min(cut.usage.output, request.maxTokens);
    return cut;
  }
  return stops.length > 0 ? { ...answer(text, [], 'stop'), stopSequence: stops[0].stop } : answer(text, [], 'stop');
}

/** Text split the way fakes stream it: a few characters per event. */
export function pieces(text: string, size = 4): string[] {
  return text.match(new RegExp(`.{1,${size}}`, 'gs')) ?? [];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
