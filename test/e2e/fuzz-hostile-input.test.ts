/**
 * The hostile-input fuzzer: at least 10,000 requests to every JSON route a stranger can reach (and a
 * few of the operator's), with non-ASCII and control characters in every field and key, wrong types,
 * broken bodies, hostile header values, wrong methods and clients that leave mid-stream, against
 * fakes of every provider. Each request must be answered within 10 s, never with a 5xx it did not
 * ask for, with printable headers and errors in the route's documented shape. After the run,
 * capacity and balances are back to baseline, the server is alive, its memory bounded and its log
 * lines short.
 *
 * Deterministic: FUZZ_SEED (a number, or `random`) picks the run, FUZZ_REQUESTS its length,
 * FUZZ_ONLY=12,345 replays single requests (printing them, their answers and the server's log),
 * FUZZ_CONCURRENCY the requests in flight, FUZZ_SERVER_LOG=<file> keeps the server's log. A failure names the seed and the request's index, so
 * `FUZZ_SEED=<seed> FUZZ_ONLY=<index> node scripts/run-tests.mjs fuzz-hostile-input` replays it.
 *
 * Header values are what a real client can send: undici (like curl, browsers and `requests`) refuses
 * CR, LF, NUL and other control bytes in them, so those are dropped; UTF-8 goes as raw bytes.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { type FakeBfl, startFakeBfl } from '../fakes/bfl-upstream.js';
import { FAKE_COHERE_KEY, type FakeCohere, startFakeCohere } from '../fakes/cohere-upstream.js';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../fakes/gemini-upstream.js';
import { type FakeGtts, startFakeGtts } from '../fakes/gtts-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { upload } from '../support/cloud-client.js';
import { FUZZ_BODY_LIMIT, type FuzzCase, fuzzCase, type FuzzTargets } from '../support/fuzz-cases.js';
import { problemsOf, streamEnding } from '../support/fuzz-checks.js';
import { KNOWN_BUGS } from '../support/fuzz-known-bugs.js';
import { fuzzConfig } from '../support/fuzz-models.js';
import { Rng } from '../support/fuzz-random.js';
import { fuzzAgent, sendCase } from '../support/fuzz-send.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { ON_POSTGRES } from '../support/test-backend.js';

const SEED = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 32) : Number(process.env.FUZZ_SEED ?? 20_250_611);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const ONLY = process.env.FUZZ_ONLY ? process.env.FUZZ_ONLY.split(',').map(Number) : undefined;
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 16);
const TIMEOUT_MS = 10_000;
/** New requests stop after this long, so the file ends well within the runner's 3 minutes. */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 120_000);
const LIMITED_CREDITS = 200;
const ANONYMOUS_CONCURRENCY = 6;
const MAX_LOG_LINE = 8 * 1024;
/** The server's RSS settles near 300 MiB whatever the run's length (measured up to 40,000 requests). */
const MAX_RSS_GROWTH_KB = 384 * 1024;

interface Failure {
  index: number;
  c: FuzzCase;
  problems: string[];
  bug: string | undefined;
}

function excerpt(c: FuzzCase): string {
  const body = c.body ? `${JSON.stringify(c.body.subarray(0, 300).toString('utf8'))}${c.body.length > 300 ? ` … (${c.body.length} bytes)` : ''}` : '(none)';
  return `${c.method} ${c.path.slice(0, 200)}${c.path.length > 200 ? '…' : ''} [${c.mutation}${c.chunkSize ? `, chunked by ${c.chunkSize}` : ''}] headers ${JSON.stringify(c.headers).slice(0, 300)} body ${body}`;
}

function describeFailure(f: Failure): string {
  const bug = f.bug ? `[${f.bug}] ` : '';
  return `${bug}seed=${SEED} request #${f.index} ${f.c.route}: ${f.problems.join('; ')}\n    ${excerpt(f.c)}\n    replay: FUZZ_SEED=${SEED} FUZZ_ONLY=${f.index} node scripts/run-tests.mjs fuzz-hostile-input`;
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

async function metricLines(base: string, name: string): Promise<Array<{ line: string; value: number }>> {
  const text = (await http(`${base}/metrics`)).text;
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => ({ line, value: Number(line.slice(line.lastIndexOf(' ') + 1)) }));
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function table(map: Map<string, number>): string {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `    ${String(v).padStart(6)}  ${k}`).join('\n') || '    (none)';
}

