import { createRequire } from 'node:module';
import type avro from 'avsc';
import { MissingAvscError } from './missing-avsc.error.js';

/** The avsc module. */
export type Avsc = typeof avro;

/** A `require` function: Node's, or a stand-in in tests. */
export type RequireFunction = (id: string) => unknown;

let loaded: Avsc | undefined;

/**
 * avsc, loaded on first use: the only module of `@samsa/schema` that loads it, so that importing the package never
 * needs it (avsc is an optional peer dependency). Throws `MissingAvscError` when it is not installed.
 */
export function avsc(): Avsc {
  return (loaded ??= requireAvsc(createRequire(import.meta.url)));
}

/**
 * avsc through `require`: `MissingAvscError` when the package is not found, any other failure (e.g. a broken
 * install: one of avsc's own files missing) as it is.
 */
export function requireAvsc(require: RequireFunction): Avsc {
  try {
    return require('avsc') as Avsc;
  } catch (error) {
    if (isModuleNotFound(error, 'avsc')) throw new MissingAvscError(error);
    throw error;
  }
}

/** Node's "Cannot find module '<name>'" for `name` itself (not for a module that `name` requires). */
function isModuleNotFound(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.split('\n')[0].includes(`'${name}'`)
  );
}
