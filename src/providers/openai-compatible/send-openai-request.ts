import { FormData } from '../shared/undici-parts.js';
import type { UpstreamResponse } from '../shared/call-upstream.js';
import { postUpstream } from '../shared/post-upstream.js';
import type { ProviderConfig, Timeouts } from '../types.js';
import { mapOpenAIError } from './map-openai-error.js';

/**
 * POSTs a JSON or multipart body to `{base}{path}` of an OpenAI-compatible provider, with the
 * call's timeouts, and returns the 2xx answer; failures become our errors (OpenAI's error shape).
 */
export function sendOpenAIRequest(
  config: ProviderConfig,
  path: string,
  body: Record<string, unknown> | FormData,
  call: { signal: AbortSignal; timeouts?: Timeouts },
): Promise<UpstreamResponse> {
  const headers: Record<string, string> = {};
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  if (!(body instanceof FormData)) headers['content-type'] = 'application/json';
  return postUpstream(config, {
    url: `${(config.baseUrl ?? '').replace(/\/+$/, '')}${path}`,
    headers,
    body,
    signal: call.signal,
    timeouts: call.timeouts,
    mapError: (status, text, retryAfter) => mapOpenAIError({ provider: config.name, status, body: text, retryAfter }),
  });
}
