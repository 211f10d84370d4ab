import { request } from 'undici';
import { UpstreamError } from '../../core/errors.js';
import { upstreamDispatcher } from './http-client.js';
import { mapTransportError } from './map-transport-error.js';

const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Downloads a file a provider handed out by URL (a generated image's delivery link). The URL comes
 * from the provider we trust, not from the client, so it goes through the upstream pool.
 */
export async function downloadUpstreamFile(provider: string, url: string, signal: AbortSignal): Promise<{ data: Buffer; contentType: string }> {
  let res;
  try {
    res = await request(url, { dispatcher: upstreamDispatcher(), signal });
  } catch (error) {
    throw mapTransportError(provider, error, signal);
  }
  if (res.statusCode !== 200) {
    const text = await res.body.text().catch(() => '');
    throw new UpstreamError('upstream_error', `provider ${provider} answered ${res.statusCode} for its own result file`, { provider, upstreamStatus: res.statusCode, upstreamBody: text });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BYTES) {
      res.body.destroy();
      throw new UpstreamError('upstream_error', `provider ${provider} sent a result file larger than ${MAX_BYTES} bytes`, { provider });
    }
    chunks.push(chunk as Buffer);
  }
  return { data: Buffer.concat(chunks), contentType: String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim() };
}
