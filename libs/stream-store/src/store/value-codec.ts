import type { Type } from '@nestjs/common';
import { MessageValidationError, validateMessageSync } from '@samsa/schema';
import { InvalidStateValueError } from '../errors/invalid-state-value.error.js';
import type { StoreSettings } from './store-settings.js';

type Invalid = (problem: string, cause?: unknown) => InvalidStateValueError;

/**
 * A value as stored: JSON text, validated against the store's `valueClass` first (unknown
 * properties are removed, as for messages). Done when the value is written, so a bad value fails
 * its handler, not the batch's commit.
 */
export function encodeValue({ name, valueClass }: StoreSettings, key: string, value: unknown): string {
  const invalid: Invalid = (problem, cause) => new InvalidStateValueError(name, key, problem, cause);
  if (value === undefined) throw invalid('is undefined; use delete() to remove a key');
  const checked = valueClass ? validated(valueClass, value, invalid) : value;
  let json: string | undefined;
  try {
    json = JSON.stringify(checked);
  } catch (error) {
    throw invalid(
      `is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  if (json === undefined) throw invalid(`is not JSON-serialisable (${typeof value})`);
  return json;
}

export function decodeValue<T>(json: string): T {
  return JSON.parse(json) as T;
}

function validated(valueClass: Type<object>, value: unknown, invalid: Invalid): object {
  try {
    return validateMessageSync(valueClass, value);
  } catch (error) {
    if (!(error instanceof MessageValidationError)) throw error;
    const issues = error.issues.map((issue) => `${issue.path || '(value)'}: ${issue.constraints.join('; ')}`);
    throw invalid(`does not match ${error.className} (${issues.join(', ')})`, error);
  }
}
