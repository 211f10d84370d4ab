import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeMp3 } from './fake-audio.js';

/**
 * A fake Google Translate TTS endpoint (`GET /translate_tts?ie=UTF-8&q=...&tl=...&client=tw-ob`):
 * at most 200 characters per request as Google enforces, an MP3 frame carrying `idx:q` so tests
 * can check the order of the joined audio. Language `xx` is refused (400); text with #fail-500
 * fails; the first chunk of text with #slow-first answers last; #echo-key-<status> fails with that
 * status on an error page quoting `quote` (a credential the test configured for the provider);
 * #reset-body drops the connection mid-body; #huge-audio answers 8 MiB of audio, without a length.
 */
export interface FakeGtts {
  url: string;
  requests: Array<{ q: string; tl: string; idx: number; total: number; ttsspeed: string | null }>;
  close(): Promise<void>;
}

export async function startFakeGtts(options: { quote?: string } = {}): Promise<FakeGtts> {
  const requests: FakeGtts['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method !== 'GET' || url.pathname !== '/translate_tts') {
      res.writeHead(404, { 'content-type': 'text/html' });
      return void res.end('<html>Not Found</html>');
    }
    const q = url.searchParams.get('q') ?? '';
    const tl = url.searchParams.get('tl') ?? '';
    const idx = Number(url.searchParams.get('idx'));
    if (url.searchParams.get('client') !== 'tw-ob' || url.searchParams.get('ie') !== 'UTF-8' || !q || !tl || Array.from(q).length > 200) {
      res.writeHead(400, { 'content-type': 'text/html' });
      return void res.end('<html>Bad Request</html>');
    }
    if (tl === 'xx') {
      res.writeHead(400, { 'content-type': 'text/html' });
      return void res.end('<html>Bad Request</html>');
    }
    requests.push({ q, tl, idx, total: Number(url.searchParams.get('total')), ttsspeed: url.searchParams.get('ttsspeed') });
    const echo = /#echo-key-(\d{3})/.exec(q);
    if (echo) {
      res.writeHead(Number(echo[1]), { 'content-type': 'text/html' });
      return void res.end(`<html><title>Error ${echo[1]}</title>Refused credentials ${options.quote ?? ''}</html>`);
    }
    if (q.includes('#reset-body')) {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      return void setTimeout(() => res.socket?.destroy(), 20);
    }
    if (q.includes('#huge-audio')) {
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      return void res.end(Buffer.alloc(8 * 1024 * 1024));
    }
    if (q.includes('#fail-500')) {
      res.writeHead(500, { 'content-type': 'text/html' });
      return void res.end('<html>Server Error</html>');
    }
    const delay = idx === 0 && q.includes('#slow-first') ? 150 : 0;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      res.end(fakeMp3(`${idx}:${q}`));
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
