/**
 * What the server loads for its default configuration, as the process saw it: libraries it never
 * uses cost idle memory (issue 16). undici's index loads every dispatcher, interceptor, mock and
 * cache store it has; the gateway takes the few parts it uses from their own modules.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http } from '../support/http.js';
import { REPO_ROOT, startServer } from '../support/server-process.js';

describe('modules loaded by a serving gateway', () => {
  let fake: FakeOpenAI;
  before(async () => {
    fake = await startFakeOpenAI();
  });
  after(async () => {
    await fake?.close();
  });

  it('an OpenAI-compatible answer, streamed and not, without loading undici\'s index', async () => {
    const listFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'opensq-modules-')), 'loaded.txt');
    const server = await startServer({
      env: {
        OPENAI_API_KEY: FAKE_KEY,
        OPENAI_BASE_URL: fake.url,
        NODE_OPTIONS: `--require ${path.join(REPO_ROOT, 'test/support/list-loaded-modules.cjs')}`,
        OPENSQ_TEST_LOADED_MODULES: listFile,
      },
    });
    try {
      const plain = await http(`${server.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(plain.status, 200, plain.text);
      const streamed = await http(`${server.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true } });
      assert.equal(streamed.status, 200, streamed.text);
      assert.match(streamed.text, /data: \[DONE\]/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    const loaded = readFileSync(listFile, 'utf8').split('\n');
    assert.ok(loaded.some((f) => f.includes(`${path.sep}undici${path.sep}lib${path.sep}dispatcher${path.sep}agent.js`)), 'the list names the modules loaded');
    const index = loaded.filter((f) => /[/\\]undici[/\\]index\.js$/.test(f));
    assert.deepEqual(index, [], 'undici\'s index was loaded');
  });
});
