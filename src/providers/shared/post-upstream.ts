import type { ProviderConfig } from '../types.js';
import { callUpstream, type UpstreamRequest, type UpstreamResponse } from './call-upstream.js';

export type UpstreamPost = Omit<UpstreamRequest, 'method' | 'handedOut' | 'body'> & { body: NonNullable<UpstreamRequest['body']> };

/** POSTs JSON or a form to the provider through the one door (`callUpstream`): the 2xx answer, or our error. */
export function postUpstream(config: ProviderConfig, post: UpstreamPost): Promise<UpstreamResponse> {
  return callUpstream(config, post, 'POST');
}
