import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from './failure-kind.js';
import { StreamStoreError } from './stream-store.error.js';

const protocolError = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError({ type, code: 0, retriable, message: type } as never);

const retries = { retryCount: 5, retryTime: 1000 };

describe('classifyFailure', () => {
  it('calls unreachable brokers and databases infrastructure, however deeply wrapped', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(refused)).toBe('infrastructure');
    expect(classifyFailure(new Error('query failed', { cause: refused }))).toBe('infrastructure');
    expect(classifyFailure(Object.assign(new Error('QueryFailedError'), { driverError: refused }))).toBe(
      'infrastructure',
    );
    expect(classifyFailure(new KafkaJSConnectionError('Connection error'))).toBe('infrastructure');
    expect(
      classifyFailure(
        new KafkaJSNumberOfRetriesExceeded(protocolError('LEADER_NOT_AVAILABLE', true), retries),
      ),
    ).toBe('infrastructure');
    expect(classifyFailure(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      'infrastructure',
    );
    expect(classifyFailure(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe(
      'infrastructure',
    );
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('infrastructure');
  });

  it('calls a record Kafka will never accept refused', () => {
    expect(classifyFailure(protocolError('MESSAGE_TOO_LARGE', false))).toBe('refused');
    expect(
      classifyFailure(new KafkaJSNumberOfRetriesExceeded(protocolError('MESSAGE_TOO_LARGE', false), retries)),
    ).toBe('refused');
  });

  it('leaves everything else to the record: handler bugs, validation, constraint violations', () => {
    expect(classifyFailure(new TypeError('x is undefined'))).toBe('record');
    expect(classifyFailure(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('record');
    expect(classifyFailure(new StreamStoreError('bad value'))).toBe('record');
    expect(classifyFailure('a string')).toBe('record');
    const cyclic: Error & { cause?: unknown } = new Error('cyclic');
    cyclic.cause = cyclic;
    expect(classifyFailure(cyclic)).toBe('record');
  });

  it('lets an error say what it is', () => {
    expect(classifyFailure(Object.assign(new Error('x'), { failureKind: 'infrastructure' }))).toBe(
      'infrastructure',
    );
  });
});
