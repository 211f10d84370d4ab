import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('./start-up-heap.ts', import.meta.url));

// V8's flags are process-wide, so each case runs in a child of its own.
const CHILD = `
import v8 from 'node:v8';
import { endStartUp, holdYoungGeneration } from ${JSON.stringify(MODULE)};
const newSpaceMB = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
const kept = [];
// Like module loading: a burst of objects that all survive.
const burst = () => { for (let i = 0; i < 300_000; i++) kept.push({ i, text: 'x' + i }); };
const before = newSpaceMB();
holdYoungGeneration();
burst();
const held = newSpaceMB();
endStartUp();
for (let n = 0; n < 4; n++) burst();
process.stdout.write(JSON.stringify({ before, held, after: newSpaceMB() }));
`;

interface Sizes {
  /** The young generation's size in MB before start-up, at its end, and after a load. */
  before: number;
  held: number;
  after: number;
}

function run(nodeFlags: string[]): Sizes {
  const child = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as Sizes;
}

describe('start-up heap', () => {
  it('keeps the young generation at its starting size through start-up, and lets it grow after', () => {
    const { before, held, after } = run([]);
    assert.equal(held, before, `young generation grew from ${before} to ${held} MB during start-up`);
    assert.ok(after > held, `young generation stayed at ${after} MB after start-up`);
  });

  it("leaves the heap alone when the operator sized it (node's --max-semi-space-size)", () => {
    const { before, held } = run(['--max-semi-space-size=16']);
    assert.ok(held > before, `young generation held at ${held} MB despite the operator's flag`);
  });
});
