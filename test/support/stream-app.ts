// Boots a Nest app with samsa's transport for e2e tests, on the test broker.
import { type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StreamStoreServer } from '@samsa/stream-store';

/** Creates the app, connects samsa's strategy and starts it; close it with `app.close()`. */
export async function startStreamApp(module: Type<unknown>): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: ['error', 'warn'], abortOnError: false });
  app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  return app;
}
