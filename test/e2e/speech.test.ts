/**
 * Text to speech through `/ai/tts` and `/audio/speech` on every speech provider: gtts (long text
 * split at sentences, audio joined in order), OpenAI TTS, and the real espeak-ng binary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { request } from 'undici';
import { fakeMp3 } from '../fakes/fake-audio.js';
import { type FakeGtts, startFakeGtts } from '../fakes/gtts-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';
import { needsEspeak } from '../support/services.js';

let upstream: FakeOpenAI;
let gtts: FakeGtts;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  gtts = await startFakeGtts();
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, GTTS_BASE_URL: gtts.url }, config: ['models:', ...openToPublicKey(['tts-1', 'gpt-4o-mini-tts']), ''].join('\n') });
});
after(async () => {
  await server?.stop();
  await upstream?.close();
  await gtts?.close();
});

interface Audio {
  status: number;
  type: string;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  json: any;
}

async function post(url: string, json: unknown): Promise<Audio> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString());
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, type: String(res.headers['content-type']), headers: res.headers, bytes, json: parsed };
}

const tts = (json: unknown) => post(`${server.url}/ai/tts`, json);
const speech = (json: unknown) => post(`${server.url}/v1/audio/speech`, json);

/** A WAV whose RIFF and data sizes agree with its length (espeak-ng writes placeholders to a pipe). */
function assertWav(bytes: Buffer): void {
  assert.equal(bytes.toString('latin1', 0, 4), 'RIFF');
  assert.equal(bytes.toString('latin1', 8, 12), 'WAVE');
  assert.equal(bytes.readUInt32LE(4), bytes.length - 8);
  const data = bytes.indexOf('data', 12, 'latin1');
  assert.ok(data > 0);
  assert.equal(bytes.readUInt32LE(data + 4), bytes.length - data - 8);
  assert.ok(bytes.length - data - 8 > 10_000, 'there is audio in it');
}

