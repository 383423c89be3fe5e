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
 * groups and exits 0 — also when it arrives while the worker is still starting.
 */
export async function startStreamWorker(
  module: Type<unknown>,
  options: StreamWorkerOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: options.logger ?? ['log', 'warn', 'error'] });
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const shutdown = signals ? exitOnSignals(app, signals) : undefined;
  app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  shutdown?.started();
  return app;
}

/** Installs the signal handlers at once; closing waits until the app has started. */
function exitOnSignals(app: INestApplication, signals: NodeJS.Signals[]): { started(): void } {
  const logger = new Logger('StreamWorker');
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: draining in-flight work, then exiting`);
    started
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`Shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return { started: markStarted };
}
