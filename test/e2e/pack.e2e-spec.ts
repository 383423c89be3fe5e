import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaBrokers } from '../support/kafka.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'samsa-pack-'));
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(',') },
  });

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed libraries', () => {
  it(
    'install from their tarballs into a fresh Nest app outside the repo and work',
    { timeout: 300_000 },
    () => {
      run(
        'npx',
        ['tsc', '-b', 'libs/schema/tsconfig.build.json', 'libs/stream-store/tsconfig.build.json'],
        root,
      );
      const tarballs = ['schema', 'stream-store'].map((lib) => {
        const packed = run(
          'npm',
          ['pack', '--silent', '--pack-destination', scratch],
          join(root, 'libs', lib),
        );
        return join(scratch, packed.trim().split('\n').at(-1) ?? '');
      });
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
            ...pick('kafkajs', 'typeorm', 'class-validator', 'class-transformer', 'reflect-metadata', 'rxjs'),
          },
        }),
      );
      copyFileSync(join(root, 'test/e2e/pack/scratch-app.mjs'), join(scratch, 'app.mjs'));
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], scratch);
      const output = run('node', ['app.mjs'], scratch);
      expect(output).toContain('PACK-CHECK OK {"text":"hello"}');
    },
  );
});
