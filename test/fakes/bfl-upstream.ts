import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ForeignListener, listenForeign } from './foreign-listener.js';
import { makePng } from './png.js';

/**
 * A fake Black Forest Labs API: `POST /v1/{model}` with header `x-key` answers `{id, polling_url}`;
 * `GET /v1/get_result?id=` is Pending on the first poll, then Ready with `result.sample`, a URL
 * of the PNG. Size models (flux-pro-1.1, flux-dev) take width and height in steps of 32 from 256
 * to 1440; Kontext takes an aspect ratio and input images. Validation errors are FastAPI 422s.
 * Prompt markers: #moderated (Content Moderated), #task-error (Error), #fail-500 (submit fails);
 * #echo-key-<status> (the submit fails with that status, quoting the `x-key` it was sent) and
 * #poll-echo-key-<status> (the poll does); #foreign-poll and #foreign-sample hand out a polling
 * URL or an image URL on `foreign`, the same fake on another host (127.0.0.2); #huge-status pads
 * each poll's answer with 8 MiB of `details`.
 */
export interface FakeBfl {
  url: string;
  key: string;
  submissions: Array<{ model: string; body: Record<string, unknown> }>;
  polls: number;
  foreign: ForeignListener;
  close(): Promise<void>;
}

const KEY = 'bfl-fake-key';
const SIZE_MODELS = new Set(['flux-pro-1.1', 'flux-dev']);
const RATIO_MODELS = new Set(['flux-kontext-pro', 'flux-kontext-max']);

interface Task {
  width: number;
  height: number;
  polls: number;
  outcome: 'ready' | 'moderated' | 'error';
  /** The status a poll fails with, quoting the key. */
  pollEcho?: number;
  /** Where the image is handed out. */
  sampleOrigin: string;
  /** Each poll's answer carries this much padding. */
  padding: number;
}

function quoteKey(res: ServerResponse, status: number, key: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ detail: `Invalid API key: ${String(key)}` }));
}

function unprocessable(res: ServerResponse, loc: string[], msg: string): void {
  res.writeHead(422, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ detail: [{ loc: ['body', ...loc], msg, type: 'value_error' }] }));
}

/** Kontext's output: the ratio at about one megapixel, sides in steps of 32. */
function sizeForRatio(ratio: string): { width: number; height: number } {
  const [w, h] = ratio.split(':').map(Number);
  const width = Math.round(Math.sqrt((1024 * 1024 * w) / h) / 32) * 32;
  return { width, height: Math.round((width * h) / w / 32) * 32 };
}

export async function startFakeBfl(): Promise<FakeBfl> {
  const tasks = new Map<string, Task>();
  const fake = { url: '', key: KEY, submissions: [], polls: 0 } as unknown as FakeBfl;
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const url = new URL(req.url ?? '/', fake.url);
    const delivery = /^\/delivery\/(\w+)\.png$/.exec(url.pathname);
    if (req.method === 'GET' && delivery && tasks.has(delivery[1])) {
      const task = tasks.get(delivery[1])!;
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.end(makePng(task.width, task.height));
    }
    if (req.headers['x-key'] !== KEY) {
      res.writeHead(403, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ detail: 'Not authenticated - Invalid Authentication' }));
    }
    if (req.method === 'GET' && url.pathname === '/v1/get_result') {
      fake.polls++;
      const id = url.searchParams.get('id') ?? '';
      const task = tasks.get(id);
      if (task?.pollEcho) return quoteKey(res, task.pollEcho, req.headers['x-key']);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (!task) return void res.end(JSON.stringify({ id, status: 'Task not found', result: null }));
      // The padding opens the object; the answer's own fields follow it.
      if (task.padding > 0) res.write(`{"details":"${'x'.repeat(task.padding)}",`);
      const end = (answer: object): void => void res.end(JSON.stringify(answer).slice(task.padding > 0 ? 1 : 0));
      if (task.polls++ === 0) return end({ id, status: 'Pending', result: null, progress: 0.4 });
      if (task.outcome === 'moderated') return end({ id, status: 'Content Moderated', result: null, details: { 'Moderation Reasons': ['Derivative Works Filter'] } });
      if (task.outcome === 'error') return end({ id, status: 'Error', result: null });
      return end({ id, status: 'Ready', result: { sample: `${task.sampleOrigin}/delivery/${id}.png`, prompt: 'x', seed: 42 }, progress: null });
    }
    const model = /^\/v1\/([\w.-]+)$/.exec(url.pathname)?.[1] ?? '';
    if (req.method !== 'POST' || (!SIZE_MODELS.has(model) && !RATIO_MODELS.has(model))) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ detail: 'Not Found' }));
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw);
    } catch {
      return unprocessable(res, [], 'JSON decode error');
    }
    fake.submissions.push({ model, body });
    if (typeof body.prompt !== 'string') return unprocessable(res, ['prompt'], 'Field required');
    const echo = /(?<!poll-)#echo-key-(\d{3})/.exec(body.prompt);
    if (echo) return quoteKey(res, Number(echo[1]), req.headers['x-key']);
    if (body.prompt.includes('#fail-500')) {
      res.writeHead(500, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ detail: 'Internal Server Error' }));
    }
    let size: { width: number; height: number };
    if (SIZE_MODELS.has(model)) {
      for (const side of ['width', 'height']) {
        const v = body[side];
        if (typeof v !== 'number' || v % 32 !== 0 || v < 256 || v > 1440) return unprocessable(res, [side], 'Input should be a multiple of 32 between 256 and 1440');
      }
      if (body.input_image !== undefined) return unprocessable(res, ['input_image'], 'Extra inputs are not permitted');
      size = { width: body.width as number, height: body.height as number };
    } else {
      const ratio = String(body.aspect_ratio ?? '1:1');
      const [w, h] = ratio.split(':').map(Number);
      if (!(w > 0 && h > 0) || w / h > 21 / 9 + 1e-9 || w / h < 9 / 21 - 1e-9) return unprocessable(res, ['aspect_ratio'], 'Aspect ratio must be between 21:9 and 9:21');
      if (body.input_image !== undefined && !/^[A-Za-z0-9+/]+=*$/.test(String(body.input_image))) return unprocessable(res, ['input_image'], 'Invalid base64');
      size = sizeForRatio(ratio);
    }
    const id = `task${fake.submissions.length}x${Math.random().toString(36).slice(2, 8)}`;
    const outcome = body.prompt.includes('#moderated') ? 'moderated' : body.prompt.includes('#task-error') ? 'error' : 'ready';
    const pollEcho = /#poll-echo-key-(\d{3})/.exec(body.prompt);
    const sampleOrigin = body.prompt.includes('#foreign-sample') ? fake.foreign.origin : fake.url;
    const padding = body.prompt.includes('#huge-status') ? 8 * 1024 * 1024 : 0;
    tasks.set(id, { ...size, polls: 0, outcome, pollEcho: pollEcho ? Number(pollEcho[1]) : undefined, sampleOrigin, padding });
    const pollOrigin = body.prompt.includes('#foreign-poll') ? fake.foreign.origin : fake.url;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, polling_url: `${pollOrigin}/v1/get_result?id=${id}`, cost: 4, input_mp: 0, output_mp: (size.width * size.height) / 1e6 }));
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => handle(req, res, raw));
  };
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.foreign = await listenForeign(listener);
  fake.close = async () => {
    await fake.foreign.close();
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  };
  return fake;
}
