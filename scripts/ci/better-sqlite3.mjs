// better-sqlite3 is a native addon built against one Node ABI: each lane needs its own build. The
// prebuilt binaries live on GitHub, out of reach here, so node-gyp (bundled with npm) compiles it
// once per Node version and better-sqlite3 version, against the headers of the lane's Node package.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const BINARY = path.join('build', 'Release', 'better_sqlite3.node');

/** @returns {string} npm's own node-gyp (npm ships it to build install scripts) */
function nodeGyp() {
  const npm = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  const gyp = path.join(path.dirname(npm), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!fs.existsSync(gyp)) throw new Error(`npm's node-gyp is not at ${gyp}; install node-gyp globally`);
  return gyp;
}

/**
 * Puts a better_sqlite3.node built for `node` into `moduleDir` (a private copy of the package:
 * this writes into it), from the cache or compiled now.
 * @param {string} moduleDir the lane's node_modules/better-sqlite3
 * @param {{ home: string, node: string, bin: string }} node from ensureNode()
 */
export function prepareBetterSqlite3(moduleDir, node) {
  const { version } = JSON.parse(fs.readFileSync(path.join(moduleDir, 'package.json'), 'utf8'));
  const cached = path.join(node.home, `better-sqlite3-${version}.node`);
  if (!fs.existsSync(cached)) {
    const started = Date.now();
    console.log(`[lanes] compiling better-sqlite3 ${version} for ${path.basename(node.home)} (only once)`);
    fs.rmSync(path.join(moduleDir, 'build'), { recursive: true, force: true });
    execFileSync(
      node.node,
      [nodeGyp(), 'rebuild', '--release', `--nodedir=${node.home}`, '-j', '2', '--loglevel=error'],
      {
        cwd: moduleDir,
        env: { ...process.env, PATH: `${node.bin}${path.delimiter}${process.env.PATH}` },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const tmp = `${cached}.tmp-${process.pid}`;
    fs.copyFileSync(path.join(moduleDir, BINARY), tmp);
    fs.renameSync(tmp, cached);
    console.log(`[lanes] compiled in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  fs.mkdirSync(path.join(moduleDir, 'build', 'Release'), { recursive: true });
  fs.rmSync(path.join(moduleDir, BINARY), { force: true });
  fs.copyFileSync(cached, path.join(moduleDir, BINARY));
  // Fail here, not in the middle of the tests, if the binary does not load.
  execFileSync(node.node, ['-e', "new (require('./'))(':memory:').prepare('select 1').get()"], {
    cwd: moduleDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
