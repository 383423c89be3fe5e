import type { LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestMicroservice } from '@nestjs/microservices';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { AsyncApiSource } from './asyncapi-options.interface.js';
import { sourceOfApp } from './generate-asyncapi.js';
import { StreamHandlerCollector } from './stream-handler-collector.js';

export interface DescribeStreamModuleOptions {
  /** Nest log levels while the module is instantiated. Default: error, warn. */
  logger?: LogLevel[] | false;
}

/**
 * The schemas, handlers and options of a Nest module, without Kafka: the module is instantiated with a transport
 * that only collects handlers, and closed again. No lifecycle hook runs before the close, so nothing connects and no
 * store database is opened. Pass the result to `generateAsyncApi()`.
 */
export async function describeStreamModule(
  module: Type<unknown>,
  options: DescribeStreamModuleOptions = {},
): Promise<Required<AsyncApiSource>> {
  const collector = new StreamHandlerCollector();
  const app = await NestFactory.createMicroservice(module, {
    strategy: collector,
    logger: options.logger ?? ['error', 'warn'],
    abortOnError: false,
  });
  try {
    if (!(app instanceof NestMicroservice)) {
      throw new ConfigurationError('describeStreamModule: Nest did not create a NestMicroservice.');
    }
    // What app.listen() would do first, minus the init hooks: bind the handlers to the transport.
    app.registerListeners();
    if (!hasProvider(app, STREAM_STORE_OPTIONS)) {
      throw new ConfigurationError(
        `${module.name} does not import StreamStoreModule.forRoot(): import it (or the module that does).`,
      );
    }
    return sourceOfApp(app, collector);
  } finally {
    await app.close();
  }
}

function hasProvider(app: NestMicroservice, token: symbol): boolean {
  try {
    app.get(token);
    return true;
  } catch {
    return false; // Nest's "unknown element": the module does not provide it.
  }
}
