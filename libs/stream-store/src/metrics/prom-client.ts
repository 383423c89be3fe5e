import { createRequire } from 'node:module';
import type * as promClient from 'prom-client';

/** The prom-client module. */
export type PromClient = typeof promClient;

/** A `require` function: Node's, or a stand-in in tests. */
export type RequireFunction = (id: string) => unknown;

let loaded: PromClient | null | undefined;

/**
 * prom-client, loaded on first use: the only module of `@samsa/stream-store` that loads it (it is an optional peer
 * dependency). `null` when it is not installed.
 */
export function loadPromClient(): PromClient | null {
  if (loaded === undefined) loaded = requirePromClient(createRequire(import.meta.url));
  return loaded;
}

/**
 * prom-client through `require`: `null` when the package is not found, any other failure (e.g. a broken install:
 * one of prom-client's own dependencies missing) thrown as it is.
 */
export function requirePromClient(require: RequireFunction): PromClient | null {
  try {
    return require('prom-client') as PromClient;
  } catch (error) {
    if (isModuleNotFound(error, 'prom-client')) return null;
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
