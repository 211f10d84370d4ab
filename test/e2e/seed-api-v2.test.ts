/**
 * The seed documentation's API2.0 examples (Python `requests`), rewritten as the same plain HTTP
 * calls, against a real server process and the fake OpenAI upstream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http, sseDataLines } from '../support/http.js';
import { fakeProviderConfig, type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({
    env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, FAKE_UPSTREAM_KEY: FAKE_KEY },
    config: fakeProviderConfig(upstream.url),
  });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

describe('seed: API2.0 examples', () => {
  it('Sync request example: a chat.completion with the user id of the key', async () => {
    const send = { model: 'gemini-2.5-flash', request: { messages: [{ role: 'user', content: 'Hi! Write a short one-line story' }] } };
    const response = await http(`${server.url}/ai/v2`, { json: send, headers: { Authorization: 'Bearer openai' } });
    assert.equal(response.status, 200);
    const body = response.json;
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'gemini-2.5-flash');
    assert.equal(body.choices[0].message.role, 'assistant');
    assert.equal(body.choices[0].message.content, 'Echo: Hi! Write a short one-line story');
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.equal(body.user, 0, 'the public key belongs to user 0, as on OnlySq');
    assert.ok(Number.isInteger(body.usage.prompt_tokens) && Number.isInteger(body.usage.completion_tokens));
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
    assert.ok(Number.isInteger(body.created));
    assert.equal(typeof body.id, 'string');
  });

  it('Streaming request example without any header: iter_lines, data: prefix, [DONE]', async () => {
    const data = { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'Write a one-line story about AI.' }], stream: true } };
    const response = await http(`${server.url}/ai/v2`, { json: data });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const lines = sseDataLines(response.text);
    assert.equal(lines.at(-1), '[DONE]');
    let printed = '';
    for (const line of lines) {
      if (line === '[DONE]') break;
      const chunk = JSON.parse(line);
      const content = chunk.choices[0].delta.content;
      if (content) printed += content;
    }
    assert.equal(printed, 'Echo: Write a one-line story about AI.');
  });

  it('Image understanding over API2.0', async () => {
    const base = Buffer.from('0123456789').toString('base64');
    const send = {
      model: 'gemini-2.5-flash',
      request: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What on this image?' },
              { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${base}` } },
            ],
          },
        ],
      },
    };
    const response = await http(`http://${new URL(server.url).host}/ai/v2`, { json: send });
    assert.equal(response.json.choices[0].message.content, 'I see an image (image/jpeg, 10 bytes).');
  });

  it('meta and unknown fields are accepted and not sent upstream', async () => {
    const send = { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'hello' }], extra: { a: 1 } }, meta: { image_count: 1 }, extra_body: {} };
    const response = await http(`${server.url}/ai/v2`, { json: send });
    assert.equal(response.status, 200);
    const sent = upstream.requests.at(-1)!.body;
    assert.equal('meta' in sent || 'extra' in sent || 'extra_body' in sent || 'request' in sent, false);
  });

  it('a wrong type inside request names the parameter', async () => {
    const response = await http(`${server.url}/ai/v2`, { json: { model: 'gpt-4o-mini', request: { messages: 'hi' } } });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.param, 'request.messages');
    assert.equal(response.json.error.type, 'invalid_request_error');
  });
});
