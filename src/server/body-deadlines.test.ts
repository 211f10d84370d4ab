import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BodyDeadlines } from './body-deadlines.js';

describe('BodyDeadlines', () => {
  it('expires a body once its timeout has passed, in order, and never one cleared before', async () => {
    const deadlines = new BodyDeadlines(100);
    const expired: string[] = [];
    const first = (): void => void expired.push('first');
    const cleared = (): void => void expired.push('cleared');
    deadlines.watch(first);
    deadlines.watch(cleared);
    await sleep(40);
    const late = (): void => void expired.push('late');
    deadlines.watch(late);
    deadlines.clear(cleared);
    await sleep(90);
    assert.deepEqual(expired, ['first'], 'the first expires after 100 ms, the one watched 40 ms later not yet');
    await sleep(80);
    assert.deepEqual(expired, ['first', 'late']);
    await sleep(100);
    assert.deepEqual(expired, ['first', 'late'], 'each expires once');
  });
});
