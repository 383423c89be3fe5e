// Fails when package-lock.json lacks a package that `npm ci` on some machine would need: every
// optional dependency (the per-platform binaries of @swc/core, esbuild, rollup, ...) must be in the
// lock even when this machine's platform skips it, or `npm ci` elsewhere refuses the lockfile
// ("Missing: @swc/core-darwin-arm64 from lock file"). Fix: `npm install --package-lock-only`.
import { readFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync(process.argv[2] ?? 'package-lock.json', 'utf8'));
const packages = lock.packages ?? {};

/** Node's lookup: the nearest node_modules/<name> walking up from the package that wants it. */
function resolves(from, name) {
  let dir = from;
  for (;;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up < 0 ? '' : dir.slice(0, up);
  }
}

const missing = [];
for (const [location, entry] of Object.entries(packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (!resolves(location, name)) missing.push(`${name} (optional dependency of ${location || 'the root'})`);
  }
}
if (missing.length) {
  console.error(
    `package-lock.json lacks ${missing.length} optional package(s), so \`npm ci\` fails on other ` +
      `platforms:\n  ${missing.join('\n  ')}\nRegenerate it with \`npm install --package-lock-only\` and commit it.`,
  );
  process.exit(1);
}
console.log(
  `package-lock.json: all optional dependencies of ${Object.keys(packages).length} packages are locked`,
);
