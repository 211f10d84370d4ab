import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Every relative import and re-export of each source file (type-only ones too), as paths under src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => path.resolve(path.dirname(file), m[1].replace(/\.js$/, '.ts')));
    graph.set(path.relative(SRC, file), targets.map((t) => path.relative(SRC, t)));
  }
  return graph;
}

const folder = (file: string): string => file.split(path.sep)[0];

/** Imports that would point a layer the wrong way: `from` folder must not import `to` (a folder or one file). */
const FORBIDDEN: Array<{ from: string; to: string }> = [
  { from: 'encode', to: 'routes' },
  { from: 'encode', to: 'providers' },
  { from: 'encode', to: 'server' },
  { from: 'cli', to: 'routes' },
  { from: 'usage', to: 'server/context.ts' },
  { from: 'usage', to: 'routes' },
  { from: 'routing', to: 'routes' },
  { from: 'providers', to: 'routes' },
  { from: 'providers', to: 'server' },
  { from: 'storage', to: 'routes' },
];

describe('layers point one way', () => {
  const graph = importGraph();

  it('finds the imports it checks', () => {
    assert.ok(graph.size > 100, 'reads the source tree');
    assert.ok(graph.get(path.join('server', 'create-context.ts'))?.includes(path.join('routing', 'catalog.ts')), 'sees a known import');
  });

  for (const rule of FORBIDDEN) {
    it(`${rule.from}/ does not import ${rule.to}`, () => {
      const found = [...graph].flatMap(([file, targets]) =>
        folder(file) === rule.from ? targets.filter((t) => t === rule.to || t.startsWith(`${rule.to}${path.sep}`)).map((t) => `${file} -> ${t}`) : [],
      );
      assert.deepEqual(found, []);
    });
  }

  it('core/ imports nothing outside core/', () => {
    const found = [...graph].flatMap(([file, targets]) => (folder(file) === 'core' ? targets.filter((t) => folder(t) !== 'core').map((t) => `${file} -> ${t}`) : []));
    assert.deepEqual(found, []);
  });

  it('routing and the catalog name no provider type', () => {
    for (const file of ['routing/catalog.ts', 'routing/provider-registry.ts', 'server/create-context.ts']) {
      const text = readFileSync(path.join(SRC, file), 'utf8');
      assert.doesNotMatch(text, /'(local|together|anthropic|gemini|cohere|openai)'/, file);
    }
  });

  it('no import cycle among source modules', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(cycles, []);
  });
});
