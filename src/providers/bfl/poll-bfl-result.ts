import { ApiError, UpstreamError } from '../../core/errors.js';
import { callUpstream } from '../shared/call-upstream.js';
import { malformedAnswer } from '../shared/malformed-answer.js';
import { mapTransportError } from '../shared/map-transport-error.js';
import type { ProviderConfig, Timeouts } from '../types.js';
import type { BflResultAnswer } from './bfl-api.js';
import { isBflApiHost } from './bfl-hosts.js';
import { mapBflError } from './map-bfl-error.js';

export interface BflPoll {
  config: ProviderConfig;
  /** Where BFL said the task's status is. */
  pollingUrl: string;
  /** The image request's signal and timeouts. */
  call: { signal: AbortSignal; timeouts?: Timeouts };
  /** First wait between polls; it grows by half each time up to `maxIntervalMs`. */
  intervalMs: number;
  maxIntervalMs: number;
}

/** A task's status is a few hundred bytes (the image is fetched from its URL); more is not parsed on every poll. */
const MAX_STATUS_BYTES = 64 * 1024;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Polls a BFL task until it is ready and returns the URL of its image. The polling URL is BFL's
 * to choose, and gets the key only on BFL's own hosts (the base URL's origin or its regional API
 * hosts); elsewhere it is refused. Moderation refusals are the client's 400s; a failed or lost
 * task is a retryable 502. The request's own signal (client gone, total timeout) ends the polling.
 */
export async function pollBflResult({ config, pollingUrl, call, intervalMs, maxIntervalMs }: BflPoll): Promise<string> {
  const provider = config.name;
  const { signal } = call;
  let interval = intervalMs;
  for (;;) {
    await sleep(interval, signal).catch((error) => {
      throw mapTransportError(provider, error, signal);
    });
    interval = Math.min(maxIntervalMs, Math.round(interval * 1.5));
    const res = await callUpstream(config, {
      url: pollingUrl,
      headers: { 'x-key': config.apiKey ?? '', accept: 'application/json' },
      signal,
      timeouts: call.timeouts,
      ownHost: (url) => isBflApiHost(url, config.baseUrl),
      maxBytes: MAX_STATUS_BYTES,
      mapError: (status, text, retryAfter) => mapBflError({ provider, status, body: text, retryAfter }),
    });
    const answer = await res.json<BflResultAnswer | null>('a task status');
    const text = (): string => JSON.stringify(answer);
    if (typeof answer?.status !== 'string') throw malformedAnswer({ provider, what: 'a task status without a status', body: text() });
    switch (answer.status) {
      case 'Ready': {
        const sample = answer.result?.sample;
        if (!sample) throw new UpstreamError('upstream_error', `provider ${provider} reported a ready task without an image`, { provider, upstreamBody: text() });
        return sample;
      }
      case 'Request Moderated':
      case 'Content Moderated':
        throw new ApiError('content_policy_violation', `provider ${provider} refused the request: ${answer.status}.`, { param: 'prompt' });
      case 'Error':
      case 'Task not found':
        throw new UpstreamError('upstream_error', `provider ${provider} failed the task: ${answer.status}`, { provider, upstreamBody: text() });
      default:
        // Pending, or a queue state BFL adds later: keep waiting.
        break;
    }
  }
}
