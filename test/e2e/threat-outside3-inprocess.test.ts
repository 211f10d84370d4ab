/**
 * Threats against the parts that run inside the gateway's own process or machine: the local
 * llama.cpp model (prompts past its context and megabytes of stop sequences were tokenized on the
 * event loop for seconds, and an over-long prompt was cut silently and metered as no prompt at all), espeak-ng
 * (one child process per request, unbounded) and Cloud file names (Unicode direction overrides kept,
 * so `invoice<RLO>txt.exe` showed as `invoiceexe.txt`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type FakeBfl, startFakeBfl } from '../fakes/bfl-upstream.js';
import { type FakeGtts, startFakeGtts } from '../fakes/gtts-upstream.js';
import { upload } from '../support/cloud-client.js';
import { fixturePath } from '../support/fixtures.js';
import { http } from '../support/http.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';
import { needsEspeak } from '../support/services.js';

const MODEL_PATH = fixturePath('models/stories260K.gguf');
const ESPEAK_PROCESSES = 2;

let server: ServerProcess;
let gtts: FakeGtts;
let bfl: FakeBfl;

before(async () => {
  gtts = await startFakeGtts();
  bfl = await startFakeBfl();
  server = await startServer({
    env: { OPENSQ_LOCAL_MODEL: MODEL_PATH, OPENSQ_LOCAL_THREADS: '1', GTTS_BASE_URL: gtts.url, BFL_API_KEY: bfl.key, BFL_BASE_URL: bfl.url },
    config: ['providers:', '  espeak:', '    type: espeak', '    options:', `      processes: ${ESPEAK_PROCESSES}`, 'models:', ...openToPublicKey(['flux-pro-1.1']), ''].join('\n'),
  });
  // Loading llama.cpp and the model is a one-time cost of the first request, not what is measured here.
  assert.equal((await chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 })).status, 200);
});

after(async () => {
  await server?.stop();
  await gtts?.close();
  await bfl?.close();
});

/**
 * The slowest /health answer allowed: reading a body of megabytes (JSON parsing, the gateway's own
 * checks) holds the loop for tens of milliseconds on an idle machine, hundreds on a busy one; the
 * tokenizer held it for seconds.
 */
const HEALTH_BOUND_MS = 1000;

/** Runs `work` while GETting /health every 20 ms; the slowest /health answer in ms. */
async function slowestHealthDuring<T>(work: Promise<T>): Promise<{ result: T; slowestMs: number }> {
  let done = false;
  let slowestMs = 0;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await http(`${server.url}/health`);
      assert.equal(res.status, 200);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    return { result: await work, slowestMs };
  } finally {
    done = true;
    await probe;
  }
}

function chat(body: Record<string, unknown>) {
  return http(`${server.url}/v1/chat/completions`, { json: { model: 'stories260K', ...body } });
}

