import 'reflect-metadata';
import type { AvroSchema } from '../codecs/avro.codec.js';

/** Reflect-metadata key (on the class) of the Avro types `@AvroField()` declared, by property name. */
export const AVRO_FIELDS_METADATA = 'samsa:avro-fields';

/**
 * Sets a property's Avro type in the schema samsa derives for an Avro `@Schema()` class, where the
 * class-validator decorators say too little, e.g. a decimal's precision and scale:
 *
 * ```ts
 * @IsDecimal() @AvroField({ type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 })
 * price!: string;
 * ```
 *
 * The type is used as given (an `@IsOptional()` property is not wrapped in a `null` union for you).
 */
export function AvroField(type: AvroSchema): PropertyDecorator {
  return (prototype, property) => {
    if (typeof property !== 'string') return;
    const target = prototype.constructor;
    const own = (Reflect.getOwnMetadata(AVRO_FIELDS_METADATA, target) ?? new Map()) as Map<
      string,
      AvroSchema
    >;
    Reflect.defineMetadata(AVRO_FIELDS_METADATA, new Map(own).set(property, type), target);
  };
}

/** The Avro types declared with `@AvroField()` on a class and its parents (the class's own win). */
export function getAvroFields(target: object): ReadonlyMap<string, AvroSchema> {
  const fields = new Map<string, AvroSchema>();
  for (let current: unknown = target; typeof current === 'function' && current !== Function.prototype;) {
    const own = Reflect.getOwnMetadata(AVRO_FIELDS_METADATA, current) as Map<string, AvroSchema> | undefined;
    for (const [name, type] of own ?? []) if (!fields.has(name)) fields.set(name, type);
    current = Object.getPrototypeOf(current);
  }
  return fields;
}
