/** Opens many chat streams at once and times each: first token and end, from one shared start. */
import { Agent, request } from 'undici';

export interface StreamTiming {
  /** From the common start to the first body chunk, in ms (NaN when it failed before one). */
  firstByteMs: number;
  endMs: number;
  status: number;
  /** The body ended with `data: [DONE]`. */
  complete: boolean;
  error?: string;
}

/**
 * POSTs `body` to `${origin}/v1/chat/completions` `count` times at once, on a connection each (the
 * client's own pool is uncapped), and resolves when every stream has ended or failed.
 */
export async function openStreams(origin: string, count: number, body: object, headers: Record<string, string> = { authorization: 'Bearer openai' }): Promise<StreamTiming[]> {
  const agent = new Agent({ connections: null, pipelining: 1, keepAliveTimeout: 1000 });
  const payload = JSON.stringify(body);
  const start = performance.now();
  const one = async (): Promise<StreamTiming> => {
    let firstByteMs = NaN;
    let status = 0;
    try {
      const res = await request(`${origin}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
        dispatcher: agent,
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
      status = res.statusCode;
      let tail = '';
      for await (const chunk of res.body) {
        if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - start;
        tail = (tail + (chunk as Buffer).toString('latin1')).slice(-64);
      }
      return { firstByteMs, endMs: performance.now() - start, status, complete: tail.trimEnd().endsWith('data: [DONE]') };
    } catch (error) {
      return { firstByteMs, endMs: performance.now() - start, status, complete: false, error: (error as Error).message };
    }
  };
  try {
    return await Promise.all(Array.from({ length: count }, one));
  } finally {
    await agent.destroy();
  }
}
