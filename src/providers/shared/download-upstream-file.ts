import { UpstreamError } from '../../core/errors.js';
import type { ProviderConfig, Timeouts } from '../types.js';
import { callUpstream } from './call-upstream.js';

/**
 * Downloads a file a provider handed out by URL (a generated image's delivery link). The URL is
 * the provider's to choose but not the operator's: off the provider's own origin it is fetched
 * without credentials and from public addresses only (`callUpstream`'s `handedOut`).
 */
export async function downloadUpstreamFile(config: ProviderConfig, url: string, call: { signal: AbortSignal; timeouts?: Timeouts }): Promise<{ data: Buffer; contentType: string }> {
  const provider = config.name;
  const res = await callUpstream(config, {
    url,
    signal: call.signal,
    timeouts: call.timeouts,
    handedOut: true,
    mapError: (status, body) => new UpstreamError('upstream_error', `provider ${provider} answered ${status} for its own result file`, { provider, upstreamStatus: status, upstreamBody: body }),
  });
  const data = await res.bytes();
  return { data, contentType: String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim() };
}
