import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_SHA256, signV4, uriEncode } from './sign-v4.js';

/** The example account and moment of AWS's published Signature Version 4 examples for S3. */
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 's3' };
const at = new Date('2013-05-24T00:00:00Z');
const signatureOf = (headers: Record<string, string>): string => /Signature=([0-9a-f]{64})$/.exec(headers.authorization)![1];

describe('signV4', () => {
  it("matches AWS's published example (GET Object with a Range, Amazon S3 developer guide)", () => {
    const headers = signV4(
      { method: 'GET', host: 'examplebucket.s3.amazonaws.com', path: '/test.txt', query: {}, headers: { range: 'bytes=0-9' }, payloadHash: EMPTY_SHA256 },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 's3' },
      new Date('2013-05-24T00:00:00Z'),
    );
    assert.equal(
      headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    assert.equal(headers['x-amz-date'], '20130524T000000Z');
  });

  it('matches the PUT Object example: a payload hash, a Date header, an encoded key', () => {
    const headers = signV4(
      {
        method: 'PUT',
        host: 'examplebucket.s3.amazonaws.com',
        path: `/${uriEncode('test$file.text', true)}`,
        query: {},
        headers: { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadHash: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      },
      credentials,
      at,
    );
    assert.match(headers.authorization, /SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,/);
    assert.equal(signatureOf(headers), '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('matches the GET Bucket Lifecycle and List Objects examples: query parameters, with and without values', () => {
    const lifecycle = signV4({ method: 'GET', host: 'examplebucket.s3.amazonaws.com', path: '/', query: { lifecycle: '' }, headers: {}, payloadHash: EMPTY_SHA256 }, credentials, at);
    assert.equal(signatureOf(lifecycle), 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
    const list = signV4({ method: 'GET', host: 'examplebucket.s3.amazonaws.com', path: '/', query: { 'max-keys': '2', prefix: 'J' }, headers: {}, payloadHash: EMPTY_SHA256 }, credentials, at);
    assert.equal(signatureOf(list), '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });
});
