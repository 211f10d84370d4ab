/**
 * List prices in credits (US dollars) per million tokens for the default catalog's best-known
 * models, so the ledger's `cost` means something out of the box. Operators override any model's
 * `cost` in OPENSQ_CONFIG; models not listed cost 0.
 */
type Price = { input: number; output: number; cache_read?: number; cache_write?: number; tool_calls?: Record<string, number> };

/**
 * OpenAI's built-in tools in the Responses API, per call, as OpenAI publishes them: web search $10 and
 * file search $2.50 per 1,000 calls (web_search_preview on non-reasoning models is $25 per 1,000: set
 * it in OPENSQ_CONFIG for those). Code interpreter (per container) and image generation (per image)
 * are not priced per call here: an operator who allows them sets their price.
 */
const OPENAI_TOOL_CALLS: Readonly<Record<string, number>> = { web_search: 0.01, file_search: 0.0025 };

function openai(input: number, output: number): Price {
  return { input, output, tool_calls: OPENAI_TOOL_CALLS };
}

/** Anthropic's prices: a cache write (5-minute TTL) costs 1.25× the input price and a cache read 0.1×, as Anthropic publishes. */
function claude(input: number, output: number): Price {
  return { input, output, cache_read: round(input * 0.1), cache_write: round(input * 1.25) };
}

function round(price: number): number {
  return Math.round(price * 1e6) / 1e6;
}

export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  'gpt-4o-mini': openai(0.15, 0.6),
  'gpt-4o': openai(2.5, 10),
  'chatgpt-4o-latest': openai(5, 15),
  'gpt-4.1': openai(2, 8),
  'gpt-4.1-mini': openai(0.4, 1.6),
  'gpt-4.1-nano': openai(0.1, 0.4),
  'gpt-5': openai(1.25, 10),
  'gpt-5-mini': openai(0.25, 2),
  'gpt-5-nano': openai(0.05, 0.4),
  'gpt-5.1': openai(1.25, 10),
  o1: openai(15, 60),
  o3: openai(2, 8),
  'o3-mini': openai(1.1, 4.4),
  'o4-mini': openai(1.1, 4.4),
  'gpt-4-turbo': openai(10, 30),
  'gpt-4': openai(30, 60),
  'gpt-3.5-turbo': openai(0.5, 1.5),
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'claude-3.5-sonnet': claude(3, 15),
  'claude-3-5-sonnet': claude(3, 15),
  'claude-3-7-sonnet': claude(3, 15),
  'claude-3-5-haiku': claude(0.8, 4),
  'claude-sonnet-4': claude(3, 15),
  'claude-sonnet-4-5': claude(3, 15),
  'claude-haiku-4-5': claude(1, 5),
  'claude-opus-4': claude(15, 75),
  'claude-opus-4-1': claude(15, 75),
  'claude-opus-4-5': claude(5, 25),
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
  'deepseek-v3': { input: 0.27, output: 1.1 },
  'deepseek-r1': { input: 0.55, output: 2.19 },
  'command-r-plus': { input: 2.5, output: 10 },
  'command-r': { input: 0.15, output: 0.6 },
  'command-a-03-2025': { input: 2.5, output: 10 },
};

/** A dated snapshot (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) costs what its family does unless listed itself. */
export function defaultPrice(id: string): Price | undefined {
  return DEFAULT_PRICES[id] ?? DEFAULT_PRICES[id.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|preview|latest)$/, '')];
}

/**
 * The longest answers (reasoning included) the default catalog's families write, in tokens, as
 * their makers publish them; other models get DEFAULT_MAX_OUTPUT_TOKENS. Operators set
 * `max_output_tokens` per model in OPENSQ_CONFIG.
 */
const MAX_OUTPUT_TOKENS: ReadonlyArray<[RegExp, number]> = [
  [/^(o1|o3|o4)(-|$)/, 100_000],
  [/^gpt-5/, 128_000],
  [/^gpt-4\.1/, 32_768],
  [/^(gpt-4o|chatgpt-4o)/, 16_384],
  [/^gpt-4-turbo|^gpt-4$|^gpt-3\.5/, 4_096],
  [/^claude-3\.5/, 8_192],
  [/^gemini-2\.5/, 65_536],
  [/^gemini-|^gemma-/, 8_192],
  [/^deepseek-r1/, 32_768],
  [/^deepseek-v3/, 8_192],
  [/^command/, 4_096],
];
export const DEFAULT_MAX_OUTPUT_TOKENS = 16_384;

export function defaultMaxOutputTokens(id: string): number {
  return MAX_OUTPUT_TOKENS.find(([pattern]) => pattern.test(id))?.[1] ?? DEFAULT_MAX_OUTPUT_TOKENS;
}

/**
 * Whether a model is kept from the public key (`paid`) unless the catalog or OPENSQ_CONFIG says
 * otherwise: the dear ones, which an anonymous stranger must not spend the operator's keys on —
 * $8 or more per million output tokens (o1, o3, GPT-4o, GPT-4.1, GPT-5, Claude Sonnet, ...), a cent
 * or more an image (gpt-image-1, DALL·E 3, FLUX pro) or per thousand characters spoken (OpenAI TTS).
 */
export function paidByDefault(cost: { output: number; per_image?: number; per_1k_chars?: number }): boolean {
  return cost.output >= 8 || (cost.per_image ?? 0) >= 0.01 || (cost.per_1k_chars ?? 0) >= 0.01;
}
