/**
 * Summarises a V8 `.cpuprofile` (as written by `node --cpu-prof`): where the samples' self time
 * went — by function and by owner (our code under src/, each npm package, Node's internals,
 * V8 natives, GC) — plus, for our own functions, the inclusive time and the time "owned" (the
 * samples whose nearest frame from our code is that function, i.e. its self time plus whatever
 * library / Node / native code it called that did not pass through another function of ours).
 *
 * Frames in dist/*.js are mapped back to src/*.ts lines through the emitted source maps.
 *
 *   node --import tsx bench/profile-summary.ts .bench/gateway.cpuprofile [--top 25]
 */
import { readFileSync, existsSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export type Owner = 'ours' | 'library' | 'node' | 'native' | 'gc' | 'idle' | 'program';

export interface FunctionStat {
  key: string;
  name: string;
  location: string;
  owner: Owner;
  /** The package for `library`, `src` for ours, `node` / `v8` otherwise. */
  pkg: string;
  self: number;
  total: number;
  /** Only for our functions: samples whose nearest frame of ours is this function. */
  owned: number;
  /** For self samples of this function: the nearest function of ours on the stack (key), or '' for none. */
  callers: Map<string, number>;
}

export interface ProfileSummary {
  file: string;
  /** Samples considered (inside the window, if one was given). */
  samples: number;
  /** Samples in the whole profile. */
  allSamples: number;
  /** Wall time the considered samples cover, in ms. */
  spanMs: number;
  /** Samples that are not `(idle)`: the process was on the CPU. */
  busySamples: number;
  byOwner: Array<{ owner: string; self: number }>;
  byPackage: Array<{ pkg: string; owner: Owner; self: number }>;
  functions: FunctionStat[];
}

export interface SummaryOptions {
  /** Keep only samples taken in [fromUs, toUs] on the profile's clock (CLOCK_MONOTONIC µs). */
  fromUs?: number;
  toUs?: number;
  /** The project root, to recognise dist/ and node_modules/ and make paths relative. */
  root?: string;
}

const SPECIAL: Record<string, Owner> = {
  '(idle)': 'idle',
  '(program)': 'program',
  '(garbage collector)': 'gc',
  '(root)': 'program',
};

class SourceMapper {
  private readonly maps = new Map<string, SourceMap | null>();

  /** `dist/a/b.js` line (0-based) → `src/a/b.ts:line` (1-based), when the map knows it. */
  map(file: string, line: number, column: number, root: string): string | undefined {
    let map = this.maps.get(file);
    if (map === undefined) {
      map = null;
      const mapFile = `${file}.map`;
      if (existsSync(mapFile)) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
        } catch {
          map = null;
        }
      }
      this.maps.set(file, map);
    }
    if (!map) return undefined;
    const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
    if (!entry || entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
    let source = entry.originalSource;
    if (source.startsWith('file://')) source = fileURLToPath(source);
    if (!path.isAbsolute(source)) source = path.resolve(path.dirname(file), source);
    return `${path.relative(root, source)}:${entry.originalLine + 1}`;
  }
}

function classify(frame: CallFrame, root: string, mapper: SourceMapper): { owner: Owner; pkg: string; location: string } {
  const special = SPECIAL[frame.functionName];
  if (special && !frame.url) return { owner: special, pkg: frame.functionName, location: '' };
  const url = frame.url;
  if (!url) return { owner: 'native', pkg: 'v8/native', location: '(native)' };
  if (url.startsWith('node:')) return { owner: 'node', pkg: 'node', location: url.replace(/^node:/, '') + `:${frame.lineNumber + 1}` };
  let file = url;
  if (url.startsWith('file://')) {
    try {
      file = fileURLToPath(url);
    } catch {
      file = url;
    }
  }
  const nm = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split(path.sep);
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    const inner = rest.slice(rest[0].startsWith('@') ? 2 : 1).join('/');
    return { owner: 'library', pkg, location: `${pkg}/${inner}:${frame.lineNumber + 1}` };
  }
  const rel = path.relative(root, file);
  if (!rel.startsWith('..') && (rel.startsWith(`dist${path.sep}`) || rel.startsWith(`src${path.sep}`))) {
    const mapped = rel.startsWith('dist') ? mapper.map(file, frame.lineNumber, frame.columnNumber, root) : undefined;
    const location = mapped ?? `${rel.replace(/^dist/, 'src').replace(/\.js$/, '.ts')}:${frame.lineNumber + 1}`;
    return { owner: 'ours', pkg: 'src', location };
  }
  return { owner: 'library', pkg: rel.startsWith('..') ? file : rel, location: `${rel}:${frame.lineNumber + 1}` };
}

