import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ConfigurationError } from '../errors/configuration.error.js';
import { STREAM_SOURCE_METADATA } from './stream-source.decorator.js';
import type { SourceRunContext, StreamSourceOptions } from './stream-source-options.interface.js';

/** A `@StreamSource` method found on a provider or controller instance. */
export interface DiscoveredSource {
  /** `Class.method`. */
  id: string;
  options: StreamSourceOptions;
  call: (context: SourceRunContext) => unknown;
}

/** Finds the `@StreamSource` methods of the application's providers and controllers. */
@Injectable()
export class SourceExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  explore(): DiscoveredSource[] {
    const found = new Map<string, DiscoveredSource & { instance: unknown }>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      const scoped = !wrapper.isDependencyTreeStatic();
      // The instance's class (also for factory providers); a scoped class has no instance yet.
      const prototype: unknown = scoped
        ? (wrapper.metatype as { prototype?: unknown } | null | undefined)?.prototype
        : instance && typeof instance === 'object'
          ? Object.getPrototypeOf(instance)
          : undefined;
      if (!prototype || typeof prototype !== 'object') continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const options = Reflect.getMetadata(STREAM_SOURCE_METADATA, method) as
          StreamSourceOptions | undefined;
        if (!options) continue;
        const id = `${(prototype.constructor as { name?: string } | undefined)?.name ?? 'Anonymous'}.${name}`;
        if (scoped) {
          throw new ConfigurationError(
            `@StreamSource ${id} is on a request- or transient-scoped class: put it on a singleton provider.`,
          );
        }
        const earlier = found.get(id);
        // The same instance under another token (`useExisting`) is the same source.
        if (earlier?.instance === instance) continue;
        if (earlier) {
          throw new ConfigurationError(
            `@StreamSource ${id} is provided by two modules: provide its class in one module and import that.`,
          );
        }
        found.set(id, {
          id,
          options,
          instance,
          call: (context) => method.call(instance, context) as unknown,
        });
      }
    }
    return [...found.values()].map(({ id, options, call }) => ({ id, options, call }));
  }
}
