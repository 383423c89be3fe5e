import type { ValidationArguments } from 'class-validator';
import { UNSAFE_KEYS } from '../constants.js';
import { stripUnsafeKeys } from './strip-unsafe-keys.js';
import {
  type AnyClass,
  type PlannedCheck,
  type PlannedProperty,
  type ValidationPlan,
  validationPlanOf,
} from './validation-plan.js';

type Fields = Record<string, unknown>;

/**
 * The fast path of `validateMessage*`: builds the instance as `plainToInstance` would and runs the
 * same constraint functions as class-validator (`whitelist`, `forbidUnknownValues`, no groups), from
 * a plan read once per class. It only ever vouches for a valid message: it returns `undefined` for
 * an invalid one AND for anything it is not sure to reproduce (non-JSON values, promises returned by
 * constraints, nested values without a plan), and the caller then asks the libraries themselves,
 * which decide and word the errors. Nested plain values are shared with `data`, not copied.
 */
export function validInstanceByPlan(
  plan: ValidationPlan,
  data: object,
  forbidUnknown: boolean,
): object | undefined {
  const instance = instantiate(plan, data as Fields, forbidUnknown);
  return instance !== undefined && passes(plan, instance) ? instance : undefined;
}

function instantiate(plan: ValidationPlan, data: Fields, forbidUnknown: boolean): Fields | undefined {
  const instance = new plan.target() as Fields;
  for (const key of Object.keys(data)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const property = plan.allowed.get(key);
    if (!property) {
      if (forbidUnknown) return undefined;
      continue;
    }
    const value = property.nestedType
      ? typed(property, data[key], instance, data, forbidUnknown)
      : plain(data[key]);
    if (value === UNSURE) return undefined;
    instance[key] = value;
  }
  return instance;
}

const UNSURE = Symbol('unsure');

/** A JSON-shaped value, as class-transformer would copy it (minus unsafe keys); `UNSURE` for anything else. */
function plain(value: unknown): unknown {
  return isJsonShaped(value) ? stripUnsafeKeys(value) : UNSURE;
}

/** What JSON.parse makes, plus `undefined` (class-transformer copies it as it is). */
function isJsonShaped(value: unknown): boolean {
  if (
    value === null ||
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  )
    return true;
  if (Array.isArray(value)) return value.every(isJsonShaped);
  if (typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isJsonShaped);
}

/** A property with `@Type(() => Class)`: objects become instances of the class, at any array depth. */
function typed(
  property: PlannedProperty,
  value: unknown,
  instance: Fields,
  data: Fields,
  forbidUnknown: boolean,
): unknown {
  // class-transformer leaves null and undefined alone; anything else follows the type, which may
  // convert even primitives (`@Type(() => Date)`): only a class with a plan is reproduced here.
  if (value === null || value === undefined) return value;
  const type = property.nestedType!({ newObject: instance, object: data, property: property.name });
  const plan = typeof type === 'function' ? validationPlanOf(type as AnyClass) : undefined;
  if (!plan) return UNSURE;
  return typedValue(plan, value, forbidUnknown);
}

function typedValue(plan: ValidationPlan, value: unknown, forbidUnknown: boolean): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const converted = typedValue(plan, item, forbidUnknown);
      if (converted === UNSURE) return UNSURE;
      items.push(converted);
    }
    return items;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return UNSURE;
  return instantiate(plan, value as Fields, forbidUnknown) ?? UNSURE;
}

/** class-validator's `performValidations` per property, stopping at the first failure. */
function passes(plan: ValidationPlan, object: Fields): boolean {
  for (const property of plan.properties) {
    const value = object[property.name];
    let validate = true;
    for (const condition of property.conditions) {
      if (!(condition.constraints[0] as (object: object, value: unknown) => boolean)(object, value))
        validate = false;
    }
    if (!validate) continue;
    if (!checksPass(property.defined, object, value) || !checksPass(property.checks, object, value))
      return false;
    if (property.nested && !nestedPasses(value)) return false;
  }
  return true;
}

function checksPass(checks: readonly PlannedCheck[], object: Fields, value: unknown): boolean {
  for (const { metadata, constraints } of checks) {
    if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
    for (const constraint of constraints) {
      // validateSync skips asynchronous constraints; plans with them are not used by validateMessage.
      if (constraint.async) continue;
      const args: ValidationArguments = {
        targetName: object.constructor?.name,
        property: metadata.propertyName,
        object,
        value,
        constraints: metadata.constraints as unknown[],
      };
      const values = metadata.each && isCollection(value) ? [...collectionValues(value)] : [value];
      for (const item of values) {
        const valid: unknown = constraint.validate(item, args);
        if (!valid || isThenable(valid)) return false;
      }
    }
  }
  return true;
}

/** `@ValidateNested()`: undefined passes; arrays item by item; objects by their own class's plan. */
function nestedPasses(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.every(nestedPasses);
  if (value === null || typeof value !== 'object') return false;
  const plan = validationPlanOf((value as object).constructor as AnyClass);
  return plan !== undefined && passes(plan, value as Fields);
}

function isCollection(value: unknown): value is unknown[] | Set<unknown> | Map<unknown, unknown> {
  return Array.isArray(value) || value instanceof Set || value instanceof Map;
}

function collectionValues(value: unknown[] | Set<unknown> | Map<unknown, unknown>): Iterable<unknown> {
  return value instanceof Map ? value.values() : value;
}

function isThenable(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