export function summarizeProfile(file: string, options: SummaryOptions = {}): ProfileSummary {
  const root = options.root ?? process.cwd();
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const mapper = new SourceMapper();

  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // One stat per function (name + location), shared by all the nodes of that function.
  const stats = new Map<string, FunctionStat>();
  const nodeStat = new Map<number, FunctionStat>();
  for (const node of profile.nodes) {
    const { owner, pkg, location } = classify(node.callFrame, root, mapper);
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name} ${location}`;
    let stat = stats.get(key);
    if (!stat) {
      stat = { key, name, location, owner, pkg, self: 0, total: 0, owned: 0, callers: new Map() };
      stats.set(key, stat);
    }
    nodeStat.set(node.id, stat);
  }

  // The chain of distinct functions from each node up to the root, and its nearest frame of ours.
  const chains = new Map<number, { all: FunctionStat[]; nearestOurs: FunctionStat | undefined }>();
  const chainOf = (id: number): { all: FunctionStat[]; nearestOurs: FunctionStat | undefined } => {
    let chain = chains.get(id);
    if (chain) return chain;
    const seen = new Set<FunctionStat>();
    let nearestOurs: FunctionStat | undefined;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const stat = nodeStat.get(cur)!;
      seen.add(stat);
      if (!nearestOurs && stat.owner === 'ours') nearestOurs = stat;
    }
    chain = { all: [...seen], nearestOurs };
    chains.set(id, chain);
    return chain;
  };

  const from = options.fromUs ?? -Infinity;
  const to = options.toUs ?? Infinity;
  let t = profile.startTime;
  let samples = 0;
  let busy = 0;
  let first = Infinity;
  let last = -Infinity;
  const ownerSelf = new Map<string, number>();
  const pkgSelf = new Map<string, { pkg: string; owner: Owner; self: number }>();
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    first = Math.min(first, t);
    last = Math.max(last, t);
    samples++;
    const id = profile.samples[i];
    const stat = nodeStat.get(id);
    if (!stat) continue;
    stat.self++;
    if (stat.owner !== 'idle') busy++;
    ownerSelf.set(stat.owner, (ownerSelf.get(stat.owner) ?? 0) + 1);
    const pk = `${stat.owner}:${stat.pkg}`;
    const p = pkgSelf.get(pk) ?? { pkg: stat.pkg, owner: stat.owner, self: 0 };
    p.self++;
    pkgSelf.set(pk, p);
    const chain = chainOf(id);
    for (const s of chain.all) s.total++;
    if (chain.nearestOurs) chain.nearestOurs.owned++;
    const via = chain.nearestOurs && chain.nearestOurs !== stat ? `${chain.nearestOurs.name} ${chain.nearestOurs.location}` : '';
    stat.callers.set(via, (stat.callers.get(via) ?? 0) + 1);
  }

  return {
    file,
    samples,
    allSamples: profile.samples.length,
    spanMs: samples > 0 ? (last - first) / 1000 : 0,
    busySamples: busy,
    byOwner: [...ownerSelf].map(([owner, self]) => ({ owner, self })).sort((a, b) => b.self - a.self),
    byPackage: [...pkgSelf.values()].sort((a, b) => b.self - a.self),
    functions: [...stats.values()].filter((s) => s.self > 0 || s.total > 0),
  };
}

const OWNER_LABEL: Record<string, string> = {
  ours: 'our code (src/)',
  library: 'npm packages',
  node: 'Node.js internals (node:*)',
  native: 'V8 natives / builtins (JSON, regexp, C++ bindings)',
  gc: '(garbage collector)',
  program: '(program: VM, compiler, native code without JS frames)',
  idle: '(idle)',
};

function pct(n: number, of: number): string {
  return of > 0 ? `${((100 * n) / of).toFixed(1)}%`.padStart(6) : '   n/a';
}

/** A plain-text report; percentages are of the busy (non-idle) samples. */
export function formatSummary(summary: ProfileSummary, top = 25): string {
  const busy = summary.busySamples;
  const lines: string[] = [];
  lines.push(`profile ${summary.file}`);
  lines.push(
    `  ${summary.samples} samples in the window (of ${summary.allSamples}), ${summary.spanMs.toFixed(0)} ms, ` +
      `${busy} busy (${pct(busy, summary.samples).trim()} of the window); percentages below are of busy samples`,
  );
  lines.push('', '  self time by owner:');
  for (const { owner, self } of summary.byOwner) {
    if (owner === 'idle') continue;
    lines.push(`    ${pct(self, busy)}  ${OWNER_LABEL[owner] ?? owner}`);
  }
  lines.push('', '  self time by package (top 12):');
  for (const p of summary.byPackage.filter((p) => p.owner !== 'idle').slice(0, 12)) {
    lines.push(`    ${pct(p.self, busy)}  ${p.owner === 'library' ? p.pkg : p.owner === 'ours' ? 'src/ (ours)' : p.pkg}`);
  }
  lines.push('', `  top ${top} functions by self time:`);
  const fns = summary.functions.filter((f) => f.owner !== 'idle' && f.self > 0).sort((a, b) => b.self - a.self);
  for (const f of fns.slice(0, top)) {
    lines.push(`    ${pct(f.self, busy)}  ${f.name}  [${f.owner === 'ours' ? 'OURS' : f.owner === 'library' ? f.pkg : f.owner}] ${f.location}`);
    if (f.owner !== 'ours' && f.owner !== 'gc' && f.owner !== 'program') {
      const callers = [...f.callers].sort((a, b) => b[1] - a[1]).slice(0, 2);
      const text = callers.map(([via, n]) => `${via || '(no frame of ours: framework / event loop)'} ${Math.round((100 * n) / f.self)}%`).join('; ');
      if (text) lines.push(`             ← ${text}`);
    }
  }
  const ours = summary.functions.filter((f) => f.owner === 'ours');
  lines.push('', '  our functions by self time (src/; a JS function\'s self time includes the C++ addon calls it makes,');
  lines.push('  e.g. better-sqlite3 Statement.run is counted in the function that calls it):');
  for (const f of [...ours].sort((a, b) => b.self - a.self).filter((f) => f.self > 0).slice(0, 15)) {
    lines.push(`    ${pct(f.self, busy)}  ${f.name}  ${f.location}`);
  }
  lines.push('', '  our functions by "owned" time (self + library/Node/native work they called directly):');
  for (const f of [...ours].sort((a, b) => b.owned - a.owned).filter((f) => f.owned > 0).slice(0, 15)) {
    lines.push(`    ${pct(f.owned, busy)}  ${f.name}  ${f.location}`);
  }
  lines.push('', '  our functions by inclusive time:');
  for (const f of [...ours].sort((a, b) => b.total - a.total).filter((f) => f.total > 0).slice(0, 15)) {
    lines.push(`    ${pct(f.total, busy)}  ${f.name}  ${f.location}`);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) || 25 : 25;
  const file = args.find((a, i) => !a.startsWith('--') && (topIndex < 0 || i !== topIndex + 1));
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top N]\n');
    process.exit(2);
  }
  process.stdout.write(formatSummary(summarizeProfile(file), top));
}
