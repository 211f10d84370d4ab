/**
 * Threat: vision memory amplification. A 2.4 KB request naming 30 image URLs made the gateway fetch
 * them all at once (up to 20 MB each), keep base64 copies, and fetch them again on every retry: the
 * process went from 112 MB to 1.85 GB. Now a request's images are capped in number and in bytes
 * together, fetched four at a time, and each URL once per request across retries and fallbacks.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../fakes/gemini-upstream.js';
import { makePng } from '../fakes/png.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const IMAGE_BYTES = 2 * 1024 * 1024;

/** An image host that counts fetches per path and the most served at once, each answer slow enough to overlap. */
interface ImageHost {
  url: string;
  fetches: Map<string, number>;
  maxConcurrent: number;
  close(): Promise<void>;
}

async function startImageHost(): Promise<ImageHost> {
  const png = makePng(8, 8);
  const body = Buffer.concat([png, Buffer.alloc(IMAGE_BYTES - png.length)]);
  const host: Omit<ImageHost, 'url' | 'close'> = { fetches: new Map(), maxConcurrent: 0 };
  let concurrent = 0;
  const server: Server = createServer((req, res) => {
    host.fetches.set(req.url!, (host.fetches.get(req.url!) ?? 0) + 1);
    host.maxConcurrent = Math.max(host.maxConcurrent, ++concurrent);
    res.once('close', () => concurrent--);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(body.length) });
      res.end(body);
    }, 40);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { ...host, get maxConcurrent() { return host.maxConcurrent; }, fetches: host.fetches, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) } as ImageHost;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

let gemini: FakeGemini;
let images: ImageHost;
let server: ServerProcess;

before(async () => {
  gemini = await startFakeGemini();
  images = await startImageHost();
  // `vision` tries a Gemini deployment that refuses connections first, then the fake: two attempts.
  const config = `providers:
  dead-gemini:
    type: gemini
    base_url: http://127.0.0.1:9
    api_key: ${FAKE_GEMINI_KEY}
models:
  vision:
    can_vision: true
    deployments:
      - { provider: dead-gemini, model: gemini-2.0-flash, priority: 0 }
      - { provider: gemini, model: gemini-2.0-flash, priority: 1 }
`;
  server = await startServer({
    config,
    env: {
      GEMINI_API_KEY: FAKE_GEMINI_KEY,
      GEMINI_BASE_URL: gemini.url,
      OPENSQ_ALLOW_PRIVATE_IMAGE_URLS: 'true',
      OPENSQ_MAX_IMAGES_PER_REQUEST: '40',
      OPENSQ_MAX_IMAGE_BYTES_PER_REQUEST: String(20 * 1024 * 1024),
    },
  });
});

after(async () => {
  await server?.stop();
  await gemini?.close();
  await images?.close();
});

const ask = (urls: string[], model = 'gemini-2.0-flash') =>
  http(`${server.url}/v1/chat/completions`, {
    json: { model, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in these?' }, ...urls.map((url) => ({ type: 'image_url', image_url: { url } }))] }] },
  });

describe('vision limits', () => {
  it('30 URLs of 2 MB each: refused once their bytes pass the per-request total, with memory bounded', async () => {
    const rssBefore = rssMb(server.proc.pid!);
    const res = await ask(Array.from({ length: 30 }, (_, i) => `${images.url}/big-${i}.png`));
    process.stdout.write(`# 30 images of 2 MB: ${res.status}, RSS ${rssBefore.toFixed(0)} → ${rssMb(server.proc.pid!).toFixed(0)} MB\n`);
    assert.equal(res.status, 400, res.text.slice(0, 300));
    assert.match(res.json.error.message, /images of this request are larger than 20971520 bytes together/);
    assert.equal(res.json.error.param, 'messages');
    const fetched = [...images.fetches.keys()].filter((k) => k.startsWith('/big-')).length;
    assert.ok(fetched <= 14, `${fetched} of 30 images were fetched before the total ran out`);
    const grew = rssMb(server.proc.pid!) - rssBefore;
    assert.ok(grew < 150, `the server grew by ${grew.toFixed(0)} MB`);
  });

  it('fetches at most four images of a request at once', async () => {
    const res = await ask(Array.from({ length: 8 }, (_, i) => `${images.url}/small-${i}.png`));
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.ok(images.maxConcurrent <= 4, `${images.maxConcurrent} at once`);
  });

  it('fetches each image once per request, across a retry on another deployment and repeats in the request', async () => {
    const url = `${images.url}/retried.png`;
    const res = await ask([url, url, url], 'vision');
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.headers['x-opensq-attempts'], '2', 'the dead deployment was tried first');
    assert.equal(images.fetches.get('/retried.png'), 1);
  });

  it('more image parts than OPENSQ_MAX_IMAGES_PER_REQUEST is a 400 before anything is fetched', async () => {
    const res = await ask(Array.from({ length: 41 }, (_, i) => `${images.url}/many-${i}.png`));
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /41 images; this server takes at most 40/);
    assert.equal([...images.fetches.keys()].filter((k) => k.startsWith('/many-')).length, 0);
  });
});
