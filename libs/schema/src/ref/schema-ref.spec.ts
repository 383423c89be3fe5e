import { describe, expect, it } from 'vitest';
import { InvalidSchemaRefError } from '../errors/invalid-schema-ref.error.js';
import { formatSchemaRef, isSchemaVersion, parseSchemaRef } from './schema-ref.js';

describe('schema references', () => {
  it('formats and parses Id:version', () => {
    expect(formatSchemaRef({ id: 'Content', version: 1 })).toBe('Content:1');
    expect(parseSchemaRef('Content:1')).toEqual({ id: 'Content', version: 1 });
    expect(parseSchemaRef('content.edited_v-2:12')).toEqual({ id: 'content.edited_v-2', version: 12 });
  });

  it('round-trips', () => {
    const ref = { id: 'A.b-c_d', version: 42 };
    expect(parseSchemaRef(formatSchemaRef(ref))).toEqual(ref);
  });

  it.each([
    '',
    'Content',
    'Content:',
    ':1',
    'Content:0',
    'Content:01',
    'Content:-1',
    'Content:+1',
    'Content:1.5',
    'Content:1e3',
    'Content: 1',
    ' Content:1',
    'Content:1 ',
    'Con tent:1',
    'Content:1:2',
    'Content:99999999999999999999',
  ])('rejects %j with InvalidSchemaRefError', (value) => {
    expect(() => parseSchemaRef(value)).toThrow(InvalidSchemaRefError);
  });

  it('rejects non-string values passed from untyped code', () => {
    expect(() => parseSchemaRef(1 as unknown as string)).toThrow(/Invalid schema reference number 1/);
    expect(() => parseSchemaRef(null as unknown as string)).toThrow(/Invalid schema reference null/);
  });

  it('explains the expected format', () => {
    expect(() => parseSchemaRef('Content')).toThrow(
      'Invalid schema reference "Content": expected "Id:version" where Id matches [A-Za-z0-9_.-]+ and version is a positive integer, e.g. "Content:1".',
    );
  });

  it('refuses to format an invalid reference', () => {
    expect(() => formatSchemaRef({ id: 'a:b', version: 1 })).toThrow(/id "a:b" must match/);
    expect(() => formatSchemaRef({ id: 'Content', version: 0 })).toThrow(
      /version 0 must be a positive integer/,
    );
    expect(() => formatSchemaRef({ id: 'Content', version: 2.5 })).toThrow(InvalidSchemaRefError);
  });

  it('recognises valid versions', () => {
    expect(isSchemaVersion(1)).toBe(true);
    expect(isSchemaVersion(0)).toBe(false);
    expect(isSchemaVersion(Number.MAX_SAFE_INTEGER + 1)).toBe(false);
    expect(isSchemaVersion('1')).toBe(false);
  });
});
