// `node scripts/ci/node-lane.mjs <node-version> <json-report> [vitest filters...]`: runs tests on
// another Node version without touching this checkout. The lane is a copy: sources copied,
// node_modules hard-linked (fast, no space, read only), except better-sqlite3, which is copied and
// given a binary for the lane's ABI. The checkout's own node_modules keep working for the main lane,
// even if a lane is killed halfway.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBetterSqlite3 } from './better-sqlite3.mjs';
import { ensureNode } from './node-binary.mjs';

/** The unit suite and an e2e file each for the transport, the state store and its changelog. */
export const LANE_TESTS = [
  'libs/',
  'apps/',
  'test/soak/',
  'test/e2e/transport.e2e-spec.ts',
  'test/e2e/state-store.e2e-spec.ts',
  'test/e2e/changelog.e2e-spec.ts',
];
// Never copied: installed, built or produced by runs.
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'test-results', 'coverage', '.kafka']);

const [version, report, ...filters] = process.argv.slice(2);
if (!version || !report) {
  console.error('usage: node scripts/ci/node-lane.mjs <node-version> <json-report> [vitest filters...]');
  process.exit(2);
}
const root = fileURLToPath(new URL('../..', import.meta.url));
const label = `[node ${version}]`;
const seconds = (/** @type {number} */ since) => Math.round((Date.now() - since) / 1000);

const started = Date.now();
const node = ensureNode(version);
const lane = fs.mkdtempSync(path.join(os.tmpdir(), `samsa-lane-${version}-`));
let code = 1;
try {
  fs.cpSync(root, lane, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !SKIPPED.has(path.basename(source)) && !source.endsWith('.tsbuildinfo'),
  });
  try {
    execFileSync('cp', ['-al', path.join(root, 'node_modules'), path.join(lane, 'node_modules')]);
  } catch {
    // Hard links cannot cross file systems: copy instead (slower, same result).
    fs.rmSync(path.join(lane, 'node_modules'), { recursive: true, force: true });
    execFileSync('cp', ['-a', path.join(root, 'node_modules'), path.join(lane, 'node_modules')]);
  }
  // Vite's cache is written in place: the lane gets its own.
  fs.rmSync(path.join(lane, 'node_modules', '.vite'), { recursive: true, force: true });
  const sqlite = path.join(lane, 'node_modules', 'better-sqlite3');
  fs.rmSync(sqlite, { recursive: true });
  fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), sqlite, { recursive: true });
  prepareBetterSqlite3(sqlite, node);
  const setup = seconds(started);

  const testsStarted = Date.now();
  const vitest = path.join(lane, 'node_modules', 'vitest', 'vitest.mjs');
  const args = ['run', ...(filters.length ? filters : LANE_TESTS), '--reporter=dot', '--reporter=json'];
  const child = spawn(node.node, [vitest, ...args, `--outputFile.json=${path.resolve(report)}`], {
    cwd: lane,
    // Everything the tests spawn (`node`, `npx`, process.execPath) runs on the lane's Node too.
    env: { ...process.env, PATH: `${node.bin}${path.delimiter}${process.env.PATH}` },
    stdio: 'inherit',
  });
  const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal);
  process.on('SIGTERM', forward).on('SIGINT', forward);
  code = await new Promise((resolve) =>
    child.on('exit', (exit, signal) => resolve(exit ?? (signal ? 1 : 0))),
  );
  console.log(`${label} setup ${setup} s, tests ${seconds(testsStarted)} s, lane ${seconds(started)} s`);
} finally {
  fs.rmSync(lane, { recursive: true, force: true });
}
process.exit(code);
