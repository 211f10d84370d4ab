/**
 * The operator's provider keys and network stay the operator's, whatever an upstream answers:
 * error bodies that quote the key, URLs the provider hands out (polling and result files),
 * connections that drop mid-body, bodies too large to hold and upstreams slower than the model's
 * timeouts. Every upstream path goes through one door (src/providers/shared/call-upstream.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeBfl, startFakeBfl } from '../fakes/bfl-upstream.js';
import { type FakeGtts, startFakeGtts } from '../fakes/gtts-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { type HttpResult, http } from '../support/http.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';

/** A credential of the gtts provider (a proxy's key, say); gtts itself sends none, but the config holds it. */
const GTTS_SECRET = 'gtts-proxy-secret-4242';

let upstream: FakeOpenAI;
let bfl: FakeBfl;
let gtts: FakeGtts;
/** Private addresses refused, as in production. */
let server: ServerProcess;
/** OPENSQ_ALLOW_PRIVATE_IMAGE_URLS=true, as an operator next to its own image hosts (or a test) sets it. */
let open: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  bfl = await startFakeBfl();
  gtts = await startFakeGtts({ quote: GTTS_SECRET });
  const env = {
    OPENAI_API_KEY: FAKE_KEY,
    OPENAI_BASE_URL: upstream.url,
    BFL_API_KEY: bfl.key,
    BFL_BASE_URL: bfl.url,
    LOG_LEVEL: 'trace',
    OPENSQ_MAX_ATTEMPTS: '1',
  };
  const config = [
    'providers:',
    '  gtts:',
    '    type: gtts',
    `    base_url: ${gtts.url}`,
    `    api_key: ${GTTS_SECRET}`,
    'models:',
    '  gpt-image-1: { paid: false, timeouts: { first_byte_ms: 500 } }',
    '  gpt-4o-mini-tts: { paid: false, timeouts: { first_byte_ms: 500 } }',
    ...openToPublicKey(['dall-e-3', 'tts-1', 'flux-pro-1.1']),
    '',
  ].join('\n');
  [server, open] = await Promise.all([startServer({ env, config }), startServer({ env: { ...env, OPENSQ_ALLOW_PRIVATE_IMAGE_URLS: 'true' }, config })]);
});

after(async () => {
  await Promise.all([server?.stop(), open?.stop()]);
  await Promise.all([upstream?.close(), bfl?.close(), gtts?.close()]);
});

const SECRETS = () => [FAKE_KEY, bfl.key, GTTS_SECRET];

function assertNoSecret(res: HttpResult, what: string): void {
  for (const secret of SECRETS()) {
    assert.ok(!res.text.includes(secret), `${what}: the body quotes ${secret}: ${res.text.slice(0, 300)}`);
    assert.ok(!JSON.stringify(res.headers).includes(secret), `${what}: a header quotes ${secret}`);
  }
}

function assertError(res: HttpResult, status: number, code: string, what: string): void {
  assert.equal(res.status, status, `${what}: ${res.text.slice(0, 300)}`);
  assert.equal(res.json?.error?.code, code, `${what}: ${res.text.slice(0, 300)}`);
}

type Path = (server: ServerProcess, marker: string) => Promise<HttpResult>;

