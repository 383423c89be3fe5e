import { describe, expect, it } from 'vitest';
import { CodecError } from './codec.error.js';
import { EnvelopeMissingDataError } from './envelope-missing-data.error.js';
import { MessageValidationError } from './message-validation.error.js';
import { QUOTED_INPUT_LIMIT, quoteInput } from './quote-input.js';
import { UnknownSchemaError } from './unknown-schema.error.js';

const hugeRef = `${'A'.repeat(5_000_000)}:1`;

describe('quoteInput', () => {
  it('keeps short text as it is', () => {
    expect(quoteInput('Content:1')).toBe('Content:1');
    expect(quoteInput('x'.repeat(QUOTED_INPUT_LIMIT))).toBe('x'.repeat(QUOTED_INPUT_LIMIT));
  });

  it('cuts long text, saying how much was left out', () => {
    expect(quoteInput('abcdefghij', 4)).toBe('abcd…(6 more characters)');
  });

  it('never cuts a surrogate pair in half', () => {
    const quoted = quoteInput('abc😀def', 4);
    expect(quoted).toBe('abc…(5 more characters)');
    expect(Buffer.from(quoted, 'utf8').toString('utf8')).toBe(quoted);
  });
});

describe('errors whose messages quote a record', () => {
  it('UnknownSchemaError quotes a huge reference briefly, keeping it whole in `ref`', () => {
    const error = new UnknownSchemaError(hugeRef, [1, 2]);
    expect(error.ref).toBe(hugeRef);
    expect(error.message.length).toBeLessThan(500);
    expect(error.message).toContain(
      `Unknown schema ${'A'.repeat(QUOTED_INPUT_LIMIT)}…(${hugeRef.length - QUOTED_INPUT_LIMIT} more characters)`,
    );
    expect(error.message).toContain('(registered versions: 1, 2)');
  });

  it('UnknownSchemaError keeps a short reference verbatim', () => {
    expect(new UnknownSchemaError('Content:3', [1]).message).toBe(
      'Unknown schema Content:3 (registered versions: 1). Register the class declaring @Schema for Content:3 with registry.register(...).',
    );
  });

  it('EnvelopeMissingDataError quotes a huge reference briefly', () => {
    const error = new EnvelopeMissingDataError(hugeRef);
    expect(error.ref).toBe(hugeRef);
    expect(error.message.length).toBeLessThan(500);
  });

  it('MessageValidationError lists 20 issues, each bounded, and counts the rest', () => {
    const issues = Array.from({ length: 10_000 }, (_, i) => ({
      path: `${'p'.repeat(10_000)}${i}`,
      constraints: [`property ${'p'.repeat(10_000)}${i} should not exist`],
    }));
    const error = new MessageValidationError('Order', issues);
    expect(error.issues).toHaveLength(10_000);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Message does not match Order (10000 issues):');
    expect(lines.filter((line) => line.startsWith('  - p'))).toHaveLength(20);
    expect(lines).toContain('  - …and 9980 more (see `issues`)');
    expect(error.message.length).toBeLessThan(20 * 500);
  });

  it('CodecError bounds a problem that quotes the value', () => {
    const error = new CodecError('avro', 'Order', 'encode', `invalid "string": ${'x'.repeat(1_000_000)}`);
    expect(error.message.length).toBeLessThan(700);
  });
});