/** Every cost of a key's usage rows, read page by page from the request log (`/admin/usage` has no paging). */
async function costsOf(base: string, keyId: string): Promise<{ rows: number; cost: number }> {
  let before: number | null = null;
  let rows = 0;
  let cost = 0;
  do {
    const res = await admin(base, 'GET', `/requests?key_id=${keyId}&limit=200&from=0${before ? `&before=${before}` : ''}`);
    assert.equal(res.status, 200, res.text.slice(0, 200));
    for (const row of res.json.data as Array<{ cost: number }>) cost += row.cost;
    rows += res.json.data.length;
    before = res.json.next_before;
  } while (before !== null);
  return { rows, cost };
}

/** Opens `n` slow streams of one key at once; their statuses once all have answered, and a way to read them to the end. */
async function concurrentStreams(base: string, key: string | undefined, n: number): Promise<{ statuses: number[]; drain: () => Promise<void> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) };
  // #slow: the fake answers word by word 50 ms apart, so the streams overlap and hold their slots.
  const body = JSON.stringify({ model: 'fz-openai', stream: true, messages: [{ role: 'user', content: 'one two three four five six seven eight #slow' }] });
  const answers = await Promise.all(Array.from({ length: n }, () => request(`${base}/v1/chat/completions`, { method: 'POST', headers, body })));
  return { statuses: answers.map((a) => a.statusCode), drain: async () => void (await Promise.all(answers.map((a) => a.body.text()))) };
}

