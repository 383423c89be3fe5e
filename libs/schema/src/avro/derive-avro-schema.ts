import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import type { AvroSchema } from '../codecs/avro.codec.js';
import { getAvroFields } from '../decorators/avro-field.decorator.js';
import { IS_BIG_INT } from '../decorators/is-big-int.decorator.js';
import { classTransformerStorage } from '../validation/class-transformer-storage.js';
import { AvroSchemaDerivationError } from './avro-schema-derivation.error.js';

type Schema = Record<string, unknown> | string | unknown[];
type Class = abstract new (...args: never[]) => unknown;

const CONDITIONAL = 'conditionalValidation';
const TIMESTAMP_MILLIS = { type: 'long', logicalType: 'timestamp-millis' };
const STRING_CHECKS = new Set([
  'isString',
  'isDateString',
  'isISO8601',
  'isUUID',
  'isEmail',
  'isUrl',
  'matches',
  'isNotEmpty',
  'minLength',
  'maxLength',
  'length',
  'contains',
  'isAlpha',
  'isAlphanumeric',
  'isHexColor',
  'isIP',
  'isJWT',
  'isMongoId',
]);
const PRIMITIVE_CHECKS: Record<string, string> = {
  isBoolean: 'boolean',
  isInt: 'long',
  isNumber: 'double',
  isPositive: 'double',
  isNegative: 'double',
  [IS_BIG_INT]: 'long',
};

/**
 * The Avro record schema of a class, from its class-validator and class-transformer decorators:
 * `@IsString()` (and string checks) → `string`; `@IsInt()` → `long`; `@IsNumber()` → `double`; `@IsBoolean()` →
 * `boolean`; `@IsBigInt()` or a `bigint` property → `long`; `@IsDate()`/`Date` → `long` `timestamp-millis`;
 * `@IsEnum()`/`@IsIn()` of strings → `string`, of integers → `long`; `@ValidateNested()` + `@Type(() => C)` → a
 * record named `C` (or an array of them); `each: true` checks → an array of that type; `@IsOptional()` → a union
 * with `null`, default `null`; `@AvroField(type)` → that type. Fields are in declaration order. Throws
 * `AvroSchemaDerivationError` for a property it cannot type (add `@AvroField()`, or give `avroSchema`).
 */
export function deriveAvroSchema(target: Class, fullName: string): AvroSchema {
  return new Deriver().record(target, fullName) as AvroSchema;
}

/** `Order`, `orders.Order`; characters Avro names do not allow become `_`. */
export function avroFullName(id: string): string {
  return id
    .split('.')
    .map((part) => part.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d|$)/, '_'))
    .join('.');
}

class Deriver {
  private readonly named = new Map<Class, string>();

  record(target: Class, fullName: string): Schema {
    const known = this.named.get(target);
    if (known !== undefined) return known;
    this.named.set(target, fullName);
    const namespace = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : undefined;
    const checks = checksByProperty(target);
    const overrides = getAvroFields(target);
    const names = [...new Set([...checks.keys(), ...overrides.keys()])];
    const fields = names.map((name) => {
      const override = overrides.get(name);
      if (override !== undefined) return { name, type: override };
      const own = checks.get(name) ?? [];
      const type = this.fieldType(target, name, own, namespace);
      return own.some((check) => check.type === CONDITIONAL && check.name === 'isOptional')
        ? { name, type: ['null', type], default: null }
        : { name, type };
    });
    return { type: 'record', name: fullName, fields };
  }

  private fieldType(
    target: Class,
    property: string,
    checks: ValidationMetadata[],
    namespace?: string,
  ): Schema {
    const fail = (problem: string) => new AvroSchemaDerivationError(target.name, property, problem);
    const designType: unknown = Reflect.getMetadata('design:type', target.prototype as object, property);
    const nested = classTransformerStorage.findTypeMetadata(target as never, property)?.typeFunction();
    const names = namesOf(checks.filter((check) => !check.each));
    const isArray = designType === Array || names.has('isArray');
    let element: Schema | undefined;
    if (typeof nested === 'function' && nested !== Object) {
      element = nested === Date ? TIMESTAMP_MILLIS : this.nestedRecord(nested as Class, namespace);
    }
    if (isArray) {
      element ??= scalarType(namesOf(checks.filter((check) => check.each)), checks, undefined);
      if (element === undefined) {
        throw fail(
          'say what the array holds: `each: true` checks (e.g. @IsString({ each: true })), or @Type(() => Item) for objects, or @AvroField().',
        );
      }
      return { type: 'array', items: element };
    }
    if (names.has('isDecimal')) {
      throw fail(
        `give the decimal's precision and scale: @AvroField({ type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }).`,
      );
    }
    const type = element ?? scalarType(names, checks, designType);
    if (type !== undefined) return type;
    throw fail(
      'no decorator names its type: add one (e.g. @IsString(), @IsInt(), @IsBigInt()) or @AvroField({ ... }).',
    );
  }

  private nestedRecord(nested: Class, namespace?: string): Schema {
    return this.record(
      nested,
      namespace === undefined ? avroFullName(nested.name) : `${namespace}.${avroFullName(nested.name)}`,
    );
  }
}

function scalarType(
  names: ReadonlySet<string>,
  checks: ValidationMetadata[],
  designType: unknown,
): Schema | undefined {
  if (names.has('isDate') || designType === Date) return TIMESTAMP_MILLIS;
  for (const [name, type] of Object.entries(PRIMITIVE_CHECKS)) if (names.has(name)) return type;
  const choices = choicesOf(checks);
  if (choices !== undefined) {
    if (choices.every((choice) => typeof choice === 'string')) return 'string';
    if (choices.every((choice) => Number.isSafeInteger(choice))) return 'long';
    if (choices.every((choice) => typeof choice === 'number')) return 'double';
    return undefined;
  }
  if ([...names].some((name) => STRING_CHECKS.has(name)) || designType === String) return 'string';
  if (designType === BigInt) return 'long';
  if (designType === Boolean) return 'boolean';
  if (designType === Number) return 'double';
  return undefined;
}

/** The values `@IsEnum()` or `@IsIn()` allow, if either is present. */
function choicesOf(checks: ValidationMetadata[]): unknown[] | undefined {
  for (const check of checks) {
    const constraints = (check.constraints ?? []) as unknown[];
    if (check.name === 'isIn' && Array.isArray(constraints[0])) return constraints[0] as unknown[];
    if (check.name === 'isEnum' && Array.isArray(constraints[1])) {
      // class-validator lists a numeric TypeScript enum's reverse-mapping keys too: keep the entity's values.
      const entity = constraints[0] as Record<string, unknown>;
      return Object.keys(entity)
        .filter((key) => typeof entity[entity[key] as string] !== 'number')
        .map((key) => entity[key]);
    }
  }
  return undefined;
}

function namesOf(checks: ValidationMetadata[]): Set<string> {
  return new Set(checks.map((check) => check.name ?? ''));
}

/** class-validator's metadata of a class (its parents' included), by property in declaration order. */
function checksByProperty(target: Class): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const check of getMetadataStorage().getTargetValidationMetadatas(target as never, '', true, false)) {
    byProperty.set(check.propertyName, [...(byProperty.get(check.propertyName) ?? []), check]);
  }
  return byProperty;
}