describe('local model: what a hostile prompt costs the gateway', () => {
  it('a prompt past the context is a 400 context_length_exceeded, at once, and /health stays quick', async () => {
    const { result, slowestMs } = await slowestHealthDuring(chat({ messages: [{ role: 'user', content: 'once upon a time '.repeat(200_000) }], max_tokens: 5 }));
    assert.equal(result.status, 400, result.text.slice(0, 300));
    assert.deepEqual([result.json.error.code, result.json.error.param, result.json.error.type], ['context_length_exceeded', 'messages', 'invalid_request_error']);
    assert.match(result.json.error.message, /maximum context length is \d+ tokens/);
    assert.ok(slowestMs < HEALTH_BOUND_MS, `/health took ${Math.round(slowestMs)} ms while the prompt was read`);
  });

  it('a prompt within the context is still answered and billed its prompt', async () => {
    const res = await chat({ messages: [{ role: 'user', content: 'once upon a time '.repeat(50) }], max_tokens: 5 });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.ok(res.json.usage.prompt_tokens > 50, JSON.stringify(res.json.usage));
  });

  it('an answer limit past the context is lowered to it, with a warning saying so', async () => {
    const stopped = new AbortController();
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories260K', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1_000_000_000, stream: true }),
      signal: stopped.signal,
    });
    assert.equal(res.status, 200);
    stopped.abort();
    assert.match(String(res.headers.get('x-opensq-warnings')), /answer limit 1000000000 is past the model's context of \d+ tokens/);
    const id = res.headers.get('x-request-id');
    const deadline = Date.now() + 5000;
    while ((await server.query(`SELECT id FROM usage WHERE request_id = '${id}' AND status = 'cancelled'`)).length === 0) {
      assert.ok(Date.now() < deadline, 'the stream its client left is settled as cancelled');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('megabytes of stop sequences are a 400 naming the long one, at once, and /health stays quick', async () => {
    const stop = ['x', 'y', 'z', 'w'].map((c) => c.repeat(2_000_000));
    const { result, slowestMs } = await slowestHealthDuring(chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, stop }));
    assert.equal(result.status, 400, result.text.slice(0, 300));
    assert.deepEqual([result.json.error.code, result.json.error.param], ['invalid_request', 'stop[0]']);
    assert.match(result.json.error.message, /at most 1024 characters/);
    assert.ok(slowestMs < HEALTH_BOUND_MS, `/health took ${Math.round(slowestMs)} ms while the stop sequences were read`);
  });

  it('so are thousands of short ones; the Messages API answers in its own shape', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `s${i}`);
    const res = await chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, stop: many });
    assert.deepEqual([res.status, res.json.error.param], [400, 'stop']);
    const messages = await http(`${server.url}/v1/messages`, {
      headers: { 'anthropic-version': '2023-06-01' },
      json: { model: 'stories260K', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], stop_sequences: many },
    });
    assert.equal(messages.status, 400, messages.text.slice(0, 300));
    assert.equal(messages.json.type, 'error');
    assert.equal(messages.json.error.type, 'invalid_request_error');
  });

  it('stop sequences within the bounds are honoured, a long one next to a short one', async () => {
    const res = await chat({ messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 64, seed: 1, stop: ['x'.repeat(1024), ' '] });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.json.choices[0].finish_reason, 'stop');
    assert.ok(!res.json.choices[0].message.content.includes(' '), res.json.choices[0].message.content);
  });
});

describe('local model: the queue for its two sequences', () => {
  it('a queued client that hangs up leaves the queue at once, settled as cancelled, and the sequences serve the next', async () => {
    const long = [0, 1].map(() => chat({ messages: [{ role: 'user', content: 'Once' }], max_tokens: 1500, stream: true }));
    await new Promise((r) => setTimeout(r, 300));
    const leaving = Array.from({ length: 4 }, () => new AbortController());
    const queued = leaving.map((c) =>
      fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'stories260K', messages: [{ role: 'user', content: 'Queued' }], max_tokens: 5 }), signal: c.signal }).catch(() => undefined),
    );
    await new Promise((r) => setTimeout(r, 300));
    const cancelled = async (): Promise<number> => (await server.query("SELECT id FROM usage WHERE model = 'stories260K' AND status = 'cancelled'")).length;
    const before = await cancelled();
    const leftAt = Date.now();
    for (const c of leaving) c.abort();
    await Promise.all(queued);
    let left = 0;
    while (Date.now() - leftAt < 3000) {
      left = (await cancelled()) - before;
      if (left >= 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(left, 4, 'each queued request that left is settled while the long answers still run');
    await Promise.all(long);
    const next = await chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    assert.equal(next.status, 200);
  });
});

function espeakChildren(): number {
  try {
    return Number(execFileSync('pgrep', ['-c', '-P', String(server.proc.pid), 'espeak-ng']).toString().trim());
  } catch {
    return 0;
  }
}

