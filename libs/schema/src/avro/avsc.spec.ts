import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../errors/schema.error.js';
import { avsc, requireAvsc } from './avsc.js';
import { MissingAvscError } from './missing-avsc.error.js';

const MESSAGE =
  'The Avro codec needs the package avsc, an optional peer dependency of @samsa/schema: npm install avsc';

/** Node's error for a package that is not installed. */
function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/index.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

describe('the avsc loader', () => {
  it('loads avsc when it is installed, once', () => {
    const loaded = avsc();
    expect(typeof loaded.Type.forSchema).toBe('function');
    expect(avsc()).toBe(loaded);
    expect(requireAvsc(createRequire(import.meta.url))).toBe(loaded);
  });

  it('says what to install when avsc is missing', () => {
    const cause = notFound('avsc');
    let thrown: unknown;
    try {
      requireAvsc(() => {
        throw cause;
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingAvscError);
    expect(thrown).toBeInstanceOf(SchemaError);
    expect(thrown).toMatchObject({
      name: 'MissingAvscError',
      message: MESSAGE,
      packageName: 'avsc',
      retriable: false,
      cause,
    });
  });

  it("recognises Node's own error for a missing avsc", () => {
    const directory = mkdtempSync(join(tmpdir(), 'samsa-no-avsc-'));
    try {
      expect(() => requireAvsc(createRequire(join(directory, 'index.js')))).toThrow(MissingAvscError);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('lets any other failure through: a broken install is not a missing package', () => {
    const broken = notFound('./lib/utils');
    expect(() =>
      requireAvsc(() => {
        throw broken;
      }),
    ).toThrow(broken);
    const failing = new SyntaxError('Unexpected token');
    expect(() =>
      requireAvsc(() => {
        throw failing;
      }),
    ).toThrow(failing);
  });
});
