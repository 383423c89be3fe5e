import { describe, expect, it } from 'vitest';
import { allOf, nullable } from './schema-algebra.js';

describe('allOf', () => {
  it('merges schemas whose keywords do not collide, intersecting types', () => {
    expect(allOf([{ type: 'integer' }, { type: 'number', minimum: 1 }])).toEqual({
      type: 'integer',
      minimum: 1,
    });
    expect(allOf([{ type: 'string' }, {}, { pattern: 'a' }])).toEqual({ type: 'string', pattern: 'a' });
  });

  it('keeps colliding keywords apart in allOf, so both still apply', () => {
    expect(allOf([{ type: 'string', pattern: 'a' }, { pattern: 'b' }])).toEqual({
      type: 'string',
      pattern: 'a',
      allOf: [{ pattern: 'b' }],
    });
    expect(allOf([{ type: 'string' }, { type: 'number' }])).toEqual({
      type: 'string',
      allOf: [{ type: 'number' }],
    });
  });

  it('drops anyOf branches the merged type excludes', () => {
    const nested = { anyOf: [{ $ref: '#/$defs/Item' }, { type: 'array', items: { $ref: '#/$defs/Item' } }] };
    expect(allOf([{ type: 'array' }, nested])).toEqual({ type: 'array', items: { $ref: '#/$defs/Item' } });
    expect(allOf([{ type: 'object' }, nested])).toEqual({ type: 'object', $ref: '#/$defs/Item' });
  });
});

describe('nullable', () => {
  it('adds null to the type when the other keywords only constrain their own type', () => {
    expect(nullable({ type: 'string', pattern: 'a' })).toEqual({ type: ['string', 'null'], pattern: 'a' });
    expect(nullable({ type: 'string', enum: ['a'] })).toEqual({
      type: ['string', 'null'],
      enum: ['a', null],
    });
    expect(nullable({ enum: [1, 'Low'] })).toEqual({ enum: [1, 'Low', null] });
  });

  it('uses anyOf when a keyword would judge null too, and leaves {} alone', () => {
    expect(nullable({ not: { const: 'x' } })).toEqual({ anyOf: [{ type: 'null' }, { not: { const: 'x' } }] });
    expect(nullable({})).toEqual({});
  });
});
