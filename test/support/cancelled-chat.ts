import { request } from 'undici';

/**
 * What a client that gives up does: starts a chat request on `/v1/chat/completions` and aborts it
 * once its answer began and `afterMs` more have passed; a request whose answer never begins is
 * given up after `giveUpMs`. Resolves either way.
 */
export async function cancelledChat(baseUrl: string, body: Record<string, unknown>, afterMs: number, giveUpMs = afterMs): Promise<void> {
  const controller = new AbortController();
  const giveUp = setTimeout(() => controller.abort(), giveUpMs);
  try {
    const res = await request(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer openai' },
      body: JSON.stringify({ model: 'gpt-4o-mini', ...body }),
      signal: controller.signal,
    });
    await res.body[Symbol.asyncIterator]().next();
    await new Promise((r) => setTimeout(r, afterMs));
    controller.abort();
    await res.body.dump().catch(() => undefined);
  } catch {
    // Aborted before the answer began.
  } finally {
    clearTimeout(giveUp);
  }
}