describe('espeak-ng: child processes', { skip: needsEspeak }, () => {
  const longText = 'Hello there, this is a long sentence to speak. '.repeat(100);

  it(`runs at most options.processes (${ESPEAK_PROCESSES}) at once; the rest wait their turn and are answered`, async () => {
    let most = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        most = Math.max(most, espeakChildren());
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
    const answers = await Promise.all(Array.from({ length: 12 }, () => http(`${server.url}/ai/tts`, { json: { model: 'espeak', text: longText, lang: 'en' } })));
    done = true;
    await watch;
    assert.deepEqual(answers.map((a) => a.status), Array(12).fill(200));
    assert.ok(most <= ESPEAK_PROCESSES, `${most} espeak-ng processes ran at once`);
  });

  it('clients that hang up, speaking or waiting, leave no process behind and free their turn', async () => {
    const controllers = Array.from({ length: 6 }, () => new AbortController());
    const requests = controllers.map((c) =>
      fetch(`${server.url}/ai/tts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'espeak', text: longText, lang: 'en' }), signal: c.signal }).catch(() => undefined),
    );
    await new Promise((r) => setTimeout(r, 300));
    for (const c of controllers) c.abort();
    await Promise.all(requests);
    const deadline = Date.now() + 3000;
    while (espeakChildren() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(espeakChildren(), 0);
    const res = await http(`${server.url}/ai/tts`, { json: { model: 'espeak', text: 'Still here.', lang: 'en' } });
    assert.equal(res.status, 200);
  });
});

describe('gtts: a hostile speech upstream', () => {
  it('audio of megabytes for a chunk of 200 characters is a 502, not gathered (20,000 characters are 100 chunks)', async () => {
    const text = 'A sentence that asks for #huge-audio from the upstream, said once. '.repeat(10);
    const res = await http(`${server.url}/ai/tts`, { json: { model: 'gtts', text, lang: 'en' } });
    assert.equal(res.status, 502, `answered ${res.status} with ${res.text.length} bytes`);
    assert.equal(res.json.error.type, 'upstream_error');
    assert.match(res.json.error.message, /larger than \d+ bytes/);
  });

  it('ordinary chunks are still joined', async () => {
    const res = await http(`${server.url}/ai/tts`, { json: { model: 'gtts', text: 'One sentence. '.repeat(40), lang: 'en' } });
    assert.equal(res.status, 200);
  });
});

describe('BFL: a hostile task status', () => {
  it('a poll answered with megabytes is a 502, not parsed', async () => {
    const res = await http(`${server.url}/ai/imagen`, { headers: { authorization: 'Bearer openai' }, json: { model: 'flux-pro-1.1', prompt: 'a cat #huge-status', ratio: '1:1' } });
    assert.equal(res.status, 502, res.text.slice(0, 300));
    assert.match(res.json.error.message, /larger than \d+ bytes/);
  });

  it('an ordinary task still gives its image', async () => {
    const res = await http(`${server.url}/ai/imagen`, { headers: { authorization: 'Bearer openai' }, json: { model: 'flux-pro-1.1', prompt: 'a cat', ratio: '1:1' } });
    assert.equal(res.status, 200, res.text.slice(0, 300));
  });
});

describe('Cloud file names', () => {
  it('lose Unicode direction overrides, isolates and C1 controls: the name shows as it is', async () => {
    const name = 'invoice\u202etxt.exe\u2066\u2069\u200f\u0085\u009b.pdf';
    const res = await upload(server.url, name, Buffer.from('MZ'));
    assert.equal(res.status, 200);
    const id = String(res.json.url).split('/').pop();
    const file = await fetch(`${server.url}/cloud/file/${id}?mode=dl`);
    await file.arrayBuffer();
    const disposition = file.headers.get('content-disposition') ?? '';
    assert.equal(disposition, `attachment; filename="invoicetxt.exe.pdf"; filename*=UTF-8''invoicetxt.exe.pdf`);
  });
});
