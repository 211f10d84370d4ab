import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBflApiHost } from './bfl-hosts.js';

describe('isBflApiHost', () => {
  it("BFL's regional API hosts are its own when the operator's base URL is BFL's", () => {
    for (const url of ['https://api.us1.bfl.ai/v1/get_result?id=1', 'https://api.eu.bfl.ai/v1/get_result?id=1', 'https://api.bfl.ml/v1/get_result?id=1']) {
      assert.equal(isBflApiHost(new URL(url), 'https://api.bfl.ai'), true, url);
    }
  });

  it('other hosts, plain http, look-alike domains and a proxy base URL extend no trust', () => {
    const cases: Array<[string, string | undefined]> = [
      ['https://evil.example/v1/get_result', 'https://api.bfl.ai'],
      ['https://bfl.ai.evil.example/v1/get_result', 'https://api.bfl.ai'],
      ['https://notbfl.ai/v1/get_result', 'https://api.bfl.ai'],
      ['http://api.us1.bfl.ai/v1/get_result', 'https://api.bfl.ai'],
      ['https://api.us1.bfl.ai/v1/get_result', 'https://bfl-proxy.internal'],
      ['https://api.us1.bfl.ai/v1/get_result', undefined],
    ];
    for (const [url, base] of cases) assert.equal(isBflApiHost(new URL(url), base), false, `${url} from ${base}`);
  });
});
