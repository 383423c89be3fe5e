import type { IHeaders, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { toKafkaRecord } from './to-kafka-record.js';

const batch = { topic: 't', partition: 0 };
const bytes = (text: string) => Buffer.from(text);

/** Headers as KafkaJS's record decoder builds them: `{ ...obj, [key]: obj[key] === undefined ? value : ... }`. */
function decodedLikeKafkajs(pairs: Array<[string, Buffer]>): IHeaders {
  return pairs.reduce<Record<string, unknown>>(
    (obj, [key, value]) => ({
      ...obj,
      [key]:
        obj[key] === undefined
          ? value
          : Array.isArray(obj[key])
            ? (obj[key] as unknown[]).concat([value])
            : [obj[key], value],
    }),
    {},
  ) as IHeaders;
}

/** The headers of the record samsa makes of a KafkaJS message with `headers`. */
const toRecordHeaders = (headers: IHeaders) =>
  toKafkaRecord(batch, {
    offset: '0',
    key: null,
    value: null,
    timestamp: '0',
    headers,
  } as unknown as KafkaMessage).headers;

describe('record headers from KafkaJS', () => {
  it('makes __proto__ an ordinary own header holding its value, and leaves Object.prototype alone', () => {
    const decoded = decodedLikeKafkajs([
      ['__proto__', bytes('evil')],
      ['trace', bytes('t-1')],
    ]);
    expect(decoded['__proto__']).toEqual([Object.prototype, bytes('evil')]); // what KafkaJS hands over

    const headers = toRecordHeaders(decoded);
    expect(Object.getPrototypeOf(headers)).toBeNull();
    expect(Object.keys(headers)).toEqual(['__proto__', 'trace']);
    expect(headers['__proto__']).toEqual(bytes('evil'));
    expect(headers.trace).toEqual(bytes('t-1'));
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('drops the inherited value of every Object.prototype name, keeping repeated values', () => {
    const decoded = decodedLikeKafkajs([
      ['constructor', bytes('c')],
      ['toString', bytes('s1')],
      ['toString', bytes('s2')],
      ['__proto__', bytes('p1')],
      ['__proto__', bytes('p2')],
      ['plain', bytes('a')],
      ['plain', bytes('b')],
    ]);
    const headers = toRecordHeaders(decoded);
    expect(headers.constructor).toEqual(bytes('c'));
    expect(headers.toString).toEqual([bytes('s1'), bytes('s2')]);
    expect(headers['__proto__']).toEqual([bytes('p1'), bytes('p2')]);
    expect(headers.plain).toEqual([bytes('a'), bytes('b')]);
  });

  it('answers nothing for names a record does not have', () => {
    const headers = toRecordHeaders({});
    expect(headers.constructor).toBeUndefined();
    expect(headers['__proto__']).toBeUndefined();
    expect('toString' in headers).toBe(false);
  });
});
