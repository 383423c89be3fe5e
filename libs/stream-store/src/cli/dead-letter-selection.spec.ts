import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../kafka/kafka-client.interface.js';
import { CliUsageError } from './cli-usage.error.js';
import { matchesFilters, originalHeaders, parseFilter, viewDeadLetter } from './dead-letter-selection.js';

function letter(headers: Record<string, Buffer | string>): KafkaRecord {
  return {
    topic: 'orders.dlq',
    partition: 0,
    offset: '7',
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    headers: Object.assign(Object.create(null), headers),
    timestamp: '0',
  };
}

const failed = letter({
  trace: 'abc',
  'samsa.dlq.topic': Buffer.from('orders'),
  'samsa.dlq.partition': Buffer.from('2'),
  'samsa.dlq.error-class': Buffer.from('MessageValidationError'),
  'samsa.dlq.handler': Buffer.from('OrdersController.onOrder'),
});

describe('dead-letter selection', () => {
  it('reads where a letter failed and why from its samsa.dlq.* headers', () => {
    expect(viewDeadLetter(failed)).toMatchObject({
      originalTopic: 'orders',
      originalPartition: 2,
      errorClass: 'MessageValidationError',
      handler: 'OrdersController.onOrder',
    });
    expect(viewDeadLetter(letter({}))).toMatchObject({ originalTopic: undefined, errorClass: '(none)' });
  });

  it('keeps the record’s own headers and drops the samsa.dlq.* ones', () => {
    expect({ ...originalHeaders(failed.headers) }).toEqual({ trace: 'abc' });
  });

  it('matches every filter given', () => {
    const view = viewDeadLetter(failed);
    expect(matchesFilters(view, [])).toBe(true);
    expect(matchesFilters(view, [parseFilter('error-class=MessageValidationError')])).toBe(true);
    expect(
      matchesFilters(view, [
        parseFilter('error-class=MessageValidationError'),
        parseFilter('handler=Other.on'),
      ]),
    ).toBe(false);
  });

  it.each(['error-class', 'error-class=', '=x', 'colour=red'])(
    'rejects the filter %j with a usage error',
    (text) => {
      expect(() => parseFilter(text)).toThrow(CliUsageError);
      expect(() => parseFilter(text)).toThrow(
        /--filter takes <field>=<value> with field error-class, handler, topic/,
      );
    },
  );

  it('keeps an = inside the value', () => {
    expect(parseFilter('handler=a=b')).toEqual({ field: 'handler', value: 'a=b' });
  });
});
