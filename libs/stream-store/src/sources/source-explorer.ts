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
    const found = new Map<string, DiscoveredSource>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const prototype = (wrapper.metatype as { prototype?: object } | null | undefined)?.prototype;
      if (!prototype || typeof wrapper.metatype !== 'function') continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        const options = Reflect.getMetadata(STREAM_SOURCE_METADATA, method as object) as
          StreamSourceOptions | undefined;
        if (!options) continue;
        const id = `${wrapper.metatype.name}.${name}`;
        const instance = wrapper.instance as
          Record<string, (context: SourceRunContext) => unknown> | undefined;
        if (!wrapper.isDependencyTreeStatic() || !instance) {
          throw new ConfigurationError(
            `@StreamSource ${id} is on a request- or transient-scoped class: put it on a singleton provider.`,
          );
        }
        if (found.has(id)) {
          throw new ConfigurationError(
            `@StreamSource ${id} is provided by two modules: provide its class in one module and import that.`,
          );
        }
        found.set(id, { id, options, call: (context) => instance[name](context) });
      }
    }
    return [...found.values()];
  }
}
