import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanFileName } from './file-names.js';

describe('cleanFileName', () => {
  it('drops direction overrides, embeddings, isolates and marks, and C0 and C1 controls', () => {
    assert.equal(cleanFileName('invoice\u202efdp.exe'), 'invoicefdp.exe');
    assert.equal(cleanFileName('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061ca\u0000\u001f\u007f\u0080\u009fb'), 'ab');
  });

  it('keeps other Unicode: letters, emoji joined by ZWJ, right-to-left scripts', () => {
    assert.equal(cleanFileName('отчёт 👩\u200d💻 تقرير.txt'), 'отчёт 👩\u200d💻 تقرير.txt');
  });

  it('keeps no path, nothing empty, at most 255 characters', () => {
    assert.equal(cleanFileName('../../etc/passwd'), 'passwd');
    assert.equal(cleanFileName('\u202e'), 'file');
    assert.equal(Array.from(cleanFileName('😀'.repeat(300))).length, 255);
  });
});
