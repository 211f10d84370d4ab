import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import * as undici from 'undici';
import { Agent, FormData, errors, parseHeaders, requestWith } from './undici-parts.js';

describe('undici parts', () => {
  it('are the very objects undici\'s index exports (a moved module fails here, not in production)', () => {
    assert.equal(Agent, undici.Agent);
    assert.equal(errors, undici.errors);
    assert.equal(parseHeaders, undici.util.parseHeaders);
    assert.equal(FormData, undici.FormData);
  });

  it('requestWith sends a GET for the URL\'s path and query on the given dispatcher', async () => {
    const server = createServer((req, res) => res.end(`${req.method} ${req.url} ${req.headers.accept}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/a/b?c=d`);
      const res = await requestWith(agent, url, { headers: { accept: 'image/*' } });
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), 'GET /a/b?c=d image/*');
    } finally {
      await agent.close();
      server.close();
    }
  });
});
