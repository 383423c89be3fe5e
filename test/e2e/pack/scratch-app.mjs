// Runs inside a scratch Nest app outside the repo, with the packed libs installed from tarballs.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { Schema, SchemaRegistry, encodeEnvelope } from '@samsa/schema';
import { StreamHandler, StreamStoreModule, StreamStoreServer } from '@samsa/stream-store';
import { IsString } from 'class-validator';
import { Kafka, logLevel } from 'kafkajs';

const brokers = process.env.KAFKA_BROKERS;
const topic = `pack-check-${process.pid}-${Date.now()}`;

// Plain JavaScript: decorators applied by hand, as a compiled TypeScript app would.
class Ping {
  text;
}
IsString()(Ping.prototype, 'text');
Schema('Ping', { version: 1 })(Ping);
new SchemaRegistry().register(Ping);

let received;
const done = new Promise((resolve) => (received = resolve));
class PingController {
  onPing(data) {
    received(data);
  }
}
const descriptor = Object.getOwnPropertyDescriptor(PingController.prototype, 'onPing');
Payload()(PingController.prototype, 'onPing', 0);
// As TypeScript's __decorate does: the decorator may return a new descriptor.
Object.defineProperty(
  PingController.prototype,
  'onPing',
  StreamHandler(topic)(PingController.prototype, 'onPing', descriptor) ?? descriptor,
);
Controller()(PingController);

class AppModule {}
Module({
  imports: [StreamStoreModule.forRoot({ brokers, clientId: 'pack-check', subscriptionRefreshMs: 500 })],
  controllers: [PingController],
})(AppModule);

const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
await admin.disconnect();
const producer = kafka.producer();
await producer.connect();
await producer.send({ topic, messages: [{ value: encodeEnvelope('Ping:1', { text: 'hello' }) }] });
await producer.disconnect();

const app = await NestFactory.create(AppModule, { logger: ['error'] });
app.connectMicroservice({ strategy: app.get(StreamStoreServer) });
await app.startAllMicroservices();
await app.init();
const data = await Promise.race([
  done,
  new Promise((_, reject) => setTimeout(() => reject(new Error('no message')), 30000)),
]);
await app.close();
console.log(`PACK-CHECK OK ${JSON.stringify(data)}`);
process.exit(0);
