/**
 * The translated routes: the same conversation as the relay's, sent to the gateway in OpenAI's
 * format for a Gemini and an Anthropic catalog model, and directly to the fake upstream in each
 * provider's own format, as a native client would. The direct bodies are made once, at start, by
 * the adapters' own request conversion from the gateway's request, so that they are byte for
 * byte what the gateway sends upstream: the fake does the same work on both paths and the
 * difference is the gateway's.
 */
import type { Pool } from 'undici';
import type { ChatRequest } from '../src/core/chat.js';
import { ANTHROPIC_VERSION } from '../src/providers/anthropic/anthropic-api.js';
import { convertToAnthropicRequest } from '../src/providers/anthropic/convert-to-anthropic-request.js';
import { convertToGeminiRequest } from '../src/providers/gemini/convert-to-gemini-request.js';
import { CONTENT_CHUNKS } from './config.js';
import { FULL_TEXT } from './fake-common.js';
import { type Route, type Target, chatBody, fetchText, gatewayTarget, validate } from './requests.js';

const GEMINI_KEY = 'bench-gemini-key';
const ANTHROPIC_KEY = 'bench-anthropic-key';

/** Catalog models and the upstream model each is deployed as (src/config/default-catalog.ts). */
const GEMINI_MODEL = { public: 'gemini-2.0-flash', upstream: 'gemini-2.0-flash' };
const ANTHROPIC_MODEL = { public: 'claude-3.5-sonnet', upstream: 'claude-3-5-sonnet-latest' };

/** The gateway's request for `model`, parsed, as the adapters get it. */
const chatRequest = (model: string, stream: boolean): ChatRequest => JSON.parse(chatBody(model, stream)) as ChatRequest;

const noImages = (): never => {
  throw new Error('the bench conversation has no images');
};

/** The gateway's environment for both providers: host roots of the fake, no path. */
export function translatedProviderEnv(upstreamOrigin: string): Record<string, string> {
  return { GEMINI_API_KEY: GEMINI_KEY, GEMINI_BASE_URL: upstreamOrigin, ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: upstreamOrigin };
}

function fail(target: Target, what: string, text: string): never {
  throw new Error(`${target.name} ${what}: unexpected answer: ${text.slice(0, 600)}`);
}

// --- Gemini: POST /v1beta/models/{model}:generateContent | :streamGenerateContent?alt=sse

async function geminiDirect(): Promise<Target> {
  const body = async (stream: boolean): Promise<string> => {
    const warnings: string[] = [];
    const request = await convertToGeminiRequest(chatRequest(GEMINI_MODEL.public, stream), { streaming: stream, warn: (w) => warnings.push(w), loadImage: noImages });
    if (warnings.length > 0) throw new Error(`gemini request conversion warned: ${warnings.join('; ')}`);
    return JSON.stringify(request);
  };
  return {
    name: 'gemini direct',
    side: 'direct',
    json: { path: `/v1beta/models/${GEMINI_MODEL.upstream}:generateContent`, body: await body(false) },
    stream: { path: `/v1beta/models/${GEMINI_MODEL.upstream}:streamGenerateContent?alt=sse`, body: await body(true) },
    headers: { 'content-type': 'application/json', 'x-goog-api-key': GEMINI_KEY },
    // Gemini sends no end marker: a stream ends with its body.
  };
}

interface GeminiResponse {
  candidates?: Array<{ content?: { parts?: Array<{ text?: string }> }; finishReason?: string }>;
  usageMetadata?: unknown;
}

