import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

export type OtelApiModule = typeof OtelApi;

/**
 * `@opentelemetry/api` when the application has it installed (an optional peer), else undefined:
 * samsa then traces nothing. Loaded synchronously through `require` (the API ships CommonJS); its
 * CommonJS and ESM builds share one global registration, so the SDK the application registers is the
 * one samsa sees, whichever build the application imports.
 */
export function loadOtelApi(
  load: (name: string) => unknown = createRequire(import.meta.url),
): OtelApiModule | undefined {
  try {
    return load('@opentelemetry/api') as OtelApiModule;
  } catch (error) {
    if (isModuleNotFound(error)) return undefined;
    throw error;
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

/** Loaded once per process: the API is a process-wide singleton anyway. */
export const otelApi: OtelApiModule | undefined = loadOtelApi();

/** Whether samsa traces at all (the API is installed; without an SDK its spans cost little and record nothing). */
export const tracing = otelApi !== undefined;
