import { describe, expect, it } from 'vitest';
import { traceHeaders } from './producer-tracing.js';
import { loadOtelApi } from './otel-api.js';

describe('the optional OpenTelemetry API', () => {
  it('is absent, not an error, when the package is not installed', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(loadOtelApi(missing)).toBeUndefined();
  });

  it('lets other load failures through', () => {
    const broken = () => {
      throw new SyntaxError('Unexpected token');
    };
    expect(() => loadOtelApi(broken)).toThrow(SyntaxError);
  });

  it('adds no headers without an SDK, and never replaces a traceparent the caller set', () => {
    expect(traceHeaders('orders', undefined)).toBeUndefined();
    expect(traceHeaders('orders', { traceparent: '00-abc-def-01' })).toBeUndefined();
  });
});
