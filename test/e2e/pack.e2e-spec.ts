import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers } from '../support/kafka.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/e2e/pack');
const scratch = mkdtempSync(join(tmpdir(), 'samsa-pack-'));
const libs = ['schema', 'stream-store'] as const;
// Asynchronous, so the test worker keeps answering Vitest while npm and tsc run.
const run = async (command: string, args: string[], cwd: string) =>
  (
    await promisify(execFile)(command, args, {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(',') },
    })
  ).stdout;

/** The tarball's files, unpacked under `<scratch>/unpacked/<lib>` (npm puts them in `package/`). */
const unpacked = (lib: string) => join(scratch, 'unpacked', lib, 'package');
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Packs the libs as `npm publish` would, then installs the tarballs into a fresh app outside the
// repo, without typeorm (an optional peer: no store here) and without the repo's node_modules.
beforeAll(async () => {
  await run('npx', ['tsc', '-b', ...libs.map((lib) => `libs/${lib}/tsconfig.build.json`)], root);
  const tarballs: string[] = [];
  for (const lib of libs) {
    const packed = await run(
      'npm',
      ['pack', '--silent', '--pack-destination', scratch],
      join(root, 'libs', lib),
    );
    const tarball = join(scratch, packed.trim().split('\n').at(-1) ?? '');
    mkdirSync(join(scratch, 'unpacked', lib), { recursive: true });
    await run('tar', ['xzf', tarball, '-C', join(scratch, 'unpacked', lib)], root);
    tarballs.push(tarball);
  }
  const versions = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies as Record<
    string,
    string
  >;
  const pick = (...names: string[]) => Object.fromEntries(names.map((name) => [name, versions[name]]));
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({
      name: 'scratch-nest-app',
      private: true,
      type: 'module',
      dependencies: {
        '@samsa/schema': `file:${tarballs[0]}`,
        '@samsa/stream-store': `file:${tarballs[1]}`,
        ...pick('@nestjs/common', '@nestjs/core', '@nestjs/microservices', '@nestjs/platform-express'),
        ...pick('kafkajs', 'class-validator', 'class-transformer', 'reflect-metadata', 'rxjs'),
      },
    }),
  );
  copyFileSync(join(fixtures, 'scratch-app.mjs'), join(scratch, 'app.mjs'));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], scratch);
}, 300_000);

describe('the packed libraries', () => {
  it.each(libs)('@samsa/%s ships its README, LICENSE and package metadata', (lib) => {
    const files = listFiles(unpacked(lib));
    expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'dist/index.js']));
    expect(readFileSync(join(unpacked(lib), 'LICENSE'), 'utf8')).toContain('MIT License');
    const manifest = JSON.parse(readFileSync(join(unpacked(lib), 'package.json'), 'utf8'));
    expect(manifest.keywords).toContain('nestjs');
    expect(manifest.engines.node).toBeTruthy();
    expect(files.filter((file) => file.includes('.spec.') || file.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it.each(libs)('@samsa/%s ships no source map that points at a file it does not ship', (lib) => {
    const files = listFiles(unpacked(lib));
    const maps = files.filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const broken = maps.flatMap((map) => {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(unpacked(lib), map), 'utf8')) as {
        sources: string[];
        sourcesContent?: Array<string | null>;
      };
      return sources
        .filter((_source, i) => typeof sourcesContent?.[i] !== 'string')
        .map((source) => posix.join(dirname(map), source))
        .filter((source) => !files.includes(source))
        .map((source) => `${map} -> ${source}`);
    });
    // Stale maps in an old dist/ would be published too: rebuild from clean (npm run clean).
    expect(broken).toEqual([]);
  });

  it(
    'install into a fresh Nest app outside the repo, without typeorm, and work',
    { timeout: 120_000 },
    async () => {
      await expect(run('node', ['-e', "await import('typeorm')"], scratch)).rejects.toThrow(/typeorm/);
      const output = await run('node', ['app.mjs'], scratch);
      expect(output).toContain('PACK-CHECK OK {"text":"hello"}');
    },
  );

  // node10 is the classic CommonJS Nest tsconfig: it ignores `exports`, so the subpaths need
  // `typesVersions`; nodenext reads `exports`.
  it.each(['node10', 'nodenext'])(
    'give every entry point its types under moduleResolution %s',
    async (resolution) => {
      copyFileSync(join(fixtures, 'consumer.ts'), join(scratch, 'consumer.ts'));
      copyFileSync(
        join(fixtures, `tsconfig.${resolution}.json`),
        join(scratch, `tsconfig.${resolution}.json`),
      );
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      let output = '';
      try {
        output = await run('node', [tsc, '-p', `tsconfig.${resolution}.json`, '--traceResolution'], scratch);
      } catch (error) {
        const { stdout } = error as { stdout: string };
        const errors = stdout.split('\n').filter((line) => line.includes('error TS'));
        throw new Error(errors.length ? errors.join('\n') : String(error));
      }
      for (const entry of ['@samsa/stream-store/testing', '@samsa/stream-store/terminus']) {
        expect(output).toMatch(
          new RegExp(
            `Module name '${entry}' was successfully resolved to '[^']*/node_modules/@samsa/stream-store/dist/`,
          ),
        );
      }
    },
    120_000,
  );
});
