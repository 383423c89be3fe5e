import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../kafka/kafka-client.interface.js';
import { DeadLetterCensus } from './dead-letter-census.js';

let offset = 0;
function letter(errorClass: string, handler: string, time?: string): KafkaRecord {
  const headers = Object.assign(Object.create(null), {
    'samsa.dlq.topic': 'orders',
    'samsa.dlq.error-class': errorClass,
    'samsa.dlq.handler': handler,
    ...(time && { 'samsa.dlq.time': time }),
  });
  return {
    topic: 'dlq',
    partition: 0,
    offset: String(offset++),
    key: null,
    value: null,
    headers,
    timestamp: '0',
  };
}

describe('DeadLetterCensus', () => {
  it('counts letters by error class, handler and topic, most first, with the first and last time', () => {
    const census = new DeadLetterCensus();
    census.add([
      letter('TypeError', 'A.on', '2026-01-02T00:00:00.000Z'),
      letter('MessageValidationError', 'A.on', '2026-01-01T00:00:00.000Z'),
      letter('TypeError', 'A.on', '2026-01-01T00:00:00.000Z'),
      letter('TypeError', 'B.on'),
    ]);
    expect(census.groups()).toEqual([
      {
        errorClass: 'TypeError',
        handler: 'A.on',
        topic: 'orders',
        count: 2,
        first: '2026-01-01T00:00:00.000Z',
        last: '2026-01-02T00:00:00.000Z',
      },
      {
        errorClass: 'MessageValidationError',
        handler: 'A.on',
        topic: 'orders',
        count: 1,
        first: '2026-01-01T00:00:00.000Z',
        last: '2026-01-01T00:00:00.000Z',
      },
      { errorClass: 'TypeError', handler: 'B.on', topic: 'orders', count: 1 },
    ]);
  });
});
