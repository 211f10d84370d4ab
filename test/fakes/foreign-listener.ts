import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A second address for a fake: the same handler on 127.0.0.2, a host other than the one the
 * gateway is configured with (so not the provider's own origin) and still a loopback address (so
 * private). It records what reaches it, to show which headers a host the provider named receives.
 */
export interface ForeignListener {
  origin: string;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function listenForeign(handler: RequestListener): Promise<ForeignListener> {
  const requests: ForeignListener['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return {
    origin: `http://127.0.0.2:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
