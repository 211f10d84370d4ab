import type { ChatRequest } from '../../core/chat.js';
import type { Warn } from '../../core/warnings.js';

/**
 * OpenAI parameters that change the answer and that local generation does not honour, with the
 * value that asks for nothing. Tools, images, audio, files and reasoning never get here: routing
 * refuses them for local deployments (src/routing/required-capabilities.ts).
 */
const IGNORED: ReadonlyArray<[name: string, neutral: (value: unknown) => boolean]> = [
  ['n', (v) => v === 1],
  ['logprobs', (v) => v === false],
  ['top_logprobs', (v) => v === 0],
  ['logit_bias', (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0],
  ['presence_penalty', (v) => v === 0],
  ['frequency_penalty', (v) => v === 0],
  ['prediction', () => false],
  ['web_search_options', () => false],
  ['verbosity', () => false],
];

/** Names, in one warning, the parameters of this request a local model answers without. */
export function reportIgnoredParameters(body: ChatRequest, warn: Warn): void {
  const ignored = IGNORED.filter(([name, neutral]) => body[name] != null && !neutral(body[name])).map(([name]) => name);
  if (ignored.length > 0) warn('dropped_parameter', `local models do not support ${ignored.join(', ')}; ignored`);
}
