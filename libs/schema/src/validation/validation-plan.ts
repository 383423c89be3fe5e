import 'reflect-metadata';
import { getMetadataStorage, type MetadataStorage, ValidationTypes } from 'class-validator';
import { classTransformerStorage } from './class-transformer-storage.js';

/** Any class: what metadata is keyed by. */
export type AnyClass = abstract new (...args: never[]) => object;

type PropertyMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type ConstraintMetadata = ReturnType<MetadataStorage['getTargetValidatorConstraints']>[number];

/** One decorator's check, with its constraint instances resolved once instead of per message. */
export interface PlannedCheck {
  readonly metadata: PropertyMetadata;
  readonly constraints: readonly {
    readonly validate: ConstraintMetadata['instance']['validate'];
    readonly async: boolean;
    readonly instance: object;
  }[];
}

/** What class-validator does with one property, resolved once per class. */
export interface PlannedProperty {
  readonly name: string;
  /** `@ValidateIf`/`@IsOptional` conditions: all must hold for the property to be validated. */
  readonly conditions: readonly PropertyMetadata[];
  /** `@IsDefined`, run before the rest (and even on a missing value). */
  readonly defined: readonly PlannedCheck[];
  readonly checks: readonly PlannedCheck[];
  readonly nested: boolean;
  /** class-transformer's `@Type()` of the property, when it has one. */
  readonly nestedType?: (options: { newObject: object; object: object; property: string }) => unknown;
}

/**
 * class-validator's and class-transformer's metadata of one message class, read once, for the fast
 * path of validation: building the instance and running the same constraint functions without the
 * libraries' per-call metadata lookups. Only classes whose metadata the fast path reproduces exactly
 * get a plan; `undefined` means "always take the libraries' own path".
 */
export interface ValidationPlan {
  readonly target: new () => object;
  /** Properties with any class-validator decorator: the ones `whitelist` keeps. */
  readonly allowed: ReadonlyMap<string, PlannedProperty>;
  readonly properties: readonly PlannedProperty[];
  /** Some constraint is asynchronous: `validateSync` skips it, `validate` awaits it. */
  readonly hasAsync: boolean;
}

const SUPPORTED_TYPES = new Set<string>([
  ValidationTypes.IS_DEFINED,
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.NESTED_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
]);
/** Declared property types class-transformer leaves alone when it copies a JSON value. */
const PLAIN_DESIGN_TYPES = new Set<unknown>([undefined, String, Number, Boolean, Object, Array, Date]);

/** class-transformer's `TransformationType.PLAIN_TO_CLASS`, the direction `plainToInstance` applies. */
const PLAIN_TO_CLASS = 0;

const plans = new WeakMap<AnyClass, ValidationPlan | null>();

/** The plan of `target`, built on first use; `undefined` when the fast path cannot reproduce it. */
export function validationPlanOf(target: AnyClass): ValidationPlan | undefined {
  let plan = plans.get(target);
  if (plan === undefined) {
    plan = buildPlan(target) ?? null;
    plans.set(target, plan);
  }
  return plan ?? undefined;
}

function buildPlan(target: AnyClass): ValidationPlan | undefined {
  if (!isPlainConstructible(target)) return undefined;
  // The same call, with the same options, that validateSync makes: no groups, `always` off.
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(target, '', false, false, undefined);
  if (metadatas.length === 0) return undefined;
  if (usesClassTransformerFeatures(target, metadatas)) return undefined;
  if (
    metadatas.some((metadata) => !SUPPORTED_TYPES.has(metadata.type) || typeof metadata.target !== 'function')
  ) {
    return undefined;
  }
  const grouped = new Map<string, PropertyMetadata[]>();
  for (const metadata of metadatas) {
    const list = grouped.get(metadata.propertyName) ?? [];
    list.push(metadata);
    grouped.set(metadata.propertyName, list);
  }
  const properties: PlannedProperty[] = [];
  let hasAsync = false;
  for (const [name, list] of grouped) {
    const property = planProperty(target, name, list);
    if (!property) return undefined;
    hasAsync ||= [...property.defined, ...property.checks].some((check) =>
      check.constraints.some((c) => c.async),
    );
    properties.push(property);
  }
  const allowed = new Map(properties.map((property) => [property.name, property]));
  if (!initialisesOnlyDecoratedFields(target, allowed)) return undefined;
  return { target: target as new () => object, allowed, properties, hasAsync };
}

