/**
 * ImaGen (`POST /ai/imagen`) as OnlySq clients use it: the seed's own Python example, every ratio
 * mapped to a size the provider accepts, input images, and every kind of bad input.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type FakeBfl, startFakeBfl } from '../fakes/bfl-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { makePng, pngSize } from '../fakes/png.js';
import { fixturePath } from '../support/fixtures.js';
import { http } from '../support/http.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let bfl: FakeBfl;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  bfl = await startFakeBfl();
  server = await startServer({
    env: {
      TOGETHER_API_KEY: FAKE_KEY,
      TOGETHER_BASE_URL: upstream.url,
      OPENAI_API_KEY: FAKE_KEY,
      OPENAI_BASE_URL: upstream.url,
      BFL_API_KEY: bfl.key,
      BFL_BASE_URL: bfl.url,
    },
    config: ['models:', ...openToPublicKey(['dall-e-3', 'gpt-image-1', 'flux-pro-1.1', 'flux-kontext-pro']), ''].join('\n'),
  });
});
after(async () => {
  await server?.stop();
  await upstream?.close();
  await bfl?.close();
});

const auth = { authorization: 'Bearer openai' };
const imagen = (json: unknown, headers: Record<string, string> = auth) => http(`${server.url}/ai/imagen`, { json, headers });

/** The seed's ImaGen example, exactly as the documentation prints it (test/fixtures/onlysq). */
function seedExample(): string {
  const code = readFileSync(fixturePath('onlysq/imagen-example.py'), 'utf8');
  assert.ok(code.includes('https://api.onlysq.ru/ai/imagen'), 'the example calls the OnlySq host');
  return code;
}

const hasPythonRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;

/** Together's FLUX sizes: steps of 16 near one megapixel, the closest shape to each ratio. */
const FLUX_SIZES: Record<string, [number, number]> = {
  '1:1': [1024, 1024], '16:9': [1360, 768], '21:9': [1568, 672], '3:2': [1248, 832], '2:3': [832, 1248], '4:5': [896, 1120],
  '5:4': [1120, 896], '3:4': [864, 1152], '4:3': [1152, 864], '9:16': [768, 1360], '9:21': [672, 1568],
};

