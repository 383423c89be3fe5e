// One soak worker process: the soak app (soak-app.module.ts) with HTTP on a free port, which it
// prints as `soak worker listening on <port>`. SIGTERM drains and exits 0. Environment:
// KAFKA_BROKERS, TOPIC_PREFIX, GROUP, WORKER_NAME, and STORE_FILE (SQLite) or STORE_URL +
// STORE_SCHEMA (Postgres).
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { StreamStoreServer, type StoreConnectionOptions } from '@samsa/stream-store';
import { soakModule } from './soak-app.module.js';

const { KAFKA_BROKERS = '', TOPIC_PREFIX = '', GROUP = 'soak', WORKER_NAME = 'soak-worker' } = process.env;
const { STORE_FILE, STORE_URL, STORE_SCHEMA } = process.env;

const store: StoreConnectionOptions = STORE_URL
  ? { type: 'postgres', url: STORE_URL, schema: STORE_SCHEMA }
  : { type: 'sqlite', database: STORE_FILE };

const app = await NestFactory.create(
  soakModule({
    brokers: KAFKA_BROKERS,
    topicPrefix: TOPIC_PREFIX,
    group: GROUP,
    store,
    clientId: WORKER_NAME,
  }),
  { logger: ['error', 'warn'] },
);
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) process.exit(1);
  stopping = true;
  app.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`soak worker ${WORKER_NAME}: shutdown failed: ${String(error)}`);
      process.exit(1);
    },
  );
});
app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
await app.startAllMicroservices();
await app.listen(0, '127.0.0.1');
const { port } = new URL(await app.getUrl());
console.log(`soak worker listening on ${port}`);
