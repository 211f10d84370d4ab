import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeRetryAfter } from './retry-after.js';

describe('sanitizeRetryAfter', () => {
  it('passes delta-seconds on as digits, rounding fractions up', () => {
    assert.equal(sanitizeRetryAfter('7'), '7');
    assert.equal(sanitizeRetryAfter(' 0 '), '0');
    assert.equal(sanitizeRetryAfter('1.2'), '2');
  });

  it('turns an HTTP date into the seconds until it, never negative', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(sanitizeRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), '30');
    assert.equal(sanitizeRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), '0');
  });

  it('bounds it to a day and drops what is no delay', () => {
    assert.equal(sanitizeRetryAfter('99999999999'), '86400');
    for (const bad of [undefined, '', '-5', '1e3', '7\r\nset-cookie: x=1', 'soon']) assert.equal(sanitizeRetryAfter(bad), undefined, String(bad));
  });
});
