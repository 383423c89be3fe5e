import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { samsaLevel } from './kafkajs-log.js';

const { logLevel } = kafkajs;
const entry = (namespace: string, level: number, log: Record<string, unknown>) => ({
  namespace,
  level,
  log: { timestamp: '', logger: 'kafkajs', message: 'm', ...log },
});

describe('samsaLevel', () => {
  it.each([
    // A coordinator loading on a fresh broker, a lost topic-creation race, a rebalance: request errors KafkaJS retries.
    ['Connection', { error: "The coordinator is loading and hence can't process requests" }],
    ['Connection', { error: 'The group is rebalancing, so a rejoin is needed' }],
    // A broker restarting: lost connections and reconnect attempts.
    ['Connection', { error: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' }],
    ['BrokerPool', { retryCount: 2, retryTime: 1200 }],
    ['Runner', { groupId: 'g' }],
    // A consumer crash KafkaJS restarts from (samsa logs the outcome itself).
    ['Consumer', { groupId: 'g', retryCount: 5, stack: '' }],
    ['Producer', { retryCount: 0, retryTime: 300 }],
  ])('an ERROR about an attempt KafkaJS retries (%s) is WARN', (namespace, log) => {
    expect(samsaLevel(entry(namespace, logLevel.ERROR, log))).toBe(logLevel.WARN);
  });

  it.each([
    ['Consumer', { eventName: 'consumer.crash', stack: '' }],
    ['ConsumerGroup', { topic: 't', partition: 0 }],
  ])('an ERROR about an outcome (%s) stays ERROR', (namespace, log) => {
    expect(samsaLevel(entry(namespace, logLevel.ERROR, log))).toBe(logLevel.ERROR);
  });

  it('a CreateTopics answer with topic errors (a lost creation race) is DEBUG: the admin call reports the outcome', () => {
    expect(
      samsaLevel(entry('Connection', logLevel.ERROR, { error: 'Topic creation errors', correlationId: 3 })),
    ).toBe(logLevel.DEBUG);
  });

  it('leaves WARN, INFO and DEBUG as they are', () => {
    for (const level of [logLevel.WARN, logLevel.INFO, logLevel.DEBUG])
      expect(samsaLevel(entry('Connection', level, {}))).toBe(level);
  });
});