describe(`hostile-input fuzzer (seed ${SEED})`, () => {
  let openai: FakeOpenAI;
  let anthropic: FakeAnthropic;
  let gemini: FakeGemini;
  let cohere: FakeCohere;
  let gtts: FakeGtts;
  let bfl: FakeBfl;
  let server: ServerProcess;
  let targets: FuzzTargets;
  let limitedId: string;
  const failures: Failure[] = [];
  let rssBefore = 0;

  before(async () => {
    [openai, anthropic, gemini, cohere, gtts, bfl] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini(), startFakeCohere(), startFakeGtts(), startFakeBfl()]);
    const config = fuzzConfig(
      { openai: openai.url, anthropic: anthropic.url, gemini: gemini.url, cohere: cohere.url, gtts: gtts.url, bfl: bfl.url },
      { openai: FAKE_KEY, anthropic: FAKE_ANTHROPIC_KEY, gemini: FAKE_GEMINI_KEY, cohere: FAKE_COHERE_KEY, bfl: bfl.key },
    );
    server = await startServer({
      config,
      env: {
        OPENSQ_ADMIN_KEY: ADMIN_KEY,
        LOG_LEVEL: 'info',
        OPENSQ_BODY_LIMIT: String(FUZZ_BODY_LIMIT),
        OPENSQ_CLOUD_UPLOADS_PER_MINUTE: '1000000',
        OPENSQ_ANONYMOUS_CONCURRENCY: String(ANONYMOUS_CONCURRENCY),
      },
    });
    const limited = await createKey(server.url, { name: 'fuzz limited', max_concurrency: 2, credits: LIMITED_CREDITS });
    const free = await createKey(server.url, { name: 'fuzz free' });
    limitedId = limited.id;
    const files: string[] = [];
    for (const name of ['plain.txt', '\u0100\u{1F600}\u202e.txt', 'a"b\\c.txt', 'e\u0301\u200f\ufeff.bin', '\u65e5\u672c\u8a9e.png', 'x'.repeat(255)]) {
      const res = await upload(server.url, name, Buffer.from(`file ${name}`), 'text/plain');
      assert.equal(res.status, 200, JSON.stringify(res.json));
      files.push(String(res.json.url).split('/').pop()!);
    }
    targets = { keys: { limited: limited.key, free: free.key }, adminKey: ADMIN_KEY, files };
    rssBefore = rssKb(server.proc.pid!);
  });

  after(async () => {
    if (process.env.FUZZ_SERVER_LOG && server) writeFileSync(process.env.FUZZ_SERVER_LOG, server.output());
    await server?.stop();
    await Promise.all([openai?.close(), anthropic?.close(), gemini?.close(), cohere?.close(), gtts?.close(), bfl?.close()]);
  });

  it(`sends ${ONLY ? `request(s) ${ONLY.join(', ')}` : `${REQUESTS} hostile requests`}, ${CONCURRENCY} at a time, and the server survives them`, { timeout: BUDGET_MS + 30_000 }, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays this run), ${ONLY ? `requests ${ONLY.join(', ')}` : `${REQUESTS} requests`}, ${CONCURRENCY} in flight`);
    const agent = fuzzAgent(CONCURRENCY + 4);
    const indexes = ONLY ?? Array.from({ length: REQUESTS }, (_, i) => i);
    const routes = new Map<string, number>();
    const statuses = new Map<string, number>();
    const byRoute = new Map<string, number>();
    const endings = new Map<string, number>();
    const skipped = new Map<string, number>();
    const rssSamples: number[] = [];
    let aborted = 0;
    let slowest = 0;
    let next = 0;
    let sent = 0;
    // When the server dies, the requests in flight and the last few answered are the suspects.
    const inFlight = new Map<number, FuzzCase>();
    const recent: Array<[number, FuzzCase]> = [];
    let crashed: string | undefined;
    server.proc.once('exit', (code, signal) => {
      const suspects = [...inFlight.entries(), ...recent];
      crashed = `the server exited (${signal ?? code}) with requests ${[...inFlight.keys()].join(', ')} in flight; suspects:\n${suspects.map(([i, c]) => `  #${i} ${excerpt(c)}`).join('\n')}\n--- server log tail ---\n${server.output().slice(-4000)}`;
    });
    const started = performance.now();

    const worker = async (): Promise<void> => {
      while (next < indexes.length && performance.now() - started < BUDGET_MS && crashed === undefined) {
        const index = indexes[next++];
        const c = fuzzCase(Rng.forRequest(SEED, index), targets);
        const skippedFor = KNOWN_BUGS.find((b) => b.skip?.(c));
        if (skippedFor) {
          count(skipped, skippedFor.id);
          continue;
        }
        inFlight.set(index, c);
        const o = await sendCase(server.url, c, agent, TIMEOUT_MS);
        inFlight.delete(index);
        recent.push([index, c]);
        if (recent.length > 8) recent.shift();
        if (++sent % 1000 === 0) rssSamples.push(rssKb(server.proc.pid!));
        count(routes, c.route);
        const status = o.status === undefined ? (o.aborted ? 'left before the answer' : 'no answer') : String(o.status);
        count(statuses, status);
        count(byRoute, `${c.route.padEnd(36)} ${status}`);
        const ending = streamEnding(c, o);
        if (ending) count(endings, ending);
        if (o.aborted) aborted++;
        slowest = Math.max(slowest, o.ms);
        const problems = problemsOf(c, o);
        if (problems.length) failures.push({ index, c, problems, bug: KNOWN_BUGS.find((b) => b.matches?.(c, o, problems))?.id });
        if (ONLY) console.log(`#${index} ${c.route} → ${status} in ${Math.round(o.ms)} ms\n    ${excerpt(c)}\n    answer: ${JSON.stringify(o.text.slice(0, 500))}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, indexes.length) }, worker));
    const seconds = (performance.now() - started) / 1000;
    await agent.close();
    await new Promise((r) => setTimeout(r, 200));
    if (ONLY) console.log(`--- server log ---\n${server.output().split('\n').map((l) => l.slice(0, 2000)).join('\n')}`);

    const logged = new Map<string, number>();
    for (const line of server.output().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { level: number; msg: string; err?: { message?: string; code?: string } };
      if (entry.level >= 50) count(logged, `${entry.msg}: ${entry.err?.code ?? ''} ${String(entry.err?.message ?? '').slice(0, 120)}`);
    }
    console.log(
      [
        `fuzz: ${sent} requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s), ${aborted} clients left early, slowest answer ${Math.round(slowest)} ms`,
        `server RSS every 1,000 requests: ${rssSamples.map((kb) => Math.round(kb / 1024)).join(', ')} MiB`,
        `requests per route:\n${table(routes)}`,
        `statuses:\n${table(statuses)}`,
        `statuses per route:\n${table(byRoute)}`,
        `stream endings:\n${table(endings)}`,
        `not sent while their bug stands:\n${table(skipped)}`,
        `errors in the server log:\n${table(logged)}`,
        `requests mishandled: ${failures.length}`,
      ].join('\n'),
    );
    if (crashed) assert.fail(`seed ${SEED}: ${crashed}`);
    const skippedCount = [...skipped.values()].reduce((a, b) => a + b, 0);
    assert.equal(sent + skippedCount, indexes.length, `only ${sent + skippedCount} of ${indexes.length} requests fit in the budget of ${BUDGET_MS} ms`);
    assert.equal(server.proc.exitCode, null, 'the server is alive');
    assert.equal((await http(`${server.url}/health`)).status, 200);
  });

  it('answers every request within 10 s, without a 5xx it did not ask for, with printable headers and its route’s error shape', () => {
    const bySignature = new Map<string, Failure[]>();
    for (const f of failures) {
      const signature = `${f.bug ?? 'NEW'} ${f.c.route}: ${f.problems.map((p) => p.replace(/:.*$/s, '')).join('; ')}`;
      bySignature.set(signature, [...(bySignature.get(signature) ?? []), f]);
    }
    const report = [...bySignature.entries()].map(([signature, list]) => `${list.length} × ${signature}, e.g.\n  ${list.slice(0, 2).map(describeFailure).join('\n  ')}`);
    const bugs = KNOWN_BUGS.filter((b) => failures.some((f) => f.bug === b.id)).map((b) => `${b.id}: ${b.title}`);
    if (report.length) assert.fail(`${failures.length} hostile requests were mishandled (seed ${SEED}); known bugs among them:\n${bugs.join('\n')}\n\n${report.join('\n')}`);
  });

  it('has no request and no deployment in flight afterwards', async () => {
    // Streams whose clients left settle a moment after.
    let lines: Array<{ line: string; value: number }> = [];
    for (let i = 0; i < 50; i++) {
      lines = [...(await metricLines(server.url, 'opensq_requests_in_flight')), ...(await metricLines(server.url, 'opensq_deployment_in_flight'))];
      if (lines.every((m) => m.value === 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(lines.some((m) => m.line.startsWith('opensq_requests_in_flight')), 'the gauge is exported');
    assert.deepEqual(lines.filter((m) => m.value !== 0).map((m) => m.line), [], ON_POSTGRES ? 'BUG-9 (fuzz-known-bugs.ts)' : undefined);
  });

  it('keeps its memory bounded and its log lines short', () => {
    const rssAfter = rssKb(server.proc.pid!);
    const longest = Math.max(...server.output().split('\n').map((line) => line.length));
    console.log(`server RSS ${Math.round(rssBefore / 1024)} MiB before the run, ${Math.round(rssAfter / 1024)} MiB after; longest log line ${longest} characters`);
    assert.ok(rssAfter - rssBefore < MAX_RSS_GROWTH_KB, `the server's RSS grew from ${rssBefore} kB to ${rssAfter} kB`);
    assert.ok(longest <= MAX_LOG_LINE, `a log line of ${longest} characters (BUG-11): ${server.output().split('\n').find((l) => l.length === longest)?.slice(0, 300)}`);
  });

  it("frees every slot: the limited key runs its two streams at once (a third is refused), the anonymous tier its six", async () => {
    const two = await concurrentStreams(server.url, targets.keys.limited, 2);
    const third = await http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${targets.keys.limited}` }, json: { model: 'fz-openai', messages: [{ role: 'user', content: 'third' }] } });
    await two.drain();
    assert.deepEqual(two.statuses, [200, 200], `both of the limited key’s slots are free${ON_POSTGRES ? ' (BUG-9)' : ''}`);
    assert.equal(third.status, 429, `a third request while both slots are held: ${third.text.slice(0, 200)}`);
    const anonymous = await concurrentStreams(server.url, undefined, ANONYMOUS_CONCURRENCY);
    await anonymous.drain();
    assert.deepEqual(anonymous.statuses, Array(ANONYMOUS_CONCURRENCY).fill(200), 'every anonymous slot is free');
  });

  it("settles the limited key's balance: its credits less the cost of its usage rows, never below zero", async () => {
    const balance = (await admin(server.url, 'GET', `/keys/${limitedId}`)).json.credits as number;
    const { rows, cost } = await costsOf(server.url, limitedId);
    const totals = (await admin(server.url, 'GET', `/usage?key_id=${limitedId}&limit=1`)).json.totals;
    console.log(`limited key: ${rows} usage rows costing ${cost.toFixed(6)} of ${LIMITED_CREDITS} credits; balance ${balance}`);
    assert.equal(totals.requests, rows, 'the request log’s pages hold every usage row');
    assert.ok(balance >= 0, `balance ${balance}`);
    assert.ok(Math.abs(LIMITED_CREDITS - cost - balance) < 1e-6 * LIMITED_CREDITS, `${LIMITED_CREDITS} - ${cost} != ${balance}: a reservation was not settled${ON_POSTGRES ? ' (BUG-9)' : ''}`);
  });
});
