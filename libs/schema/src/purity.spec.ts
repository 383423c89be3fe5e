import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('.', import.meta.url));

const FORBIDDEN: ReadonlyArray<readonly [RegExp, string]> = [
  [/^kafkajs(\/|$)/, 'a Kafka client'],
  [/^@nestjs\//, 'Nest'],
  [/^@samsa\/stream-store(\/|$)|(^|\/)stream-store(\/|$)/, 'libs/stream-store'],
];

/** Module specifiers of static imports, re-exports, side-effect imports, dynamic imports and requires. */
function importedModules(source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]));
}

/** Statements that load avsc at run time: every import or re-export of it but `import type`, `import()`, `require()`. */
function avscValueImports(source: string): string[] {
  const patterns = [
    /^\s*((?:import|export)\b(?!\s+type\b)[^'";]*?\bfrom\s*['"]avsc['"])/gm,
    /^\s*(import\s*['"]avsc['"])/gm,
    /\b(import\s*\(\s*['"]avsc['"]\s*\))/g,
    /\b(require\s*\(\s*['"]avsc['"]\s*\))/g,
  ];
  return patterns.flatMap((pattern) =>
    [...source.matchAll(pattern)].map((match) => match[1].replace(/\s+/g, ' ')),
  );
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('libs/schema purity', () => {
  const files = sourceFiles(root).filter((file) => file !== fileURLToPath(import.meta.url));

  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(20);
    const all = files.flatMap((file) => importedModules(readFileSync(file, 'utf8')));
    expect(all).toContain('class-validator');
    expect(all).toContain('class-validator-jsonschema');
    expect(all).toContain('avsc');
  });

  it('recognises every import form', () => {
    const source = [
      "import { Kafka } from 'kafkajs';",
      "import type { Type } from '@nestjs/common';",
      "export { X } from '@samsa/stream-store';",
      "import '../stream-store/side-effect.js';",
      "const m = await import('kafkajs/types');",
      "const r = require('@nestjs/core');",
      'import {',
      '  A,',
      "} from 'multi-line';",
    ].join('\n');
    expect(importedModules(source).sort()).toEqual(
      [
        'kafkajs',
        '@nestjs/common',
        '@samsa/stream-store',
        '../stream-store/side-effect.js',
        'kafkajs/types',
        '@nestjs/core',
        'multi-line',
      ].sort(),
    );
  });

  it('imports neither kafkajs, nor stream-store, nor @nestjs', () => {
    const violations = files.flatMap((file) =>
      importedModules(readFileSync(file, 'utf8')).flatMap((specifier) =>
        FORBIDDEN.filter(([pattern]) => pattern.test(specifier)).map(
          ([, what]) => `${relative(root, file)} imports ${specifier} (${what})`,
        ),
      ),
    );
    expect(violations).toEqual([]);
  });

  it('loads avsc (an optional peer dependency) only through avro/avsc.ts, on first use', () => {
    const loader = join(root, 'avro', 'avsc.ts');
    const valueImports = files
      .filter((file) => file !== loader && !file.endsWith('.spec.ts'))
      .flatMap((file) =>
        avscValueImports(readFileSync(file, 'utf8')).map(
          (statement) => `${relative(root, file)}: ${statement}`,
        ),
      );
    expect(valueImports).toEqual([]);
    expect(readFileSync(loader, 'utf8')).toContain("require('avsc')");
  });

  it('tells a value import of avsc from a type-only one', () => {
    const source = [
      "import type avro from 'avsc';",
      "import type { Schema } from 'avsc';",
      "import avro from 'avsc';",
      "import { Type, type Schema } from 'avsc';",
      "import { type Schema } from 'avsc';",
      "import * as avro from 'avsc';",
      "export { Type } from 'avsc';",
      "import 'avsc';",
      "const lazy = await import('avsc');",
      "const required = require('avsc');",
      "import type { X } from 'avsc-other';",
    ].join('\n');
    expect(avscValueImports(source)).toEqual([
      "import avro from 'avsc'",
      "import { Type, type Schema } from 'avsc'",
      "import { type Schema } from 'avsc'",
      "import * as avro from 'avsc'",
      "export { Type } from 'avsc'",
      "import 'avsc'",
      "import('avsc')",
      "require('avsc')",
    ]);
  });

  it('ends every relative import with .js (NodeNext ESM)', () => {
    const missing = files.flatMap((file) =>
      importedModules(readFileSync(file, 'utf8'))
        .filter((specifier) => specifier.startsWith('.') && !specifier.endsWith('.js'))
        .map((specifier) => `${relative(root, file)}: ${specifier}`),
    );
    expect(missing).toEqual([]);
  });
});