function planProperty(target: AnyClass, name: string, list: PropertyMetadata[]): PlannedProperty | undefined {
  // class-transformer skips keys that are accessors or methods on the prototype.
  if (hasOnPrototypeChain(target.prototype as object, name)) return undefined;
  const typeMetadata = classTransformerStorage.findTypeMetadata(target, name);
  const designType: unknown = Reflect.getMetadata('design:type', target.prototype as object, name);
  if (!typeMetadata && !PLAIN_DESIGN_TYPES.has(designType)) return undefined;
  if (
    typeMetadata &&
    (typeMetadata.options?.discriminator ||
      typeMetadata.reflectedType === Map ||
      designType === Set ||
      designType === Map)
  ) {
    return undefined;
  }
  if (typeMetadata && convertsValues(typeMetadata.typeFunction)) return undefined;
  const checks: PlannedCheck[] = [];
  const defined: PlannedCheck[] = [];
  for (const metadata of list) {
    if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION && metadata.type !== ValidationTypes.IS_DEFINED)
      continue;
    const check = planCheck(metadata);
    (metadata.type === ValidationTypes.IS_DEFINED ? defined : checks).push(check);
  }
  return {
    name,
    conditions: list.filter((metadata) => metadata.type === ValidationTypes.CONDITIONAL_VALIDATION),
    defined,
    checks,
    nested: list.some((metadata) => metadata.type === ValidationTypes.NESTED_VALIDATION),
    nestedType: typeMetadata?.typeFunction as PlannedProperty['nestedType'],
  };
}

function planCheck(metadata: PropertyMetadata): PlannedCheck {
  const constraints = getMetadataStorage()
    .getTargetValidatorConstraints(metadata.constraintCls)
    .map((constraint) => {
      const instance = constraint.instance;
      return { instance, validate: instance.validate.bind(instance), async: constraint.async };
    });
  return { metadata, constraints };
}

/** Types class-transformer converts values into (`@Type(() => Date)` turns a string into a Date). */
const CONVERTING_TYPES = new Set<unknown>([
  String,
  Number,
  Boolean,
  Date,
  Buffer,
  Map,
  Set,
  Object,
  Array,
  Promise,
]);

/** Whether `@Type()` names a built-in class-transformer converts to (asked once, without options). */
function convertsValues(typeFunction: ((options?: never) => unknown) | undefined): boolean {
  if (!typeFunction) return true;
  try {
    return CONVERTING_TYPES.has(typeFunction());
  } catch {
    return false; // depends on the message: checked for each one instead
  }
}

function isPlainConstructible(target: AnyClass): boolean {
  return typeof target === 'function' && target.prototype !== undefined;
}

/** `whitelist` strips every own key the class does not decorate, initialised fields included. */
function initialisesOnlyDecoratedFields(
  target: AnyClass,
  allowed: ReadonlyMap<string, PlannedProperty>,
): boolean {
  let sample: Record<string, unknown>;
  try {
    sample = new (target as new () => Record<string, unknown>)();
  } catch {
    return false;
  }
  return Object.keys(sample).every((key) => allowed.has(key) && typeof sample[key] !== 'function');
}

/** `@Expose`, `@Exclude` and `@Transform` change which keys are copied and how: left to class-transformer. */
function usesClassTransformerFeatures(target: AnyClass, metadatas: readonly PropertyMetadata[]): boolean {
  const storage = classTransformerStorage;
  return (
    storage.getStrategy(target) !== 'none' ||
    storage.getExposedMetadatas(target).length > 0 ||
    storage.getExcludedMetadatas(target).length > 0 ||
    // The storage has no "all transforms of a class" query: ask per decorated property (ancestors included).
    metadatas.some(
      ({ propertyName }) => storage.findTransformMetadatas(target, propertyName, PLAIN_TO_CLASS).length > 0,
    )
  );
}

function hasOnPrototypeChain(prototype: object | null, name: string): boolean {
  for (
    let current = prototype;
    current && current !== Object.prototype;
    current = Object.getPrototypeOf(current) as object | null
  ) {
    if (Object.getOwnPropertyDescriptor(current, name)) return true;
  }
  return name in Object.prototype;
}
