/**
 * Threats on the request side, third round: a JSON body's text. JSON travels as UTF-8 (RFC 8259):
 * bytes that are not UTF-8, or a charset that says they are something else, were decoded with
 * replacement characters and the client's text sent upstream changed, silently; a UTF-8 byte order
 * mark (Windows tools write one) was a parse error though the RFC lets a parser skip it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY } });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const chatBytes = (content: Buffer): Buffer =>
  Buffer.concat([Buffer.from('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"'), content, Buffer.from('"}]}')]);

function assertOpenAIError(res: { status: number; text: string; json: any }, status: number, code: string): void {
  assert.equal(res.status, status, res.text.slice(0, 300));
  assert.deepEqual(Object.keys(res.json.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(res.json.error.code, code, res.text);
}

describe('a JSON body’s text', () => {
  it('bytes that are not UTF-8 inside a string are a 400, not replaced by U+FFFD and sent upstream', async () => {
    const before = upstream.requests.length;
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json' }, body: chatBytes(Buffer.from([0x63, 0x61, 0x66, 0xe9])) });
    assertOpenAIError(res, 400, 'invalid_json');
    assert.match(res.json.error.message, /UTF-8/);
    assert.equal(upstream.requests.length, before, 'the mangled text reached the upstream');
  });

  it('an overlong encoding and a UTF-8-encoded surrogate are not UTF-8 either', async () => {
    for (const bytes of [[0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      assertOpenAIError(await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json' }, body: chatBytes(Buffer.from(bytes)) }), 400, 'invalid_json');
    }
  });

  for (const charset of ['utf-16', 'utf-32']) {
    it(`a body declared charset=${charset} is a 415 naming the charset, not decoded as UTF-8`, async () => {
      const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': `application/json; charset=${charset}` }, body: chatBytes(Buffer.from('hi')) });
      assertOpenAIError(res, 415, 'unsupported_media_type');
      assert.match(res.json.error.message, new RegExp(charset));
    });
  }

  it('a body declared charset=ISO-8859-1 (Java\'s StringEntity default) is read as Latin-1', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'text/plain; charset=ISO-8859-1' }, body: chatBytes(Buffer.from('café', 'latin1')) });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.choices[0].message.content, /café/);
  });

  it('a body declared in another ASCII-compatible charset is served when it is ASCII, a 415 naming the charset when not', async () => {
    const ascii = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json; charset=windows-1251' }, body: chatBytes(Buffer.from('hi')) });
    assert.equal(ascii.status, 200, ascii.text);
    const cyrillic = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json; charset=windows-1251' }, body: chatBytes(Buffer.from([0xef, 0xf0, 0xe8])) });
    assertOpenAIError(cyrillic, 415, 'unsupported_media_type');
    assert.match(cyrillic.json.error.message, /windows-1251/);
  });

  for (const type of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8', 'text/plain', 'application/x-www-form-urlencoded']) {
    it(`${type} with UTF-8 JSON (é, emoji) is served`, async () => {
      const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': type }, body: chatBytes(Buffer.from('café 🦊')) });
      assert.equal(res.status, 200, res.text);
      assert.match(res.json.choices[0].message.content, /café 🦊/);
    });
  }

  it('a UTF-8 byte order mark before the JSON is skipped, on chat and API2.0', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const chat = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json' }, body: Buffer.concat([bom, chatBytes(Buffer.from('hi'))]) });
    assert.equal(chat.status, 200, chat.text);
    const v2 = await http(`${server.url}/ai/v2`, { body: Buffer.concat([bom, Buffer.from('{"model":"gpt-4o-mini","request":{"messages":[{"role":"user","content":"hi"}]}}')]) });
    assert.equal(v2.status, 200, v2.text);
  });

  it('a byte order mark alone is no body', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json' }, body: Buffer.from([0xef, 0xbb, 0xbf]) });
    assertOpenAIError(res, 400, 'invalid_request');
  });
});
