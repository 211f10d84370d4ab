import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { dispatchUpstream } from './dispatch-upstream.js';

/** A local server whose answers the tests script per path. */
let server: Server;
let origin: string;
const agent = new Agent({ pipelining: 1 });
let bigWritten = 0;
let closedEarly = 0;

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/big') return writeBig(res);
    if (req.url === '/three') {
      res.writeHead(200, { 'content-type': 'text/plain', 'retry-after': '7' });
      res.write('a');
      res.write('b');
      res.end('c');
      return;
    }
    if (req.url === '/slow') {
      res.writeHead(200);
      res.write('first');
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++;
      });
      return;
    }
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** 64 MiB in 64 KiB writes, each when the socket takes it. */
function writeBig(res: ServerResponse): void {
  res.writeHead(200);
  const piece = Buffer.alloc(64 * 1024, 120);
  const pump = (): void => {
    while (bigWritten < 64 * 1024 * 1024) {
      bigWritten += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

const get = (path: string, signal = new AbortController().signal) => dispatchUpstream(agent, { origin, path, method: 'GET' }, signal);

describe('dispatchUpstream', () => {
  it('gives status and headers, and what arrived before the read as one chunk', async () => {
    const res = await get('/three');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['retry-after'], '7');
    await new Promise((r) => setTimeout(r, 50));
    const chunks: string[] = [];
    for await (const chunk of res.body) chunks.push(Buffer.from(chunk).toString());
    assert.deepEqual(chunks, ['abc']);
  });

  it('stops reading the socket while the reader does not read (no whole answer buffered)', async () => {
    const controller = new AbortController();
    const res = await get('/big', controller.signal);
    await new Promise((r) => setTimeout(r, 300));
    // Socket buffers on both sides hold a few MiB at most; without backpressure all 64 MiB arrive.
    assert.ok(bigWritten < 16 * 1024 * 1024, `the server wrote ${bigWritten} bytes to a reader that read none`);
    const { data, complete } = await res.body.readUpTo(1024 * 1024);
    assert.equal(complete, false);
    assert.equal(data.length, 1024 * 1024);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'the abort listener is removed');
  });

  it('watches the signal with one listener until the body is read, then none', async () => {
    const controller = new AbortController();
    const res = await get('/three', controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    assert.equal((await res.body.readUpTo(100)).data.toString(), 'abc');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('closes the socket when the reader leaves early, and removes its listener', async () => {
    const controller = new AbortController();
    const before = closedEarly;
    const res = await get('/slow', controller.signal);
    for await (const chunk of res.body) {
      assert.equal(Buffer.from(chunk).toString(), 'first');
      break;
    }
    await waitUntil(() => closedEarly > before);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    assert.equal((await (await get('/')).body.readUpTo(10)).data.toString(), 'ok', 'the pool still serves');
  });

  it('fails a pending read with the signal’s reason when the client goes away', async () => {
    const controller = new AbortController();
    const before = closedEarly;
    const res = await get('/slow', controller.signal);
    const iterator = res.body[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    controller.abort(new Error('client left'));
    await assert.rejects(pending, /client left/);
    await waitUntil(() => closedEarly > before);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('never connects for a signal aborted before the call', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone already'));
    await assert.rejects(get('/', controller.signal), /gone already/);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), 'condition not met within 2 s');
}
