/**
 * Outside checks over Gemini's and Cohere's wires: what an upstream that turns on the gateway can
 * make it say. Every mode (an error quoting the key mid-stream, garbage, a cut-off event, impossible
 * usage, safety blocks, empty or null candidates, finish reasons never seen, unknown events) goes
 * through chat completions and Messages, streamed and not, and embeddings whose vectors are null
 * or strings through /v1/embeddings (float and base64). Each answer must be a 200 or an
 * upstream error in the route's shape, never a 500; no key reaches a client, a log line or a usage
 * row; the in-flight count is back to 0 and every request has its one usage row.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HostileGeminiCohere, startHostileGeminiCohere } from '../fakes/hostile-gemini-cohere.js';
import { ADMIN_KEY } from '../support/admin.js';
import { http } from '../support/http.js';
import { metricValue } from '../support/metrics.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: HostileGeminiCohere;
let server: ServerProcess;

before(async () => {
  upstream = await startHostileGeminiCohere();
  const config = [
    'providers:',
    '  hostile-gemini:',
    '    type: gemini',
    `    base_url: ${upstream.url}`,
    `    api_key: ${upstream.geminiKey}`,
    '  hostile-cohere:',
    '    type: cohere',
    `    base_url: ${upstream.url}`,
    `    api_key: ${upstream.cohereKey}`,
    '  hostile-openai:',
    '    type: openai-compatible',
    `    base_url: ${upstream.url}/v1`,
    '    api_key: sk-hostile-openai-4711',
    'models:',
    '  gem:',
    '    paid: false',
    '    cost: { input: 1, output: 1 }',
    '    deployments:',
    '      - { provider: hostile-gemini, model: gemini-2.0-flash }',
    '  coh:',
    '    paid: false',
    '    cost: { input: 1, output: 1 }',
    '    deployments:',
    '      - { provider: hostile-cohere, model: command-r }',
    '  oai-embed:',
    '    kind: embedding',
    '    paid: false',
    '    deployments: [ { provider: hostile-openai, model: text-embedding-3-small } ]',
    '  gem-embed:',
    '    kind: embedding',
    '    paid: false',
    '    deployments: [ { provider: hostile-gemini, model: text-embedding-004 } ]',
    '  coh-embed:',
    '    kind: embedding',
    '    paid: false',
    '    deployments: [ { provider: hostile-cohere, model: embed-v4.0 } ]',
    '',
  ].join('\n');
  server = await startServer({ env: { OPENSQ_MAX_ATTEMPTS: '1', LOG_LEVEL: 'trace', OPENSQ_ADMIN_KEY: ADMIN_KEY }, config });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const MODES = ['ok', 'echo-key-midstream', 'garbage', 'truncated', 'usage-negative', 'usage-huge', 'safety', 'blocked', 'empty-candidates', 'finish-unknown', 'finish-number', 'null-candidate', 'null-part', 'json-array', 'unknown-events'];

const ROUTES: Record<string, (model: string, text: string, stream: boolean) => [string, unknown]> = {
  chat: (model, text, stream) => ['/v1/chat/completions', { model, stream, messages: [{ role: 'user', content: text }] }],
  messages: (model, text, stream) => ['/v1/messages', { model, stream, max_tokens: 64, messages: [{ role: 'user', content: text }] }],
};

let sent = 0;

for (const model of ['gem', 'coh']) {
  describe(`a hostile upstream behind ${model}`, () => {
    for (const mode of MODES) {
      it(`${mode}: every route, streamed or not, answers 200 or an upstream error in its shape, without the key`, async () => {
        const problems: string[] = [];
        for (const [name, route] of Object.entries(ROUTES)) {
          for (const stream of [false, true]) {
            const [path, body] = route(model, `hello #h-${mode}`, stream);
            const res = await http(`${server.url}${path}`, { json: body });
            sent++;
            const where = `${name} stream=${stream}: ${res.status} ${res.text.slice(0, 200)}`;
            if (res.status !== 200 && res.status !== 502) problems.push(where);
            if (res.status === 502) {
              const error = res.json?.error;
              if (name === 'messages' ? res.json?.type !== 'error' || typeof error?.type !== 'string' : typeof error?.code !== 'string') problems.push(`error shape: ${where}`);
            }
            if (res.text.includes(upstream.geminiKey) || res.text.includes(upstream.cohereKey)) problems.push(`key quoted: ${where}`);
            if (res.text.includes('internal_error') || res.text.includes('The server had an error')) problems.push(`a server failure: ${where}`);
            if (res.text.length > 64 * 1024) problems.push(`${res.text.length} characters: ${name} stream=${stream}`);
          }
        }
        assert.deepEqual(problems, []);
      });
    }
  });
}

async function probeEmbeddings(model: string, mode: string): Promise<void> {
  for (const encoding_format of ['float', 'base64']) {
    const res = await http(`${server.url}/v1/embeddings`, { json: { model, input: ['hello', `#h-${mode}`], encoding_format } });
    sent++;
    const where = `${encoding_format}: ${res.status} ${res.text.slice(0, 300)}`;
    if (res.status === 200) {
      for (const item of res.json.data) {
        if (encoding_format === 'float') assert.ok(Array.isArray(item.embedding) && item.embedding.every((x: unknown) => typeof x === 'number' && Number.isFinite(x)), where);
        else assert.equal(typeof item.embedding, 'string', where);
      }
    } else {
      assert.equal(res.status, 502, where);
      assert.equal(res.json?.error?.code, 'upstream_error', where);
    }
  }
}

const EMBEDDING_MODES = ['ok', 'null-candidate', 'bad-vector', 'usage-huge', 'usage-negative'];

describe('a hostile upstream answering embeddings', () => {
  for (const model of ['gem-embed', 'coh-embed']) {
    for (const mode of EMBEDDING_MODES) {
      it(`${model} ${mode}: floats or base64, a 200 with numbers or a 502 in OpenAI's shape`, () => probeEmbeddings(model, mode));
    }
  }
});

describe('after the hostile upstream', () => {
  it('the server is alive, nothing is in flight, every request has one sane usage row, and no key is anywhere', async () => {
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await http(`${server.url}/health`)).status, 200);
    assert.equal(await metricValue(server.url, 'opensq_requests_in_flight'), 0);
    const rows = await server.query('SELECT * FROM usage');
    assert.equal(rows.length, sent, 'one usage row per request');
    for (const row of rows) {
      for (const count of [row.prompt_tokens, row.completion_tokens]) assert.ok(Number.isSafeInteger(Number(count)) && Number(count) >= 0, `a usage row counts ${count} tokens`);
      assert.ok(Number(row.cost) >= 0 && Number(row.cost) < 1, `a usage row costs ${row.cost}`);
    }
    const text = JSON.stringify(rows) + server.output();
    assert.ok(!text.includes(upstream.geminiKey) && !text.includes(upstream.cohereKey), 'a log line or usage row quotes a provider key');
    assert.ok(!server.output().includes('"level":50'), `an error-level log line: ${server.output().split('\n').find((l) => l.includes('"level":50'))?.slice(0, 400)}`);
  });
});

describe('a hostile OpenAI-wire upstream answering embeddings', () => {
  for (const mode of EMBEDDING_MODES) {
    it(`oai-embed ${mode}: floats or base64, a 200 with numbers or a 502 in OpenAI's shape`, () => probeEmbeddings('oai-embed', mode));
  }
});
