import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-usage.error.js';
import { applyKafkaFlags, parseBrokers } from './kafka-flags.js';

describe('parseBrokers', () => {
  it('splits and trims host:port pairs', () => {
    expect(parseBrokers(' a:9092, b.example:19092 ,')).toEqual(['a:9092', 'b.example:19092']);
  });

  it.each(['', ',', 'localhost', 'a:9092,b', 'a: 9092'])('rejects %j with a usage error', (servers) => {
    expect(() => parseBrokers(servers)).toThrow(CliUsageError);
  });
});

describe('applyKafkaFlags', () => {
  it('hands the checked flags to forRoot through the SAMSA_* environment', () => {
    const env: NodeJS.ProcessEnv = {};
    applyKafkaFlags({ kafkaServers: 'a:1,b:2', kafkaSettings: '{"ssl":true}', topicPrefix: '' }, env);
    expect(env).toEqual({
      SAMSA_KAFKA_SERVERS: 'a:1,b:2',
      SAMSA_KAFKA_SETTINGS: '{"ssl":true}',
      SAMSA_TOPIC_PREFIX: '',
    });
  });

  it('leaves the environment alone without flags, and rejects bad ones', () => {
    const env: NodeJS.ProcessEnv = { SAMSA_TOPIC_PREFIX: 'dev.' };
    applyKafkaFlags({}, env);
    expect(env).toEqual({ SAMSA_TOPIC_PREFIX: 'dev.' });
    expect(() => applyKafkaFlags({ kafkaSettings: '"ssl"' }, env)).toThrow(/must be a JSON object/);
    expect(() => applyKafkaFlags({ topicPrefix: 'dev/' }, env)).toThrow(/--topic-prefix may only hold/);
  });
});
