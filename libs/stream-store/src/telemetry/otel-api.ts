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

/** The no-op provider the API's proxy delegates to until an SDK registers one. */
const NOOP_PROVIDER = otelApi && new otelApi.ProxyTracerProvider().getDelegate();

/**
 * The API when an SDK registered a tracer provider, else undefined: without one every span is a
 * no-op, and samsa skips the work of making them (about 2 µs per handled record).
 */
export function activeOtel(): OtelApiModule | undefined {
  const api = otelApi;
  if (!api) return undefined;
  const provider = api.trace.getTracerProvider();
  // A provider registered through another copy of the API is not this copy's proxy: count it in.
  if (provider instanceof api.ProxyTracerProvider && provider.getDelegate() === NOOP_PROVIDER)
    return undefined;
  return api;
}
