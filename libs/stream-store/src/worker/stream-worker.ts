import { Logger, type INestApplication, type LogLevel, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StreamStoreServer } from '../transport/stream-store.server.js';

export interface StreamWorkerOptions {
  /** Nest log levels. Default: log, warn, error. */
  logger?: LogLevel[] | false;
  /** Close gracefully on these signals and exit 0; a second signal forces exit 1. Default SIGINT, SIGTERM. */
  signals?: NodeJS.Signals[] | false;
}

/**
 * Boots a module as a stream worker: samsa's transport started, no HTTP port opened. With
 * `signals`, the first signal stops fetching, lets in-flight handlers finish, commits, leaves the
 * groups and exits 0.
 */
export async function startStreamWorker(
  module: Type<unknown>,
  options: StreamWorkerOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: options.logger ?? ['log', 'warn', 'error'] });
  app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  if (signals) exitOnSignals(app, signals);
  return app;
}

function exitOnSignals(app: INestApplication, signals: NodeJS.Signals[]): void {
  const logger = new Logger('StreamWorker');
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: draining in-flight work, then exiting`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`Shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
