// Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: self time by file and
// by function, and inclusive time of samsa's functions, with dist/ positions mapped back to src/.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const maps = new Map<string, SourceMap | undefined>();

/** `file:line` of a frame, in the TypeScript source when the file has a source map. */
function where({ url, lineNumber, columnNumber }: CallFrame): string {
  if (!url.startsWith('file://')) return url || '(native)';
  const file = fileURLToPath(url);
  if (!maps.has(file)) {
    const map = `${file}.map`;
    maps.set(file, existsSync(map) ? new SourceMap(JSON.parse(readFileSync(map, 'utf8'))) : undefined);
  }
  // Only samsa's own files: packages' maps point at sources they do not ship.
  const map = file.includes('/node_modules/') ? undefined : maps.get(file);
  const entry = map?.findEntry(lineNumber, columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    const source = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : new URL(entry.originalSource, url).pathname;
    return `${relative(ROOT, source)}:${entry.originalLine + 1}`;
  }
  return `${relative(ROOT, file)}:${lineNumber + 1}`;
}

/** A file's group: the package for node_modules, else the path. */
function fileOf(frame: CallFrame): string {
  const at = where(frame);
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(at);
  return modules ? modules[1] : at.replace(/:\d+$/, '');
}

export function summarizeProfile(path: string, top = 25): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  // The first delta runs from the profiler's start to its first sample: the start itself (the
  // inspector's `dispatch`), not the measured code.
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (i === 0 ? 0 : (profile.timeDeltas[i] ?? 0))),
  );
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;

  const add = (map: Map<string, number>, key: string, time: number) =>
    map.set(key, (map.get(key) ?? 0) + time);
  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    add(selfByFunction, `${frame.functionName || '(anonymous)'} ${where(frame)}`, time);
    add(selfByFile, fileOf(frame), time);
  }

  // Inclusive time of samsa's own functions, each counted once per stack (recursion-safe).
  const inclusive = new Map<string, number>();
  const subtree = new Map<number, number>();
  const sizeOf = (node: ProfileNode): number => {
    let sum = self.get(node.id) ?? 0;
    for (const child of node.children ?? []) sum += sizeOf(byId.get(child) as ProfileNode);
    subtree.set(node.id, sum);
    return sum;
  };
  sizeOf(profile.nodes[0]);
  const open = new Map<string, number>();
  const walk = (node: ProfileNode) => {
    const frame = node.callFrame;
    const key = /libs\/[^/]+\/(dist|src)\//.test(frame.url)
      ? `${frame.functionName || '(anonymous)'} ${where(frame)}`
      : '';
    if (key && !open.get(key)) add(inclusive, key, subtree.get(node.id) ?? 0);
    if (key) open.set(key, (open.get(key) ?? 0) + 1);
    for (const child of node.children ?? []) walk(byId.get(child) as ProfileNode);
    if (key) open.set(key, (open.get(key) ?? 1) - 1);
  };
  walk(profile.nodes[0]);

  const pct = (time: number) => `${((100 * time) / busy).toFixed(1).padStart(5)} %`;
  const list = (title: string, map: Map<string, number>, count: number) =>
    [
      title,
      ...[...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .map(([key, time]) => `  ${pct(time)}  ${key}`),
    ].join('\n');
  return [
    `${relative(ROOT, path)}: ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s (percentages of busy time)`,
    list('self time by package / file:', selfByFile, 15),
    list('self time by function:', selfByFunction, top),
    list("inclusive time of samsa's functions:", inclusive, top),
  ].join('\n\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) console.log(`${summarizeProfile(file)}\n`);
}
