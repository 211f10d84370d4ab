/**
 * `POST /images/generations` as the OpenAI SDK and plain HTTP clients use it: b64_json and url
 * (served by the Cloud store), OpenAI's ImagesResponse schema, sizes each model can make.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { pngSize } from '../fakes/png.js';
import { http } from '../support/http.js';
import { assertOpenAISchema } from '../support/openai-schemas.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  // An operator's own OpenAI-compatible images server, declared in the config file with its sizes.
  const config = [
    'providers:',
    '  studio:',
    '    type: openai-compatible',
    `    base_url: ${upstream.url}`,
    `    api_key: ${FAKE_KEY}`,
    '    options: { image_sizes: ["512x512", "1024x1024"] }',
    'models:',
    '  studio-squares:',
    '    kind: image',
    '    modality: image',
    '    cost: { input: 0, output: 0, per_image: 0.5 }',
    '    paid: false',
    '    deployments: [ { provider: studio, model: dall-e-2 } ]',
    ...openToPublicKey(['dall-e-3', 'gpt-image-1']),
  ].join('\n');
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, TOGETHER_API_KEY: FAKE_KEY, TOGETHER_BASE_URL: upstream.url }, config });
});
after(async () => {
  await server?.stop();
  await upstream?.close();
});

const generate = (json: unknown) => http(`${server.url}/v1/images/generations`, { json });

describe('OpenAI images API', () => {
  it('the SDK gets b64_json images of the size it asked for', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai/`, apiKey: 'openai' });
    const result = await client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse', size: '1792x1024', response_format: 'b64_json' });
    assert.equal(result.data!.length, 1);
    assert.deepEqual(pngSize(Buffer.from(result.data![0].b64_json!, 'base64')), { width: 1792, height: 1024 });
    assert.match(result.data![0].revised_prompt ?? '', /lighthouse/);
    const raw = await generate({ model: 'dall-e-3', prompt: 'a lighthouse', size: '1024x1792', response_format: 'b64_json' });
    assertOpenAISchema('ImagesResponse', raw.json);
  });

  it('url answers point at the Cloud store, which serves the PNG', async () => {
    const res = await generate({ model: 'flux', prompt: 'a fox', size: '1024x768', response_format: 'url' });
    assert.equal(res.status, 200, res.text);
    assertOpenAISchema('ImagesResponse', res.json);
    const url: string = res.json.data[0].url;
    assert.ok(url.startsWith(`${server.url}/cloud/file/`), url);
    const file = await fetch(url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    assert.deepEqual(pngSize(Buffer.from(await file.arrayBuffer())), { width: 1024, height: 768 });
  });

  it("defaults follow OpenAI: url for DALL·E, b64_json for gpt-image; n images come back as n", async () => {
    const dalle = await generate({ model: 'dall-e-3', prompt: 'two moons', n: 2 });
    assert.equal(dalle.status, 200, dalle.text);
    assert.equal(dalle.json.data.length, 2);
    assert.ok(dalle.json.data.every((d: { url?: string }) => d.url?.includes('/cloud/file/')));
    const sent = upstream.requests.filter((r) => r.body.prompt === 'two moons');
    assert.deepEqual(sent.map((r) => [r.body.n, r.body.response_format]), [[1, 'b64_json'], [1, 'b64_json']], 'dall-e-3 makes one image per request');

    const gpt = await generate({ model: 'gpt-image-1', prompt: 'a cube', quality: 'low' });
    assert.equal(gpt.status, 200, gpt.text);
    assert.ok(gpt.json.data[0].b64_json);
    const last = upstream.requests.at(-1)!.body;
    assert.equal(last.quality, 'low', 'OpenAI parameters reach OpenAI');
    assert.equal(last.response_format, undefined);
  });

  it('a size the model cannot make is replaced by the nearest, and the client is told', async () => {
    const res = await generate({ model: 'flux', prompt: 'odd size', size: '1000x700', response_format: 'b64_json', style: 'vivid' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(pngSize(Buffer.from(res.json.data[0].b64_json, 'base64')), { width: 1008, height: 704 });
    const warnings = String(res.headers['x-opensq-warnings']);
    assert.match(warnings, /1000x700 is not available.*1008x704/);
    assert.match(warnings, /no style parameter/);
    assert.equal(upstream.requests.at(-1)!.body.style, undefined);
  });

  it('an OpenAI-compatible images server from the config file serves ImaGen and the images route', async () => {
    const imagen = await http(`${server.url}/ai/imagen`, { json: { model: 'studio-squares', prompt: 'a tile', ratio: '16:9' }, headers: { authorization: 'Bearer openai' } });
    assert.equal(imagen.status, 200, imagen.text);
    assert.deepEqual(imagen.json.size, { width: 512, height: 512 });
    assert.equal(upstream.requests.at(-1)!.body.size, '512x512');
    const res = await generate({ model: 'studio-squares', prompt: 'a tile', size: '1024x1024', response_format: 'b64_json' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-opensq-provider'], 'studio');
    const catalog = await http(`${server.url}/ai/models`);
    assert.deepEqual(catalog.json.classified.image['studio-squares'].cost, { input: 0, output: 0, per_image: 0.5 });
  });

  it('bad input and upstream failures answer in OpenAI ErrorResponse shape', async () => {
    for (const [body, param] of [
      [{ model: 'dall-e-3', prompt: 'x', n: 0 }, 'n'],
      [{ model: 'dall-e-3', prompt: 'x', size: 'big' }, 'size'],
      [{ model: 'dall-e-3', prompt: 'x', response_format: 'png' }, 'response_format'],
      [{ model: 'dall-e-3' }, 'prompt'],
      [{ model: 'dall-e-3', prompt: 'x'.repeat(40_000) }, 'prompt'],
      [{ model: 'gtts', prompt: 'x' }, 'model'],
    ] as const) {
      const res = await generate(body);
      assert.equal(res.status, 400, res.text);
      assertOpenAISchema('ErrorResponse', res.json);
      assert.equal(res.json.error.param, param);
    }
    const moderated = await generate({ model: 'dall-e-3', prompt: 'x #moderated' });
    assert.equal(moderated.status, 400);
    assert.match(moderated.json.error.message, /safety system/);
    const limited = await generate({ model: 'dall-e-3', prompt: 'x #rate-limit' });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '7');
  });
});
