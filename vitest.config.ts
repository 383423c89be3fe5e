import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./libs/${path}`, import.meta.url));

// Nest needs decorator metadata, which esbuild does not emit: SWC compiles the TypeScript.
const plugins = [
  swc.vite({
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  }),
];

// Inside the repo the libs are imported by package name and resolved to their sources.
const resolve = {
  alias: [
    { find: /^@samsa\/schema$/, replacement: src('schema/src/index.ts') },
    { find: /^@samsa\/stream-store$/, replacement: src('stream-store/src/index.ts') },
    { find: /^@samsa\/stream-store\/testing$/, replacement: src('stream-store/src/testing/index.ts') },
    { find: /^@samsa\/stream-store\/terminus$/, replacement: src('stream-store/src/terminus/index.ts') },
  ],
};

export default defineConfig({
  plugins,
  resolve,
  test: {
    // Two cores: two test files at a time, each in its own process.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        plugins,
        resolve,
        test: {
          name: 'unit',
          include: ['libs/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts', 'test/soak/**/*.spec.ts'],
          testTimeout: 10_000,
        },
      },
      {
        plugins,
        resolve,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e-spec.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
  },
});
