import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StreamStoreModule } from '../stream-store.module.js';

/**
 * samsa's core module alone: Kafka clients, cluster view and schema topics; nothing consumes or publishes. The topic
 * prefix and Kafka settings arrive through the SAMSA_* environment, where applyKafkaFlags() put the flags.
 */
export function openCliContext(brokers: string[], clientId: string): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    StreamStoreModule.forRoot({ brokers, clientId, registerSchemas: false }),
    // Silent: stdout carries the report, and failures come back as errors.
    { logger: false, abortOnError: false },
  );
}
