import assert from 'node:assert/strict';
import { it } from 'node:test';
import { areNumericVectors } from './numeric-vectors.js';

it('areNumericVectors: lists of finite numbers only', () => {
  assert.ok(areNumericVectors([[0.1, -2], []]));
  assert.ok(areNumericVectors([]));
  for (const bad of [null, [null], [['a']], [[Number.NaN]], [[Number.POSITIVE_INFINITY]], [{ 0: 1 }], 'abc']) assert.ok(!areNumericVectors(bad), JSON.stringify(bad));
});
