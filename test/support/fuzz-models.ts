/**
 * The models the fuzzer sends to, each routed to a fake of one provider by the server's
 * OPENSQ_CONFIG, so that every translator (OpenAI-compatible, Anthropic, Gemini, Cohere, OpenAI
 * media, Google TTS, BFL) meets hostile text. All are priced, so credits move.
 */
export const FUZZ_MODELS = {
  chat: ['fz-openai', 'fz-anthropic', 'fz-gemini', 'fz-cohere'],
  embedding: ['fz-embed-openai', 'fz-embed-gemini', 'fz-embed-cohere'],
  image: ['fz-image-openai', 'fz-dalle', 'fz-flux-pro', 'fz-flux-kontext'],
  speech: ['fz-tts', 'fz-gtts'],
  /** A chat model whose provider is not configured: a 503 provider_not_configured, documented. */
  down: 'fz-down',
} as const;

export interface FuzzUpstreams {
  openai: string;
  anthropic: string;
  gemini: string;
  cohere: string;
  gtts: string;
  bfl: string;
}

export interface FuzzUpstreamKeys {
  openai: string;
  anthropic: string;
  gemini: string;
  cohere: string;
  bfl: string;
}

/** OPENSQ_CONFIG for a server whose models reach the fakes at `urls`. */
export function fuzzConfig(urls: FuzzUpstreams, keys: FuzzUpstreamKeys): string {
  const chatCost = '{ input: 100, output: 200 }';
  return `providers:
  fz-openai: { type: openai-compatible, base_url: ${urls.openai}, api_key: ${keys.openai} }
  fz-anthropic: { type: anthropic, base_url: ${urls.anthropic}, api_key: ${keys.anthropic} }
  fz-gemini: { type: gemini, base_url: ${urls.gemini}, api_key: ${keys.gemini} }
  fz-cohere: { type: cohere, base_url: ${urls.cohere}, api_key: ${keys.cohere} }
  fz-gtts: { type: gtts, base_url: ${urls.gtts} }
  fz-bfl: { type: bfl, base_url: ${urls.bfl}, api_key: ${keys.bfl}, options: { poll_interval_ms: 20, max_poll_interval_ms: 50 } }
  fz-openai-media: { type: openai, base_url: ${urls.openai}, api_key: ${keys.openai} }
  fz-nowhere: { type: openai-compatible }
models:
  fz-openai: { paid: false, kind: chat, can_tools: true, can_vision: true, cost: ${chatCost}, deployments: [ { provider: fz-openai, model: gpt-4o-mini } ] }
  fz-anthropic: { paid: false, kind: chat, can_tools: true, can_vision: true, cost: ${chatCost}, deployments: [ { provider: fz-anthropic, model: claude-3-5-sonnet-latest } ] }
  fz-gemini: { paid: false, kind: chat, can_tools: true, can_vision: true, cost: ${chatCost}, deployments: [ { provider: fz-gemini, model: gemini-2.0-flash } ] }
  fz-cohere: { paid: false, kind: chat, can_tools: true, can_vision: false, cost: ${chatCost}, deployments: [ { provider: fz-cohere, model: command-r-plus } ] }
  fz-down: { paid: false, kind: chat, cost: ${chatCost}, deployments: [ { provider: fz-nowhere, model: nothing } ] }
  fz-embed-openai: { paid: false, kind: embedding, cost: { input: 50, output: 0 }, deployments: [ { provider: fz-openai, model: text-embedding-3-small } ] }
  fz-embed-gemini: { paid: false, kind: embedding, cost: { input: 50, output: 0 }, deployments: [ { provider: fz-gemini, model: text-embedding-004 } ] }
  fz-embed-cohere: { paid: false, kind: embedding, cost: { input: 50, output: 0 }, deployments: [ { provider: fz-cohere, model: embed-v4.0 } ] }
  fz-image-openai: { paid: false, kind: image, modality: image, can_vision: true, endpoints: [ImaGen, OpenAI SDK], cost: { input: 0, output: 0, per_image: 0.05 }, deployments: [ { provider: fz-openai-media, model: gpt-image-1 } ] }
  fz-dalle: { paid: false, kind: image, modality: image, endpoints: [ImaGen, OpenAI SDK], cost: { input: 0, output: 0, per_image: 0.04 }, deployments: [ { provider: fz-openai-media, model: dall-e-3 } ] }
  fz-flux-pro: { paid: false, kind: image, modality: image, endpoints: [ImaGen, OpenAI SDK], cost: { input: 0, output: 0, per_image: 0.04 }, deployments: [ { provider: fz-bfl, model: flux-pro-1.1 } ] }
  fz-flux-kontext: { paid: false, kind: image, modality: image, can_vision: true, endpoints: [ImaGen, OpenAI SDK], cost: { input: 0, output: 0, per_image: 0.04 }, deployments: [ { provider: fz-bfl, model: flux-kontext-pro } ] }
  fz-tts: { paid: false, kind: speech, modality: sound, endpoints: [TTS, OpenAI SDK], cost: { input: 0, output: 0, per_1k_chars: 0.015 }, deployments: [ { provider: fz-openai-media, model: tts-1 } ] }
  fz-gtts: { paid: false, kind: speech, modality: sound, endpoints: [TTS, OpenAI SDK], cost: { input: 0, output: 0, per_1k_chars: 0.01 }, deployments: [ { provider: fz-gtts, model: gtts } ] }
`;
}