describe('ImaGen', () => {
  it("the seed's Python example saves a PNG shaped like its 16:9 ratio", { skip: !hasPythonRequests && 'python3 with requests is not installed' }, async () => {
    const code = seedExample().replace('https://api.onlysq.ru', server.url);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'imagen-seed-'));
    try {
      // Asynchronously: the fake upstream answering the server lives in this process.
      const run = await promisify(execFile)('python3', ['-c', code], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.stdout.trim(), 'Image saved successfully');
      assert.deepEqual(pngSize(readFileSync(path.join(dir, 'pic.png'))), { width: 1360, height: 768 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every ratio gets the nearest size Together accepts; the answer reports the real size, time, usage and user', async () => {
    for (const [ratio, [width, height]] of Object.entries(FLUX_SIZES)) {
      const res = await imagen({ model: 'flux', prompt: 'cat on a blue water wave', ratio });
      assert.equal(res.status, 200, res.text);
      const body = res.json;
      assert.match(body.id, /^imagen_[0-9a-f]{32}$/);
      assert.ok(Number.isInteger(body.created));
      assert.equal(body.model, 'flux');
      assert.equal(body.ratio, ratio);
      assert.equal(body.files.length, 1);
      assert.deepEqual(pngSize(Buffer.from(body.files[0], 'base64')), { width, height }, ratio);
      assert.deepEqual(body.size, { width, height });
      assert.equal(typeof body['elapsed-time'], 'number');
      assert.equal(body.usage, Math.ceil((width * height) / 4096));
      assert.equal(body.user, 0);
      const sent = upstream.requests.at(-1)!;
      assert.equal(sent.path, '/v1/images/generations');
      assert.deepEqual([sent.body.model, sent.body.width, sent.body.height, sent.body.response_format], ['black-forest-labs/FLUX.1-schnell', width, height, 'base64']);
    }
  });

  it('the ratio defaults to 1:1, and unknown fields are ignored', async () => {
    const res = await imagen({ model: 'flux', prompt: 'a square', extra: { x: 1 }, meta: { image_count: 1 } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.ratio, res.json.size], ['1:1', { width: 1024, height: 1024 }]);
  });

  it('each provider maps ratios to its own sizes: DALL·E 3 to its three, BFL to steps of 32', async () => {
    const dalle = await imagen({ model: 'dall-e-3', prompt: 'wide', ratio: '16:9' });
    assert.equal(dalle.status, 200, dalle.text);
    assert.deepEqual(dalle.json.size, { width: 1792, height: 1024 });
    assert.equal(upstream.requests.at(-1)!.body.size, '1792x1024');

    const polls = bfl.polls;
    const pro = await imagen({ model: 'flux-pro-1.1', prompt: 'very wide', ratio: '21:9' });
    assert.equal(pro.status, 200, pro.text);
    assert.deepEqual(pro.json.size, { width: 1408, height: 608 });
    assert.deepEqual(pngSize(Buffer.from(pro.json.files[0], 'base64')), { width: 1408, height: 608 });
    assert.ok(bfl.polls - polls >= 2, 'the task was polled until ready');
    assert.deepEqual(bfl.submissions.at(-1)!.body, { prompt: 'very wide', output_format: 'png', width: 1408, height: 608 });
  });

  it('input images go to the providers that take them', async () => {
    const picture = makePng(64, 48).toString('base64');
    const kontext = await imagen({ model: 'flux-kontext-pro', prompt: 'make it watercolour', ratio: '4:3', files: [picture, `data:image/png;base64,${picture}`] });
    assert.equal(kontext.status, 200, kontext.text);
    const submitted = bfl.submissions.at(-1)!.body;
    assert.deepEqual([submitted.aspect_ratio, submitted.input_image, submitted.input_image_2], ['4:3', picture, picture]);
    const { width, height } = kontext.json.size;
    assert.ok(Math.abs(width / height - 4 / 3) < 0.03);

    const gpt = await imagen({ model: 'gpt-image-1', prompt: 'add a hat', files: [picture] });
    assert.equal(gpt.status, 200, gpt.text);
    const edit = upstream.requests.at(-1)!;
    assert.equal(edit.path, '/v1/images/edits');
    assert.deepEqual(edit.body.images, [{ field: 'image[]', mediaType: 'image/png', bytes: Buffer.from(picture, 'base64').length }]);

    const flux = await imagen({ model: 'flux', prompt: 'add a hat', files: [picture] });
    assert.equal(flux.status, 400);
    assert.deepEqual([flux.json.error.param, flux.json.error.type], ['files', 'invalid_request_error']);
    assert.match(flux.json.error.message, /does not accept input images/);
  });

  it('bad input is a clear 4xx in the OpenAI error shape', async () => {
    const cases: Array<[string, unknown, number, string | null, Record<string, string>?]> = [
      ['unknown ratio', { model: 'flux', prompt: 'x', ratio: '7:5' }, 400, 'ratio'],
      ['ratio of the wrong type', { model: 'flux', prompt: 'x', ratio: 16 }, 400, 'ratio'],
      ['empty prompt', { model: 'flux', prompt: '' }, 400, 'prompt'],
      ['blank prompt', { model: 'flux', prompt: '   ' }, 400, 'prompt'],
      ['no prompt', { model: 'flux' }, 400, 'prompt'],
      ['a prompt of 100 KB', { model: 'flux', prompt: 'a'.repeat(100 * 1024) }, 400, 'prompt'],
      ['a non-image in files', { model: 'flux-kontext-pro', prompt: 'x', files: [Buffer.from('just some text, not a picture').toString('base64')] }, 400, 'files[0]'],
      ['files not base64', { model: 'flux-kontext-pro', prompt: 'x', files: ['%%% not base64 %%%'] }, 400, 'files[0]'],
      ['files not a list', { model: 'flux-kontext-pro', prompt: 'x', files: 'abc' }, 400, 'files'],
      ['no model', { prompt: 'x' }, 400, 'model'],
      ['unknown model', { model: 'no-such-model', prompt: 'x' }, 404, 'model'],
      ['a chat model', { model: 'gpt-4o-mini', prompt: 'x' }, 400, 'model'],
      ['a missing key', { model: 'flux', prompt: 'x' }, 401, null, {}],
      ['an unknown key', { model: 'flux', prompt: 'x' }, 401, null, { authorization: 'Bearer sq-nope' }],
    ];
    for (const [name, body, status, param, headers] of cases) {
      const res = await imagen(body, headers ?? auth);
      assert.equal(res.status, status, `${name}: ${res.text.slice(0, 200)}`);
      assert.equal(typeof res.json.error.message, 'string', name);
      assert.equal(res.json.error.param, param, name);
    }
    const notJson = await http(`${server.url}/ai/imagen`, { body: '{"model":', headers: { ...auth, 'content-type': 'application/json' } });
    assert.equal(notJson.status, 400);
    assert.match((await imagen({ model: 'flux', prompt: 'x' }, {})).json.error.message, /Authorization/);
  });

  it('provider refusals and failures keep honest statuses', async () => {
    const moderated = await imagen({ model: 'flux-pro-1.1', prompt: 'something #moderated' });
    assert.equal(moderated.status, 400);
    assert.equal(moderated.json.error.code, 'content_policy_violation');
    const failed = await imagen({ model: 'flux-pro-1.1', prompt: 'x #task-error' });
    assert.equal(failed.status, 502);
    const limited = await imagen({ model: 'flux', prompt: 'x #rate-limit' });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '7');
  });

  it('each image leaves a usage row priced per image', async () => {
    {
      const rows = await server.query("SELECT * FROM usage WHERE endpoint = 'imagen' ORDER BY id");
      const ok = rows.filter((r) => r.status === 'ok');
      assert.ok(ok.length >= 12);
      const flux = ok.find((r) => r.model === 'flux')!;
      assert.deepEqual([flux.provider, flux.deployment, flux.prompt_tokens, flux.completion_tokens, flux.http_status], ['together', 'black-forest-labs/FLUX.1-schnell', 0, 0, 200]);
      assert.equal(flux.cost, 0.003);
      assert.equal(ok.find((r) => r.model === 'dall-e-3')!.cost, 0.04);
      const refused = rows.find((r) => r.error_code === 'content_policy_violation')!;
      assert.deepEqual([refused.status, refused.http_status, refused.cost], ['error', 400, 0]);
    }
  });
});