describe('text to speech', () => {
  it('gtts splits long text at sentences within 200 characters and joins the MP3s in order', async () => {
    const sentences = Array.from({ length: 14 }, (_, i) => `Sentence ${i + 1} tells a small part of a long story.`);
    const text = `#slow-first ${sentences.join(' ')}`;
    const before = gtts.requests.length;
    const res = await tts({ model: 'gtts', text, lang: 'en' });
    assert.equal(res.status, 200, res.bytes.toString().slice(0, 300));
    assert.equal(res.type, 'audio/mpeg');
    const sent = gtts.requests.slice(before).sort((a, b) => a.idx - b.idx);
    assert.ok(sent.length >= 3, `${sent.length} requests`);
    for (const [i, r] of sent.entries()) {
      assert.deepEqual([r.idx, r.total, r.tl], [i, sent.length, 'en']);
      assert.ok(Array.from(r.q).length <= 200);
      assert.match(r.q, /\.$/, 'each piece ends at a sentence');
    }
    assert.equal(sent.map((r) => r.q).join(' '), text);
    assert.deepEqual(res.bytes, Buffer.concat(sent.map((r) => fakeMp3(`${r.idx}:${r.q}`))), 'the first (slowest) piece still comes first');
  });

  it('gtts: the OpenAI route, a language, slow speed; refusals are 400s', async () => {
    const res = await speech({ model: 'gtts', input: 'Bonjour tout le monde.', voice: 'alloy', speed: 0.5 });
    assert.equal(res.status, 200);
    assert.equal(res.type, 'audio/mpeg');
    assert.match(String(res.headers['x-opensq-warnings']), /no voices.*normal or slow/);
    assert.equal(gtts.requests.at(-1)!.ttsspeed, '0.24');
    assert.equal((await tts({ model: 'gtts', text: 'Hallo', lang: 'de' })).status, 200);
    assert.equal(gtts.requests.at(-1)!.tl, 'de');
    const wav = await tts({ model: 'gtts', text: 'x', format: 'wav' });
    assert.deepEqual([wav.status, wav.json.error.param], [400, 'response_format']);
    const unknown = await tts({ model: 'gtts', text: 'x', lang: 'xx' });
    assert.deepEqual([unknown.status, unknown.json.error.param], [400, 'lang']);
    const invalid = await tts({ model: 'gtts', text: 'x', lang: '../../etc' });
    assert.deepEqual([invalid.status, invalid.json.error.param], [400, 'lang']);
    assert.equal((await tts({ model: 'gtts', text: 'x #fail-500' })).status, 502);
  });

  it('OpenAI TTS through the SDK: mp3 by default, other formats with their content types', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const mp3 = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello from the SDK.' });
    assert.equal(mp3.headers.get('content-type'), 'audio/mpeg');
    assert.deepEqual(Buffer.from(await mp3.arrayBuffer()), fakeMp3('Hello from the SDK.'));
    const wav = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'coral', input: 'Calmly.', response_format: 'wav', instructions: 'Speak calmly.', speed: 1.25 });
    assert.equal(wav.headers.get('content-type'), 'audio/wav');
    assert.deepEqual(
      [upstream.requests.at(-1)!.body.instructions, upstream.requests.at(-1)!.body.speed, upstream.requests.at(-1)!.body.response_format],
      ['Speak calmly.', 1.25, 'wav'],
    );
    const viaTts = await tts({ model: 'tts-1', text: 'No voice given.', lang: 'en' });
    assert.equal(viaTts.status, 200);
    assert.match(String(viaTts.headers['x-opensq-warnings']), /speaks with alloy/);
  });

  it('espeak-ng, the embedded default, speaks WAV locally with variants and speed', { skip: needsEspeak }, async () => {
    const res = await tts({ model: 'espeak', text: 'Hello there. This is the embedded voice.', lang: 'en' });
    assert.equal(res.status, 200, res.bytes.toString().slice(0, 300));
    assert.equal(res.type, 'audio/wav');
    assertWav(res.bytes);
    const russian = await tts({ model: 'espeak', text: 'Привет, мир.', lang: 'ru', voice: 'f3' });
    assert.equal(russian.status, 200);
    assertWav(russian.bytes);
    assert.equal(russian.headers['x-opensq-warnings'], undefined);
    const fast = await speech({ model: 'espeak', input: 'Quickly now.', voice: 'alloy', response_format: 'wav', speed: 3 });
    assert.equal(fast.status, 200);
    assert.match(String(fast.headers['x-opensq-warnings']), /alloy is not an espeak-ng variant/);
    const mp3 = await speech({ model: 'espeak', input: 'x', voice: 'f3', response_format: 'mp3' });
    assert.deepEqual([mp3.status, mp3.json.error.param], [400, 'response_format']);
    const klingon = await tts({ model: 'espeak', text: 'x', lang: 'tlh' });
    assert.deepEqual([klingon.status, klingon.json.error.param], [400, 'lang']);
    const dashes = await tts({ model: 'espeak', text: '--version', lang: 'en' });
    assert.equal(dashes.status, 200, 'text is never read as an option');
    assertWav(dashes.bytes);
  });

  it('bad input is a 400 naming the field', async () => {
    for (const [route, body, param] of [
      ['tts', { model: 'espeak', text: '' }, 'text'],
      ['tts', { model: 'espeak' }, 'text'],
      ['tts', { model: 'espeak', text: 'x'.repeat(20_001) }, 'text'],
      ['tts', { model: 'espeak', text: 'x', speed: 9 }, 'speed'],
      ['tts', { text: 'x' }, 'model'],
      ['tts', { model: 'flux', text: 'x' }, 'model'],
      ['speech', { model: 'tts-1', input: 'x' }, 'voice'],
      ['speech', { model: 'tts-1', voice: 'alloy', input: 'x'.repeat(4097) }, 'input'],
      ['speech', { model: 'tts-1', voice: 'alloy', input: 'x', response_format: 'ogg' }, 'response_format'],
    ] as const) {
      const res = route === 'tts' ? await tts(body) : await speech(body);
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.bytes.toString().slice(0, 200)}`);
      assert.equal(res.json.error.param, param);
    }
    assert.equal((await post(`${server.url}/ai/tts`, { model: 'nope', text: 'x' })).status, 404);
  });

  it('speech leaves usage rows priced per thousand characters', async () => {
    {
      const rows = await server.query("SELECT * FROM usage WHERE endpoint IN ('tts', 'speech') AND status = 'ok'");
      const sdk = rows.find((r) => r.model === 'tts-1' && r.endpoint === 'speech')!;
      assert.equal(sdk.cost, ('Hello from the SDK.'.length / 1000) * 0.015);
      assert.deepEqual([sdk.provider, sdk.prompt_tokens, sdk.completion_tokens], ['openai', 0, 0]);
      if (!needsEspeak) assert.ok(rows.some((r) => r.model === 'espeak' && r.endpoint === 'tts' && r.cost === 0 && r.provider === 'espeak'));
      assert.ok(rows.some((r) => r.model === 'gtts' && r.provider === 'gtts'));
    }
  });
});

describe('text to speech without espeak-ng', () => {
  it('is a 503 naming the missing binary, while the model stays listed as work', async () => {
    const bare = await startServer({ env: { PATH: '/nonexistent' } });
    try {
      const res = await post(`${bare.url}/ai/tts`, { model: 'espeak', text: 'hello' });
      assert.equal(res.status, 503);
      assert.match(res.json.error.message, /espeak-ng is not installed/);
      const catalog = await request(`${bare.url}/ai/models`);
      assert.equal(((await catalog.body.json()) as any).models.espeak.status, 'work');
    } finally {
      await bare.stop();
    }
  });
});
