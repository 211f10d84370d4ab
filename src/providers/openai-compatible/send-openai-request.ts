import { type Dispatcher, FormData, request } from 'undici';
import { upstreamDispatcher } from '../shared/http-client.js';
import { mapTransportError } from '../shared/map-transport-error.js';
import type { ProviderConfig } from '../types.js';
import { mapOpenAIError } from './map-openai-error.js';

/**
 * POSTs a JSON or multipart body to `{base}{path}` of an OpenAI-compatible provider and returns
 * the 2xx response; failures become our errors (transport or OpenAI's error shape).
 */
export async function sendOpenAIRequest(config: ProviderConfig, path: string, body: Record<string, unknown> | FormData, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  const headers: Record<string, string> = {};
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  if (!(body instanceof FormData)) headers['content-type'] = 'application/json';
  const url = `${(config.baseUrl ?? '').replace(/\/+$/, '')}${path}`;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: 'POST',
      headers,
      body: body instanceof FormData ? body : JSON.stringify(body),
      dispatcher: upstreamDispatcher(),
      signal,
      headersTimeout: config.timeouts.firstByteMs,
      bodyTimeout: config.timeouts.idleMs,
    });
  } catch (error) {
    throw mapTransportError(config.name, error, signal);
  }
  if (res.statusCode >= 400) {
    const text = await res.body.text().catch(() => '');
    const retryAfter = res.headers['retry-after'];
    throw mapOpenAIError(config.name, res.statusCode, text, typeof retryAfter === 'string' ? retryAfter : undefined);
  }
  return res;
}
