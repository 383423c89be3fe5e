import { getMetadataStorage, ValidationTypes, type MetadataStorage } from 'class-validator';
import { IS_OPTIONAL } from 'class-validator';
import { classTransformerStorage } from '../validation/class-transformer-storage.js';
import { schemaOfCheck, type DecoratorSchema, type ValueConversion } from './decorator-schemas.js';
import type { JsonSchema } from './json-schema.interface.js';
import { allOf, nullable } from './schema-algebra.js';

export type PropertyMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** Any class: what metadata is keyed by. */
export type AnyClass = abstract new (...args: never[]) => object;

/** The schema of one property of a message class. */
export interface PropertySchema {
  readonly schema: JsonSchema;
  /** class-validator rejects the message when the property is missing. */
  readonly required: boolean;
  /** `false` when the schema accepts values class-validator rejects. */
  readonly exact: boolean;
}

/** Classes class-transformer's `@Type()` converts JSON values into; `Date` is described, the others are not. */
const CONVERTING_TYPES = new Set<unknown>([
  String,
  Number,
  Boolean,
  Buffer,
  Map,
  Set,
  Object,
  Array,
  Promise,
]);

const LOOSE: PropertySchema = { schema: {}, required: false, exact: false };

/**
 * What class-validator accepts for one property, as a JSON Schema, following class-validator's order:
 * `@IsOptional()` skips everything for `null` and missing values, `@ValidateIf()` may skip everything (so the
 * schema allows anything), then every check must pass (`each: true` checks apply to each item of an array, or
 * to the value itself when it is not one), then `@ValidateNested()` (nested class from `@Type()`).
 * `nestedRef` names the definition of a nested class.
 */
export function propertySchema(
  target: AnyClass,
  name: string,
  metadatas: readonly PropertyMetadata[],
  nestedRef: (type: AnyClass) => string,
): PropertySchema {
  if (changedByClassTransformer(target, name)) return LOOSE;
  const conditions = metadatas.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
  if (conditions.some((condition) => condition.name !== IS_OPTIONAL)) return LOOSE;
  if (metadatas.some((m) => m.type === ValidationTypes.PROMISE_VALIDATION)) return LOOSE;
  const type = declaredType(target, name);
  if (type.kind === 'unknown') return LOOSE;
  const conversion: ValueConversion = type.kind === 'date' ? 'date' : 'none';

  const parts: DecoratorSchema[] = [];
  for (const metadata of metadatas) {
    if (metadata.type === ValidationTypes.IS_DEFINED) parts.push(schemaOfCheck('isDefined', [], conversion));
    if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION) continue;
    // A per-decorator `validateIf` option may skip the check: nothing is known.
    if ((metadata as { validateIf?: unknown }).validateIf) continue;
    const check = schemaOfCheck(constraintName(metadata), metadata.constraints ?? [], conversion);
    parts.push(metadata.each ? eachItem(check) : check);
  }
  if (metadatas.some((m) => m.type === ValidationTypes.NESTED_VALIDATION)) {
    parts.push(nested(type.kind === 'class' ? nestedRef(type.type) : undefined));
  }
  const inner = allOf(parts.map((part) => part.schema));
  const optional = conditions.length > 0;
  return {
    schema: optional ? nullable(inner) : inner,
    required: !optional && rejectsMissing(metadatas),
    exact: parts.every((part) => part.exact) && !metadatas.some((m) => isValidateIfOption(m)),
  };
}

/** `each: true`: arrays item by item, anything else as a single value. */
function eachItem(check: DecoratorSchema): DecoratorSchema {
  const item = check.schema;
  if (Object.keys(item).length === 0) return check;
  // When the check itself rejects arrays, "an array of items, or an item" says it plainly.
  const types = item.type === undefined ? undefined : [item.type].flat();
  const schema =
    types !== undefined && !types.includes('array')
      ? { anyOf: [{ type: 'array', items: item }, item] }
      : { if: { type: 'array' }, then: { items: item }, else: item };
  return { schema, exact: check.exact };
}

/**
 * `@ValidateNested()`: an object validated as the nested class, or an array of them (class-validator walks
 * arrays, nested arrays too: beyond the second level any array is allowed). Without a `@Type()` class the
 * object stays plain and class-validator rejects it: objects and arrays are allowed (looser).
 */
function nested(ref: string | undefined): DecoratorSchema {
  if (ref === undefined) return { schema: { type: ['object', 'array'] }, exact: false };
  const item = { $ref: ref };
  return {
    schema: {
      anyOf: [item, { type: 'array', items: { anyOf: [item, { type: 'array' }] } }],
    },
    exact: false,
  };
}

/** Whether class-validator reports the property when the message leaves it out. */
function rejectsMissing(metadatas: readonly PropertyMetadata[]): boolean {
  return metadatas.some((metadata) => {
    if (metadata.type === ValidationTypes.IS_DEFINED) return true;
    if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION || isValidateIfOption(metadata)) return false;
    return getMetadataStorage()
      .getTargetValidatorConstraints(metadata.constraintCls)
      .some(({ instance }) => {
        try {
          const args = {
            value: undefined,
            constraints: metadata.constraints,
            targetName: '',
            object: {},
            property: metadata.propertyName,
          };
          return (instance.validate(undefined, args) as unknown) === false;
        } catch {
          return false; // a validator that cannot judge a missing value: not listed as required
        }
      });
  });
}

function isValidateIfOption(metadata: PropertyMetadata): boolean {
  return Boolean((metadata as { validateIf?: unknown }).validateIf);
}

function constraintName(metadata: PropertyMetadata): string {
  const constraint = getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls)[0];
  return constraint?.name ?? metadata.name ?? '';
}

type DeclaredType =
  { kind: 'plain' } | { kind: 'date' } | { kind: 'class'; type: AnyClass } | { kind: 'unknown' };

/** What `@Type()` makes of the property's JSON value. */
function declaredType(target: AnyClass, name: string): DeclaredType {
  const metadata = classTransformerStorage.findTypeMetadata(target, name);
  if (!metadata) return { kind: 'plain' };
  if (metadata.options?.discriminator) return { kind: 'unknown' };
  let type: unknown;
  try {
    type = (metadata.typeFunction as () => unknown)();
  } catch {
    return { kind: 'unknown' }; // depends on the message
  }
  if (type === Date) return { kind: 'date' };
  if (typeof type !== 'function' || CONVERTING_TYPES.has(type)) return { kind: 'unknown' };
  return { kind: 'class', type: type as AnyClass };
}

/** `@Transform`, `@Exclude` and `@Expose` change which values reach the checks: nothing is known. */
function changedByClassTransformer(target: AnyClass, name: string): boolean {
  const storage = classTransformerStorage;
  return (
    storage.getStrategy(target) !== 'none' ||
    storage.findExcludeMetadata(target, name) !== undefined ||
    storage.findExposeMetadata(target, name) !== undefined ||
    storage.findTransformMetadatas(target, name, PLAIN_TO_CLASS).length > 0
  );
}

/** class-transformer's `TransformationType.PLAIN_TO_CLASS`. */
const PLAIN_TO_CLASS = 0;
