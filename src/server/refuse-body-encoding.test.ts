import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../core/errors.js';
import { bodyCharset, refuseContentEncoding } from './refuse-body-encoding.js';

describe('refuseContentEncoding', () => {
  it('takes no encoding, an empty one and identity in any case', () => {
    for (const encoding of [undefined, '', 'identity', 'IDENTITY']) assert.equal(refuseContentEncoding({ 'content-encoding': encoding }), undefined);
  });

  it('refuses gzip, deflate, br, zstd, lists of them and made-up ones with a 415 naming them, cut short', () => {
    for (const encoding of ['gzip', 'deflate', 'br', 'zstd', 'gzip, identity', 'x'.repeat(500)]) {
      const error = refuseContentEncoding({ 'content-encoding': encoding });
      assert.equal(error?.status, 415);
      assert.ok(error.message.includes(encoding.slice(0, 40)) && error.message.length < 200, error.message);
    }
  });
});

describe('refuseContentEncoding on Transfer-Encoding', () => {
  it('takes chunked alone, refuses any other transfer coding with a 415 naming it', () => {
    assert.equal(refuseContentEncoding({ 'transfer-encoding': 'Chunked' }), undefined);
    for (const coding of ['gzip, chunked', 'deflate,chunked', 'br']) assert.match(refuseContentEncoding({ 'transfer-encoding': coding })?.message ?? '', new RegExp(coding));
  });
});

describe('bodyCharset', () => {
  it('reads no content type, none with a charset, and UTF-8 however it is spelled as UTF-8', () => {
    for (const type of [undefined, 'application/json', 'text/plain', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; Charset = utf8', 'application/json; charset=', 'application/json; charset=US-ASCII']) {
      assert.equal(bodyCharset({ 'content-type': type }), 'utf8', type);
    }
  });

  it('reads ISO-8859-1 under its names as Latin-1 (Java\'s StringEntity declares it)', () => {
    for (const type of ['text/plain; charset=ISO-8859-1', 'application/json; charset=latin1', 'APPLICATION/JSON; CHARSET=LATIN1']) assert.equal(bodyCharset({ 'content-type': type }), 'latin1', type);
  });

  it('reads other ASCII-compatible charsets only as ASCII', () => {
    assert.deepEqual(bodyCharset({ 'content-type': 'application/json; charset=windows-1251' }), { asciiOnly: 'windows-1251' });
  });

  it('refuses UTF-16 and UTF-32 with a 415 naming them', () => {
    for (const charset of ['utf-16', 'UTF-16LE', 'utf-32', 'ucs-2']) {
      const error = bodyCharset({ 'content-type': `application/json; charset=${charset}` });
      assert.ok(error instanceof ApiError && error.status === 415, charset);
      assert.match(error.message, new RegExp(charset));
    }
  });
});