const PATHS: Record<string, Path> = {
  chat: (s, m) => http(`${s.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: m }] } }),
  embeddings: (s, m) => http(`${s.url}/v1/embeddings`, { json: { model: 'text-embedding-3-small', input: m } }),
  images: (s, m) => http(`${s.url}/v1/images/generations`, { json: { model: 'dall-e-3', prompt: m } }),
  speech: (s, m) => http(`${s.url}/v1/audio/speech`, { json: { model: 'tts-1', input: m, voice: 'alloy' } }),
  'BFL submit': (s, m) => http(`${s.url}/v1/images/generations`, { json: { model: 'flux-pro-1.1', prompt: m } }),
  'BFL poll': (s, m) => http(`${s.url}/v1/images/generations`, { json: { model: 'flux-pro-1.1', prompt: m.replace('#echo', '#poll-echo') } }),
  gtts: (s, m) => http(`${s.url}/ai/tts`, { json: { model: 'gtts', text: m, lang: 'en' } }),
  'result download': (s, m) => http(`${s.url}/v1/images/generations`, { json: { model: 'dall-e-3', prompt: `#answer-url ${m.replace('#echo', '#file-echo')}` } }),
};

/** What each path answers for an upstream status: the client's 400s stay 400s, the rest are 502s. */
function expected(path: string, status: number): [number, string] {
  if (status === 400) return path === 'result download' ? [502, 'upstream_error'] : [400, 'invalid_request'];
  if (status === 500 || path === 'result download') return [502, 'upstream_error'];
  return [502, 'upstream_auth_error'];
}

describe('the provider key never reaches a client or the log', () => {
  for (const [path, call] of Object.entries(PATHS)) {
    it(`${path}: an upstream error quoting the key (401, 403, 400, 500) is answered without it`, async () => {
      for (const status of [401, 403, 400, 500]) {
        const res = await call(server, `a cat #echo-key-${status}`);
        const [outStatus, code] = expected(path, status);
        assertError(res, outStatus, code, `${path} ${status}`);
        assertNoSecret(res, `${path} ${status}`);
        if (code === 'upstream_auth_error') {
          assert.match(res.json.error.message, /refused the operator's credentials/, `${path} ${status}`);
          assert.doesNotMatch(res.json.error.message, /Incorrect API key|Invalid API key|Refused credentials/, `${path} ${status}: the upstream's text is quoted`);
        }
      }
    });
  }
});

describe('URLs an upstream hands out', () => {
  it("a BFL polling_url on another host never receives the provider's x-key", async () => {
    for (const s of [server, open]) {
      const res = await PATHS['BFL submit'](s, 'a cat #foreign-poll');
      assertError(res, 502, 'upstream_error', 'foreign polling_url');
      assertNoSecret(res, 'foreign polling_url');
    }
    assert.deepEqual(bfl.foreign.requests.filter((r) => r.headers['x-key'] !== undefined), [], 'x-key was sent to a host BFL named');
  });

  it('a result URL on a private address is refused, by IP literal and by DNS name', async () => {
    const before = upstream.foreign.requests.length;
    for (const marker of ['#foreign-url', '#localhost-url']) {
      const res = await PATHS.images(server, `a cat #answer-url ${marker}`);
      assertError(res, 502, 'upstream_error', marker);
      assert.match(res.json.error.message, /private or local/, marker);
    }
    const sample = await PATHS['BFL submit'](server, 'a cat #foreign-sample');
    assertError(sample, 502, 'upstream_error', 'BFL sample on a private address');
    assert.equal(upstream.foreign.requests.length, before, 'the private address was fetched');
  });

  it('where private addresses are allowed, a result file on another host is fetched without the key', async () => {
    const images = await PATHS.images(open, 'a cat #answer-url #foreign-url');
    assert.equal(images.status, 200, images.text);
    const sample = await PATHS['BFL submit'](open, 'a cat #foreign-sample');
    assert.equal(sample.status, 200, sample.text);
    assert.ok(upstream.foreign.requests.length > 0 && bfl.foreign.requests.some((r) => r.path.startsWith('/delivery/')));
    for (const r of [...upstream.foreign.requests, ...bfl.foreign.requests]) {
      assert.equal(r.headers.authorization, undefined, r.path);
      assert.equal(r.headers['x-key'], undefined, r.path);
    }
  });
});

describe('bodies and timeouts', () => {
  it('a connection reset mid-body is a 502, not a 500', async () => {
    for (const path of ['images', 'speech', 'gtts']) {
      const res = await PATHS[path](server, 'a cat #reset-body');
      assertError(res, 502, 'upstream_error', path);
    }
  });

  it('a body larger than the cap is a 502', async () => {
    assertError(await PATHS.speech(server, 'a cat #huge-body'), 502, 'upstream_error', 'a 65 MiB answer');
  });

  it("a slow upstream meets the model's own first-byte timeout: 504", async () => {
    const started = performance.now();
    const image = await http(`${server.url}/v1/images/generations`, { json: { model: 'gpt-image-1', prompt: 'a cat #slow-headers' } });
    assertError(image, 504, 'upstream_timeout', 'images');
    const speech = await http(`${server.url}/v1/audio/speech`, { json: { model: 'gpt-4o-mini-tts', input: 'hello #slow-headers', voice: 'alloy' } });
    assertError(speech, 504, 'upstream_timeout', 'speech');
    assert.ok(performance.now() - started < 5000, 'the timeouts fired before the upstream answered');
  });

  it('none of it put a key in the log or the usage ledger', async () => {
    await new Promise((r) => setTimeout(r, 200));
    for (const s of [server, open]) {
      const ledger = JSON.stringify(await s.query('SELECT * FROM usage'));
      for (const secret of SECRETS()) {
        assert.ok(!s.output().includes(secret), `the log quotes ${secret}`);
        assert.ok(!ledger.includes(secret), `the ledger quotes ${secret}`);
      }
    }
  });
});
