import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../core/errors.js';
import { fetchImage } from './fetch-image.js';
import { isPublicAddress } from './public-address.js';

let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/cat.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(Buffer.from([137, 80, 78, 71]));
    }
    if (req.url === '/big.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(Buffer.alloc(2048));
    }
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://127.0.0.1:1/secret' });
      return res.end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const rejects400 = (p: Promise<unknown>, pattern: RegExp) => assert.rejects(p, (e: unknown) => e instanceof ApiError && e.status === 400 && pattern.test(e.message));

describe('fetchImage', () => {
  it('decodes data: URLs without any fetch', async () => {
    assert.deepEqual(await fetchImage('data:image/jpeg;base64,AAEC'), { mediaType: 'image/jpeg', data: 'AAEC' });
  });

  it('refuses loopback, private and link-local addresses, by literal and by DNS name', async () => {
    await rejects400(fetchImage(`${base}/cat.png`), /private or local/);
    await rejects400(fetchImage('http://169.254.169.254/latest/meta-data/'), /private or local/);
    await rejects400(fetchImage('http://[::1]/x.png'), /private or local/);
    await rejects400(fetchImage(`http://localhost:${new URL(base).port}/cat.png`), /private or local/);
    await rejects400(fetchImage('file:///etc/passwd'), /https, http or data/);
  });

  it('when the operator allows private addresses: fetches, limits size, and still re-checks redirects', async () => {
    process.env.OPENSQ_ALLOW_PRIVATE_IMAGE_URLS = 'true';
    try {
      assert.deepEqual(await fetchImage(`${base}/cat.png`), { mediaType: 'image/png', data: Buffer.from([137, 80, 78, 71]).toString('base64') });
      await rejects400(fetchImage(`${base}/big.png`, { maxBytes: 1000 }), /larger than 1000/);
      await rejects400(fetchImage(`${base}/missing.png`), /HTTP 404/);
    } finally {
      delete process.env.OPENSQ_ALLOW_PRIVATE_IMAGE_URLS;
    }
  });

  it('classifies addresses', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) assert.equal(isPublicAddress(a), true, a);
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip']) {
      assert.equal(isPublicAddress(a), false, a);
    }
  });
});
