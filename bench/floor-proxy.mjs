/**
 * The floor: the least a Node gateway can do per request — node:http in, one undici Pool out, the
 * body parsed once as JSON (as any gateway must, to route), the upstream's answer piped back
 * chunk by chunk. No auth, limits, ledger, logging or rewriting. bench/floor-row.ts measures
 * OpenSq against it in the same run, so "how far from the floor" reads the same on any machine.
 *
 *   FLOOR_UPSTREAM=http://127.0.0.1:PORT PORT=0 node bench/floor-proxy.mjs   (prints "listening PORT")
 */
import http from 'node:http';
import { Pool } from 'undici';

const upstream = new Pool(process.env.FLOOR_UPSTREAM, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', async () => {
    try {
      const body = Buffer.concat(parts);
      JSON.parse(body.toString('utf8'));
      const answer = await upstream.request({ method: 'POST', path: req.url, headers: HEADERS, body });
      res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
      for await (const part of answer.body) res.write(part);
      res.end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
