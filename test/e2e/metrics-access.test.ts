/**
 * Who may read `/metrics` (it names models and deployments and counts their errors): anyone by
 * default, as Prometheus scrapers expect; only `Authorization: Bearer $OPENSQ_METRICS_KEY` once that
 * is set, every other caller a 401 in OpenAI's error shape; nobody with OPENSQ_METRICS=off (404).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_KEY } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const METRICS_KEY = 'metrics-scraper-secret-0123456789';

describe('/metrics access', () => {
  const servers: Record<'open' | 'guarded' | 'off', ServerProcess | undefined> = { open: undefined, guarded: undefined, off: undefined };

  before(async () => {
    [servers.open, servers.guarded, servers.off] = await Promise.all([
      startServer(),
      startServer({ env: { OPENSQ_METRICS_KEY: METRICS_KEY, OPENSQ_ADMIN_KEY: ADMIN_KEY } }),
      startServer({ env: { OPENSQ_METRICS: 'off' } }),
    ]);
  });
  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
  });

  it('is open by default', async () => {
    const res = await http(`${servers.open!.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.text, /^# HELP opensq_/m);
  });

  it('with OPENSQ_METRICS_KEY, answers only that key; anything else is a 401 that gives nothing away', async () => {
    const url = `${servers.guarded!.url}/metrics`;
    const refusals = [
      [{}, 'missing_api_key'],
      [{ authorization: 'Bearer wrong-key' }, 'invalid_api_key'],
      [{ authorization: `Bearer ${METRICS_KEY}x` }, 'invalid_api_key'],
      [{ authorization: `Bearer ${METRICS_KEY.slice(0, -1)}` }, 'invalid_api_key'],
      [{ authorization: `Bearer ${ADMIN_KEY}` }, 'invalid_api_key'],
      [{ authorization: 'Bearer openai' }, 'invalid_api_key'],
    ] as const;
    for (const [headers, code] of refusals) {
      const res = await http(url, { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.json.error.code, code, res.text);
      assert.equal(res.json.error.type, 'invalid_request_error');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="metrics"');
      assert.doesNotMatch(res.text, /opensq_|metrics-scraper-secret/, 'neither metrics nor the key in the refusal');
    }
    const ok = await http(url, { headers: { authorization: `Bearer ${METRICS_KEY}` } });
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['content-type']), /^text\/plain/);
    assert.match(ok.text, /^# HELP opensq_/m);
    assert.ok(!servers.guarded!.output().includes(METRICS_KEY), 'the key is not logged');
  });

  it('with OPENSQ_METRICS=off, is not there at all, for browsers too', async () => {
    for (const accept of ['*/*', 'text/html']) {
      const res = await http(`${servers.off!.url}/metrics`, { headers: { accept } });
      assert.equal(res.status, 404);
      assert.equal(res.json.error.code, 'not_found');
    }
    assert.equal((await http(`${servers.off!.url}/health`)).status, 200);
  });
});
