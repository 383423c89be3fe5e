import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPromClient, requirePromClient } from './prom-client.js';

function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/index.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

const src = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('the prom-client loader', () => {
  it('is the only module that loads prom-client (an optional peer dependency): the others import types only', () => {
    const loader = fileURLToPath(new URL('./prom-client.ts', import.meta.url));
    const valueImports = sourceFiles(src)
      .filter((file) => file !== loader)
      .flatMap((file) =>
        [
          ...readFileSync(file, 'utf8').matchAll(
            /^\s*(?:import|export)\b(?!\s+type\b)[^'";]*?\bfrom\s*['"]prom-client['"]|\b(?:import|require)\s*\(\s*['"]prom-client['"]/gm,
          ),
        ].map((match) => `${relative(src, file)}: ${match[0].trim()}`),
      );
    expect(valueImports).toEqual([]);
  });

  it('loads prom-client when it is installed, once', () => {
    const loaded = loadPromClient();
    expect(typeof loaded?.Registry).toBe('function');
    expect(loadPromClient()).toBe(loaded);
    expect(requirePromClient(createRequire(import.meta.url))).toBe(loaded);
  });

  it('gives null when prom-client is not installed', () => {
    expect(
      requirePromClient(() => {
        throw notFound('prom-client');
      }),
    ).toBeNull();
  });

  it("recognises Node's own error for a missing prom-client", () => {
    const directory = mkdtempSync(join(tmpdir(), 'samsa-no-prom-client-'));
    try {
      expect(requirePromClient(createRequire(join(directory, 'index.js')))).toBeNull();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('lets any other failure through: a broken install is not a missing package', () => {
    const broken = notFound('tdigest');
    expect(() =>
      requirePromClient(() => {
        throw broken;
      }),
    ).toThrow(broken);
  });
});
