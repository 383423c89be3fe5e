// Another Node.js version for CI's extra lanes, from the npm registry (`node-<platform>-<arch>`
// packages carry the official binary and its C++ headers), cached under ~/.cache/samsa/node-<version>.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir } from '../kafka/broker.mjs';

/**
 * Makes sure Node `version` (exact, e.g. 22.23.5) is unpacked in the cache.
 * @param {string} version
 * @returns {{ home: string, node: string, bin: string }} the install dir (also `--nodedir` for
 * node-gyp: it has `include/node`), the binary and its directory
 */
export function ensureNode(version) {
  const home = path.join(cacheDir(), `node-${version}`);
  const bin = path.join(home, 'bin');
  const node = path.join(bin, 'node');
  if (fs.existsSync(path.join(home, '.complete'))) return { home, node, bin };

  const pkg = `node-${process.platform}-${process.arch}@${version}`;
  console.log(`[lanes] fetching ${pkg} from the npm registry into ${home} (only once)`);
  // Unpack into a private dir and rename, so concurrent runs never see half an install.
  const tmp = `${home}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const tarball = execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', tmp], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1);
  if (!tarball) throw new Error(`npm pack ${pkg} printed no file name`);
  execFileSync('tar', ['xzf', path.join(tmp, tarball), '-C', tmp, '--strip-components=1']);
  fs.rmSync(path.join(tmp, tarball));
  const reported = execFileSync(path.join(tmp, 'bin', 'node'), ['-v'], { encoding: 'utf8' }).trim();
  if (reported !== `v${version}`) throw new Error(`${pkg} runs as ${reported}, expected v${version}`);
  fs.rmSync(home, { recursive: true, force: true });
  fs.renameSync(tmp, home);
  fs.writeFileSync(path.join(home, '.complete'), version);
  return { home, node, bin };
}
