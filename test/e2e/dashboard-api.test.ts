/**
 * The dashboard's serving pipeline and the admin endpoints it reads: index revalidated and hashed
 * assets cached for a year, both under a strict CSP, API routes keep priority over the dashboard's
 * fallback, the entry chunk within its budget, usage series whose UTC days add up to the range's
 * total, keyset-paged request log, paged key search.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';

const ENTRY_BUDGET_GZIP = 60 * 1024;
const DAY = 86_400_000;
/** Spelled out here, so that loosening it is a visible change to this test too. */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  // No rollup: the tests write raw rows into past hours, which a rollup that ran first (1 s after start) would have sealed.
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_TIMEZONE: 'Asia/Kolkata', OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '0' } });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const html = { accept: 'text/html,application/xhtml+xml' };

describe('dashboard serving', () => {
  it('serves index.html at / without caching, and its hash-named assets with a year of immutable caching', async () => {
    const index = await http(`${server.url}/`, { headers: html });
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-type']), /text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.text, /<meta name="opensq-time-zone" content="Asia\/Kolkata" \/>/, "OPENSQ_TIMEZONE is the dashboard's default zone");
    const assets = [...index.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), index.text);
    for (const asset of assets) {
      assert.match(asset, /-[\w-]{8}\.(js|css)$/, 'asset names carry a content hash');
      const res = await http(`${server.url}${asset}`);
      assert.equal(res.status, 200, asset);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.match(String(res.headers['content-type']), asset.endsWith('.js') ? /text\/javascript/ : /text\/css/);
    }
  });

  it('answers the dashboard’s own paths with index.html, so a reload keeps the view', async () => {
    for (const p of ['/keys', '/usage?range=30d', '/playground']) {
      const res = await http(`${server.url}${p}`, { headers: html });
      assert.equal(res.status, 200, p);
      assert.match(res.text, /<div id="app">/);
    }
  });

  it('sends a strict Content-Security-Policy, no framing, no sniffing and no referrer with the pages and assets, not with the API', async () => {
    const index = await http(`${server.url}/`, { headers: html });
    const assets = [...index.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.length >= 2, index.text);
    assert.doesNotMatch(index.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script: the page needs no unsafe-inline');
    assert.doesNotMatch(index.text, /<style|\sstyle=/, 'no inline style');
    for (const p of ['/', '/usage', '/requests?model=gpt-4o-mini', '/playground?replay=req_x', ...assets]) {
      const res = await http(`${server.url}${p}`, { headers: html });
      assert.equal(res.status, 200, p);
      assert.equal(res.headers['content-security-policy'], DASHBOARD_CSP, p);
      assert.equal(res.headers['x-frame-options'], 'DENY', p);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', p);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', p);
    }
    for (const p of ['/v1/models', '/health', '/admin/keys']) {
      const res = await http(`${server.url}${p}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      assert.equal(res.headers['content-security-policy'], undefined, `${p} is JSON: no CSP`);
    }
  });

  it('keeps API routes and API 404s ahead of the dashboard', async () => {
    const models = await http(`${server.url}/v1/models`, { headers: html });
    assert.equal(models.status, 200);
    assert.equal(models.json.object, 'list');
    for (const p of ['/v1/nothing', '/ai/nothing', '/admin/nothing', `/cloud/file/${'0'.repeat(32)}`, '/assets/missing-12345678.js', '/assets/..%2Fpackage.json']) {
      const res = await http(`${server.url}${p}`, { headers: html });
      assert.equal(res.status, 404, p);
      assert.ok(res.json?.error, `${p} answers an OpenAI-shaped error`);
    }
    const api = await http(`${server.url}/keys`);
    assert.equal(api.status, 404, 'a client that does not ask for HTML gets the JSON 404');
  });

  it('keeps the entry chunk within 60 KB gzip', () => {
    const dir = path.join(REPO_ROOT, 'dist/dashboard');
    const index = readFileSync(path.join(dir, 'index.html'), 'utf8');
    const entry = /<script type="module"[^>]*src="\/(assets\/[^"]+\.js)"/.exec(index)?.[1];
    assert.ok(entry, index);
    const size = gzipSync(readFileSync(path.join(dir, entry)), { level: 9 }).length;
    assert.ok(size <= ENTRY_BUDGET_GZIP, `entry chunk is ${size} bytes gzip, over ${ENTRY_BUDGET_GZIP}`);
  });
});

describe('dashboard admin endpoints', () => {
  it('sums the UTC days of a range to the range’s total, per group too', async () => {
    const start = Math.floor(Date.now() / DAY) * DAY - 4 * DAY;
    const values: string[] = [];
    for (let i = 0; i < 60; i++) {
      // Rows spread over five days, some on either side of midnight UTC.
      const ts = start + Math.floor(i / 12) * DAY + (i % 2 === 0 ? 60_000 * i : DAY - 60_000 * i);
      const model = i % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini';
      values.push(`(${ts}, 'req_series_${i}', 'key_series', 0, 'chat.completions', '${model}', 'openai', 'openai/${model}', ${i}, ${2 * i}, 0, ${i / 1000}, 100, 20, '${i % 7 === 0 ? 'error' : 'ok'}', ${i % 7 === 0 ? 502 : 200}, NULL, 1)`);
    }
    await server.query(`INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream) VALUES ${values.join(', ')}`);
    const range = { from: String(start), to: String(start + 5 * DAY) };
    const summary = await admin(server.url, 'GET', `/usage/summary?key_id=key_series&from=${range.from}&to=${range.to}`);
    const days = await admin(server.url, 'GET', `/usage/series?key_id=key_series&bucket=day&from=${range.from}&to=${range.to}`);
    assert.equal(days.status, 200, days.text);
    assert.equal(days.json.data.length, 5);
    for (const point of days.json.data) assert.match(point.t, /T00:00:00\.000Z$/, 'day buckets start at midnight UTC');
    const sum = (rows: any[], field: string) => rows.reduce((s, r) => s + r[field], 0);
    assert.equal(sum(days.json.data, 'requests'), summary.json.totals.requests);
    assert.equal(sum(days.json.data, 'requests'), 60);
    assert.equal(sum(days.json.data, 'errors'), summary.json.totals.errors);
    assert.equal(sum(days.json.data, 'prompt_tokens'), summary.json.totals.prompt_tokens);
    assert.equal(sum(days.json.data, 'completion_tokens'), summary.json.totals.completion_tokens);
    assert.ok(Math.abs(sum(days.json.data, 'cost') - summary.json.totals.cost) < 1e-9);
    const hours = await admin(server.url, 'GET', `/usage/series?key_id=key_series&bucket=hour&group_by=model&from=${range.from}&to=${range.to}`);
    assert.equal(sum(hours.json.data, 'requests'), 60);
    assert.deepEqual([...new Set(hours.json.data.map((p: any) => p.group))].sort(), ['gpt-4o', 'gpt-4o-mini']);
    const wide = await admin(server.url, 'GET', `/usage/series?bucket=hour&from=0`);
    assert.equal(wide.status, 400, 'a range of too many buckets is refused, not scanned');
  });

  it('counts Cloud requests in the totals but not in the latency percentiles', async () => {
    const now = Date.now();
    const row = (i: number, endpoint: string, latency: number) => `(${now - i}, 'req_lat_${i}', 'key_latency', 0, '${endpoint}', '${endpoint.startsWith('cloud') ? 'cloud' : 'gpt-4o-mini'}', NULL, NULL, 0, 0, 0, 0, ${latency}, NULL, 'ok', 200, NULL, 0)`;
    const rows = [row(1, 'chat.completions', 800), row(2, 'chat.completions', 900), ...[3, 4, 5, 6, 7].map((i) => row(i, 'cloud.download', 2))];
    await server.query(`INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream) VALUES ${rows.join(', ')}`);
    const summary = (await admin(server.url, 'GET', '/usage/summary?key_id=key_latency')).json;
    assert.equal(summary.totals.requests, 7);
    assert.deepEqual([summary.totals.latency_p50_ms, summary.totals.latency_p95_ms], [800, 900]);
  });

  it('pages the request log by keyset, filtered, and opens one request', async () => {
    const first = await admin(server.url, 'GET', '/requests?key_id=key_series&limit=25');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.data.length, 25);
    const second = await admin(server.url, 'GET', `/requests?key_id=key_series&limit=25&before=${first.json.next_before}`);
    const third = await admin(server.url, 'GET', `/requests?key_id=key_series&limit=25&before=${second.json.next_before}`);
    assert.equal(third.json.data.length, 10);
    assert.equal(third.json.next_before, null);
    const ids = [...first.json.data, ...second.json.data, ...third.json.data].map((r: any) => r.id);
    assert.equal(new Set(ids).size, 60);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    const errors = await admin(server.url, 'GET', '/requests?key_id=key_series&status=error&model=gpt-4o-mini');
    assert.ok(errors.json.data.length > 0 && errors.json.data.every((r: any) => r.status === 'error' && r.model === 'gpt-4o-mini'));
    const text = await admin(server.url, 'GET', '/requests?q=req_series_42');
    assert.deepEqual(text.json.data.map((r: any) => r.request_id), ['req_series_42']);
    const one = await admin(server.url, 'GET', `/requests/${text.json.data[0].id}`);
    assert.equal(one.json.request_id, 'req_series_42');
    assert.equal((await admin(server.url, 'GET', '/requests/999999999')).status, 404);
  });

  it('searches and pages keys on the server', async () => {
    for (let i = 0; i < 5; i++) await createKey(server.url, { name: `search me ${i}` });
    const revoked = await createKey(server.url, { name: 'search me revoked' });
    await admin(server.url, 'DELETE', `/keys/${revoked.id}`);
    const page = await admin(server.url, 'GET', '/keys/search?q=SEARCH%20ME&limit=4');
    assert.equal(page.json.total, 6);
    assert.equal(page.json.data.length, 4);
    const rest = await admin(server.url, 'GET', '/keys/search?q=search%20me&limit=4&offset=4');
    assert.equal(rest.json.data.length, 2);
    const onlyRevoked = await admin(server.url, 'GET', '/keys/search?q=search&status=revoked');
    assert.deepEqual(onlyRevoked.json.data.map((k: any) => k.name), ['search me revoked']);
    assert.ok(!JSON.stringify(page.json).includes(revoked.key), 'never a secret');
  });

  it('splits each group into subgroups (tier too) whose totals add up to the group’s total', async () => {
    const hour = 3_600_000;
    const start = Math.floor(Date.now() / hour) * hour - 30 * hour;
    const three = await createKey(server.url, { name: 'tier three', tier: 3 });
    const zero = await createKey(server.url, { name: 'tier zero', tier: 0 });
    const values: string[] = [];
    for (let i = 0; i < 40; i++) {
      const ts = start + (i % 24) * hour + 1_000 * i;
      const key = i % 4 === 0 ? three.id : zero.id;
      const model = i % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini';
      const endpoint = i % 5 === 0 ? 'embeddings' : 'chat.completions';
      values.push(`(${ts}, 'req_sub_${i}', '${key}', 0, '${endpoint}', '${model}', '${i % 2 ? 'openai' : 'together'}', '${model}', ${i}, ${3 * i}, 0, ${i / 1000}, 100, 20, '${i % 6 === 0 ? 'error' : 'ok'}', ${i % 6 === 0 ? 502 : 200}, NULL, 1)`);
    }
    await server.query(`INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream) VALUES ${values.join(', ')}`);
    const range = `from=${start}&to=${start + 24 * hour}`;
    const fields = ['requests', 'errors', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost'] as const;
    const totals = (points: any[], by: (p: any) => string) => {
      const out = new Map<string, Record<string, number>>();
      for (const p of points) {
        const t = out.get(by(p)) ?? Object.fromEntries(fields.map((f) => [f, 0]));
        for (const f of fields) t[f] += p[f];
        out.set(by(p), t);
      }
      for (const t of out.values()) t.cost = Math.round(t.cost * 1e9) / 1e9;
      return Object.fromEntries([...out.entries()].sort());
    };
    for (const [group, subgroup] of [['model', 'tier'], ['tier', 'endpoint'], ['provider', 'model'], ['key', 'provider'], ['endpoint', 'key']]) {
      const grouped = await admin(server.url, 'GET', `/usage/series?bucket=hour&group_by=${group}&${range}`);
      const split = await admin(server.url, 'GET', `/usage/series?bucket=hour&group_by=${group}&subgroup_by=${subgroup}&${range}`);
      assert.equal(split.status, 200, split.text);
      assert.equal(split.json.subgroup_by, subgroup);
      const pairs = new Set(split.json.data.map((p: any) => `${p.group} ${p.subgroup}`));
      assert.ok(pairs.size > new Set(split.json.data.map((p: any) => p.group)).size, `${group} by ${subgroup} splits some groups`);
      // Per bucket and group too: the subgroups of one point add up to it.
      assert.deepEqual(totals(split.json.data, (p) => `${p.t} ${p.group}`), totals(grouped.json.data, (p) => `${p.t} ${p.group}`), `${group} by ${subgroup}`);
      assert.deepEqual(totals(split.json.data, (p) => String(p.group)), totals(grouped.json.data, (p) => String(p.group)));
    }
    const byTier = await admin(server.url, 'GET', `/usage/series?bucket=hour&group_by=tier&subgroup_by=model&${range}`);
    const tierThree = byTier.json.data.filter((p: any) => p.group === '3');
    assert.equal(tierThree.reduce((n: number, p: any) => n + p.requests, 0), 10, 'the rows of the tier-3 key');
    assert.deepEqual([...new Set(tierThree.map((p: any) => p.subgroup))].sort(), ['gpt-4o', 'gpt-4o-mini']);
    assert.equal((await admin(server.url, 'GET', `/usage/series?subgroup_by=model&${range}`)).status, 400, 'a subgroup needs a group');
    assert.equal((await admin(server.url, 'GET', `/usage/series?group_by=model&subgroup_by=model&${range}`)).status, 400);
  });

  it('answers the overview in one request with the first-run checklist', async () => {
    const res = await admin(server.url, 'GET', '/overview?hours=24');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.checklist, { provider_configured: true, key_created: true, first_request: true });
    assert.ok(res.json.providers.includes('openai'));
  });
});

describe('providers in one answer', () => {
  it('answers health, the catalog and 24 h requests, success and latency per deployment in one request', async () => {
    const before = await admin(server.url, 'GET', '/providers');
    assert.equal(before.status, 200, before.text);
    const row = (res: typeof before) => res.json.deployments.find((d: any) => d.model === 'gpt-4o-mini' && d.provider === 'openai' && d.upstream_model === 'gpt-4o-mini');
    const was = row(before).usage_24h;
    const { key } = await createKey(server.url, { name: 'providers view' });
    const chat = (content: string) => http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] } });
    assert.equal((await chat('one')).status, 200);
    assert.equal((await chat('two')).status, 200);
    assert.equal((await chat('broken #bad-request')).status, 400);

    const res = await admin(server.url, 'GET', '/providers');
    assert.equal(res.json.object, 'providers');
    assert.match(res.json.status, /^(ok|degraded|down)$/);
    assert.ok(Date.parse(res.json.to) - Date.parse(res.json.from) === DAY);
    const health = await admin(server.url, 'GET', '/health');
    assert.deepEqual(
      res.json.deployments.map(({ usage_24h: _u, testable: _t, ...d }: any) => d),
      health.json.data,
      'the same deployments and states as /admin/health',
    );
    const now = row(res).usage_24h;
    assert.equal(now.requests, was.requests + 3);
    assert.equal(now.errors, was.errors + 1);
    assert.equal(now.success_rate, (now.requests - now.errors) / now.requests);
    assert.equal(typeof now.latency_p50_ms, 'number');
    assert.ok(now.latency_p95_ms >= now.latency_p50_ms);
    const idle = res.json.deployments.find((d: any) => d.state === 'not_configured');
    assert.deepEqual(idle?.usage_24h, { requests: 0, errors: 0, success_rate: null, latency_p50_ms: null, latency_p95_ms: null });
    assert.equal(res.json.catalog['gpt-4o-mini'].modality, 'text');
    assert.equal(res.json.catalog['gpt-4o-mini'].status, 'work');

    const openapi = (await http(`${server.url}/admin/openapi.json`)).json;
    assert.ok(openapi.paths['/admin/providers']?.get, 'documented in the OpenAPI description');
  });
});

describe('request log attempts', () => {
  let a: FakeOpenAI;
  let b: FakeOpenAI;
  let duo: ServerProcess;

  before(async () => {
    a = await startFakeOpenAI();
    b = await startFakeOpenAI();
    duo = await startServer({
      env: { OPENSQ_ADMIN_KEY: ADMIN_KEY },
      config: `providers:
  a: { type: openai-compatible, base_url: ${a.url}, api_key: ${FAKE_KEY} }
  b: { type: openai-compatible, base_url: ${b.url}, api_key: ${FAKE_KEY} }
models:
  duo:
    deployments: [ { provider: a, model: gpt-4o-mini, priority: 0 }, { provider: b, model: gpt-4o, priority: 1 } ]
  duo-embed:
    kind: embedding
    deployments: [ { provider: b, model: text-embedding-3-small } ]
`,
    });
  });
  after(async () => {
    await duo?.stop();
    await a?.close();
    await b?.close();
  });

  async function detail(requestId: string): Promise<any> {
    const list = await admin(duo.url, 'GET', `/requests?q=${encodeURIComponent(requestId)}`);
    assert.equal(list.json.data.length, 1, list.text);
    assert.equal(list.json.data[0].attempts, undefined, 'the list stays lean');
    const one = await admin(duo.url, 'GET', `/requests/${list.json.data[0].id}`);
    assert.equal(one.status, 200, one.text);
    return one.json;
  }

  it('keeps the attempts of a request that failed over, and none for a plain success', async () => {
    a.failWith = 503;
    const failed = await http(`${duo.url}/v1/chat/completions`, { json: { model: 'duo', messages: [{ role: 'user', content: 'fail over' }] } });
    a.failWith = undefined;
    assert.equal(failed.status, 200, failed.text);
    const row = await detail(String(failed.headers['x-request-id']));
    assert.equal(row.provider, 'b');
    assert.equal(row.attempts.length, 2);
    assert.deepEqual(row.attempts.map((t: any) => [t.provider, t.model]), [['a', 'gpt-4o-mini'], ['b', 'gpt-4o']]);
    assert.ok(row.attempts[0].error.status >= 500, 'the upstream 503, as the gateway reports it');
    assert.equal(typeof row.attempts[0].error.code, 'string');
    assert.equal(row.attempts[1].error, undefined);
    assert.ok(row.attempts.every((t: any) => typeof t.ms === 'number'));

    const plain = await http(`${duo.url}/v1/chat/completions`, { json: { model: 'duo', messages: [{ role: 'user', content: 'plain' }] } });
    assert.equal(plain.status, 200);
    assert.equal((await detail(String(plain.headers['x-request-id']))).attempts, null, 'one good attempt is not stored');
  });

  it('tests one deployment now: ok with its latency, or its error; no usage row', async () => {
    const before = (await admin(duo.url, 'GET', '/requests?limit=100')).json.data.length;
    const good = await admin(duo.url, 'POST', '/deployments/test', { model: 'duo', provider: 'b' });
    assert.equal(good.status, 200, good.text);
    assert.equal(good.json.ok, true);
    assert.equal(good.json.upstream_model, 'gpt-4o');
    assert.equal(typeof good.json.latency_ms, 'number');
    assert.equal(good.json.error, null);
    const sent = b.requests.at(-1)!;
    assert.equal(sent.body.model, 'gpt-4o');
    assert.match(JSON.stringify(sent.body.messages), /ping/);

    a.failWith = 500;
    const bad = await admin(duo.url, 'POST', '/deployments/test', { model: 'duo', provider: 'a', upstream_model: 'gpt-4o-mini' });
    a.failWith = undefined;
    assert.equal(bad.status, 200, bad.text);
    assert.equal(bad.json.ok, false);
    assert.ok(bad.json.error.status >= 500 && bad.json.error.message.length > 0, bad.text);
    assert.equal(a.requests.filter((r) => JSON.stringify(r.body).includes('ping')).length, 1, 'one attempt, no retries');

    const embed = await admin(duo.url, 'POST', '/deployments/test', { model: 'duo-embed', provider: 'b' });
    assert.equal(embed.json.ok, true, embed.text);
    assert.deepEqual([b.requests.at(-1)!.path, b.requests.at(-1)!.body.input], ['/v1/embeddings', 'ping'], 'an embedding model is tested with one embedding');
    const providers = (await admin(duo.url, 'GET', '/providers')).json.deployments;
    const testable = (model: string) => providers.find((d: any) => d.model === model).testable;
    assert.deepEqual([testable('duo'), testable('duo-embed'), testable('flux')], [true, true, false], 'the dashboard offers a test where one exists');
    assert.equal((await admin(duo.url, 'POST', '/deployments/test', { model: 'flux', provider: 'together' })).status, 400, 'no paid image generation as a test');
    assert.equal((await admin(duo.url, 'POST', '/deployments/test', { model: 'nope', provider: 'a' })).status, 404);
    assert.equal((await admin(duo.url, 'POST', '/deployments/test', { model: 'duo', provider: 'c' })).status, 404);
    assert.equal((await admin(duo.url, 'POST', '/deployments/test', { model: 'duo' })).status, 400);
    assert.equal((await http(`${duo.url}/admin/deployments/test`, { json: { model: 'duo', provider: 'a' } })).status, 401, 'needs the admin key');
    assert.equal((await admin(duo.url, 'GET', '/requests?limit=100')).json.data.length, before, 'a test leaves no usage row');
  });

  it('documents the attempts in the OpenAPI document', async () => {
    const doc = await admin(duo.url, 'GET', '/openapi.json');
    assert.equal(doc.status, 200, doc.text);
    assert.match(JSON.stringify(doc.json.paths['/admin/requests/{id}']), /attempts/);
    assert.ok(doc.json.paths['/admin/deployments/test'].post);
  });
});
