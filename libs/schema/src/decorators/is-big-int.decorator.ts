import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

/** class-validator constraint name of `@IsBigInt()`. */
export const IS_BIG_INT = 'isBigInt';

/**
 * Checks that the value is a `bigint`: a 64-bit Avro `long` kept exact (a `number` is exact only up to 2^53).
 * In a derived Avro schema the property becomes a `long`.
 */
export function IsBigInt(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_BIG_INT,
      validator: {
        validate: (value: unknown) => typeof value === 'bigint',
        defaultMessage: buildMessage((each) => `${each}$property must be a bigint`, options),
      },
    },
    options,
  );
}
