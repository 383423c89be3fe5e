import type { Type } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliUsageError } from './cli-usage.error.js';

/**
 * Loads `<file>[#ExportName]` and returns the Nest module class: the named export, else the
 * default export, else the only exported class that carries `@Module()` metadata.
 */
export async function loadModule(specifier: string): Promise<Type<unknown>> {
  const [file, exportName] = specifier.split('#');
  const path = resolve(file);
  if (!existsSync(path)) throw new CliUsageError(`Module file not found: ${path}`);
  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new CliUsageError(`Cannot load ${path}: ${(error as Error).message}`);
  }
  if (exportName) {
    if (!isNestModule(exports[exportName]))
      throw new CliUsageError(`${path} has no exported Nest module named ${exportName}`);
    return exports[exportName];
  }
  if (isNestModule(exports.default)) return exports.default;
  const modules = Object.values(exports).filter(isNestModule);
  if (modules.length === 1) return modules[0];
  throw new CliUsageError(
    modules.length === 0
      ? `${path} exports no Nest module (a class decorated with @Module())`
      : `${path} exports several modules (${modules.map((m) => m.name).join(', ')}); pick one with ${file}#Name`,
  );
}

function isNestModule(value: unknown): value is Type<unknown> {
  return (
    typeof value === 'function' &&
    ['imports', 'controllers', 'providers'].some((key) => Reflect.hasOwnMetadata(key, value))
  );
}