async function validateGeminiDirect(pool: Pool, target: Target): Promise<void> {
  const text = await fetchText(pool, target, false);
  const answer = JSON.parse(text) as GeminiResponse;
  if (answer.candidates?.[0]?.content?.parts?.[0]?.text !== FULL_TEXT || !answer.usageMetadata) fail(target, 'non-streaming', text);

  const sse = await fetchText(pool, target, true);
  const events = sse.split(/\r?\n\r?\n/).filter((e) => e.trim() !== '');
  if (events.some((e) => !e.startsWith('data: '))) fail(target, 'streaming', sse);
  const responses = events.map((e) => JSON.parse(e.slice(6)) as GeminiResponse);
  const pieces = responses.map((r) => r.candidates?.[0]?.content?.parts?.[0]?.text ?? '');
  const last = responses.at(-1);
  if (responses.length !== CONTENT_CHUNKS || pieces.join('') !== FULL_TEXT || last?.candidates?.[0]?.finishReason !== 'STOP' || !last.usageMetadata) fail(target, 'streaming', sse);
}

// --- Anthropic: POST /v1/messages

async function anthropicDirect(): Promise<Target> {
  const body = async (stream: boolean): Promise<string> => {
    const plan = await convertToAnthropicRequest(chatRequest(ANTHROPIC_MODEL.public, stream), { model: ANTHROPIC_MODEL.upstream, stream, loadImage: noImages });
    if (plan.warnings.length > 0) throw new Error(`anthropic request conversion warned: ${plan.warnings.join('; ')}`);
    return JSON.stringify(plan.body);
  };
  return {
    name: 'anthropic direct',
    side: 'direct',
    json: { path: '/v1/messages', body: await body(false) },
    stream: { path: '/v1/messages', body: await body(true) },
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': ANTHROPIC_VERSION },
    doneMarker: 'message_stop',
  };
}

async function validateAnthropicDirect(pool: Pool, target: Target): Promise<void> {
  const text = await fetchText(pool, target, false);
  const message = JSON.parse(text) as { type?: string; content?: Array<{ type?: string; text?: string }>; usage?: unknown };
  if (message.type !== 'message' || message.content?.[0]?.text !== FULL_TEXT || !message.usage) fail(target, 'non-streaming', text);

  const sse = await fetchText(pool, target, true);
  const events = sse
    .split('\n\n')
    .filter((e) => e.trim() !== '')
    .map((e) => {
      const [name, data] = e.split('\n');
      if (!name.startsWith('event: ') || !data?.startsWith('data: ')) fail(target, 'streaming', sse);
      return { name: name.slice(7), data: JSON.parse(data.slice(6)) as { type?: string; delta?: { type?: string; text?: string } } };
    });
  const deltas = events.filter((e) => e.name === 'content_block_delta' && e.data.delta?.type === 'text_delta').map((e) => e.data.delta?.text ?? '');
  const names = events.map((e) => e.name);
  if (
    deltas.length !== CONTENT_CHUNKS ||
    deltas.join('') !== FULL_TEXT ||
    names[0] !== 'message_start' ||
    names.at(-1) !== 'message_stop' ||
    !names.includes('message_delta') ||
    events.some((e) => e.data.type !== e.name)
  ) {
    fail(target, 'streaming', sse);
  }
}

/** The Gemini and the Anthropic route. */
export async function translatedRoutes(): Promise<Route[]> {
  const gemini = await geminiDirect();
  const anthropic = await anthropicDirect();
  return [
    {
      name: 'gemini',
      label: `gemini (${GEMINI_MODEL.public})`,
      model: GEMINI_MODEL.public,
      direct: gemini,
      gateway: gatewayTarget(GEMINI_MODEL.public, 'gemini via gateway'),
      validateDirect: (pool) => validateGeminiDirect(pool, gemini),
    },
    {
      name: 'anthropic',
      label: `anthropic (${ANTHROPIC_MODEL.public})`,
      model: ANTHROPIC_MODEL.public,
      direct: anthropic,
      gateway: gatewayTarget(ANTHROPIC_MODEL.public, 'anthropic via gateway'),
      validateDirect: (pool) => validateAnthropicDirect(pool, anthropic),
    },
  ];
}

/** Both paths of a route answer as expected: the fake in its own dialect, the gateway in OpenAI's. */
export async function validateRoute(route: Route, pools: { direct: Pool; gateway: Pool }): Promise<void> {
  await route.validateDirect(pools.direct);
  await validate(pools.gateway, route.gateway, route.model);
}
