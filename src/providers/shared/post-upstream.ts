import { type Dispatcher, request } from 'undici';
import type { UpstreamError } from '../../core/errors.js';
import type { ProviderConfig, Timeouts } from '../types.js';
import { upstreamDispatcher } from './http-client.js';
import { mapTransportError } from './map-transport-error.js';

export interface UpstreamPost {
  url: string;
  headers: Record<string, string>;
  body: object;
  signal: AbortSignal;
  /** The request's own timeouts (the model's over the provider's); the provider's when absent. */
  timeouts?: Timeouts;
  /** The provider's error body in our terms; `body` never holds the gateway's key. */
  mapError(status: number, body: string, retryAfter: string | undefined): UpstreamError;
}

/**
 * POSTs JSON to a provider through the shared connection pool with the request's timeouts and
 * abort signal. Answers 2xx as they are (the body unread); turns transport failures and error
 * statuses into our errors, with the provider's key scrubbed from any error body it echoes.
 */
export async function postUpstream(config: ProviderConfig, post: UpstreamPost): Promise<Dispatcher.ResponseData> {
  const timeouts = post.timeouts ?? config.timeouts;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(post.url, {
      method: 'POST',
      headers: post.headers,
      body: JSON.stringify(post.body),
      dispatcher: upstreamDispatcher(timeouts.connectMs),
      signal: post.signal,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
    });
  } catch (error) {
    throw mapTransportError(config.name, error, post.signal);
  }
  if (res.statusCode >= 400) {
    let text = await res.body.text().catch(() => '');
    if (config.apiKey) text = text.replaceAll(config.apiKey, '[redacted]');
    const retryAfter = res.headers['retry-after'];
    throw post.mapError(res.statusCode, text, typeof retryAfter === 'string' ? retryAfter : undefined);
  }
  return res;
}
