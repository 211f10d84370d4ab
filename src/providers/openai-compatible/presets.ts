import type { ProviderPreset } from '../types.js';

/**
 * The OpenAI-compatible family. Each follows the official SDKs' convention: `<NAME>_API_KEY`
 * and `<NAME>_BASE_URL`, the base URL including the version path.
 */
function preset(name: string, defaultBaseUrl: string, prefix = name.toUpperCase()): ProviderPreset {
  return { name, type: 'openai-compatible', keyVar: `${prefix}_API_KEY`, baseUrlVar: `${prefix}_BASE_URL`, defaultBaseUrl };
}

/** Local servers need no key: they are configured by their base URL alone. */
function localServer(name: string, prefix: string): ProviderPreset {
  return { name, type: 'openai-compatible', baseUrlVar: `${prefix}_BASE_URL`, requiredVar: `${prefix}_BASE_URL` };
}

export const OPENAI_COMPATIBLE_PRESETS: readonly ProviderPreset[] = [
  { ...preset('openai', 'https://api.openai.com/v1'), type: 'openai' },
  preset('deepseek', 'https://api.deepseek.com/v1'),
  preset('groq', 'https://api.groq.com/openai/v1'),
  // Together's image generation takes `width`/`height` (openai-images.ts).
  { ...preset('together', 'https://api.together.xyz/v1'), options: { images_api: 'together' } },
  preset('mistral', 'https://api.mistral.ai/v1'),
  preset('xai', 'https://api.x.ai/v1'),
  preset('openrouter', 'https://openrouter.ai/api/v1'),
  preset('cerebras', 'https://api.cerebras.ai/v1'),
  preset('dashscope', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1'),
  preset('zai', 'https://api.z.ai/api/paas/v4'),
  preset('moonshot', 'https://api.moonshot.ai/v1'),
  preset('perplexity', 'https://api.perplexity.ai'),
  localServer('ollama', 'OLLAMA'),
  localServer('vllm', 'VLLM'),
  localServer('llamacpp', 'LLAMACPP'),
];
