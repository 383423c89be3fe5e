import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import { MessageValidationError } from '../errors/message-validation.error.js';
import type { SchemaClass } from '../interfaces/schema-class.interface.js';
import { describeClass } from '../metadata/describe-class.js';
import { validInstanceByPlan } from './planned-validation.js';
import { stripUnsafeKeys } from './strip-unsafe-keys.js';
import { validationPlanOf } from './validation-plan.js';
import { toValidationIssues } from './validation-issues.js';

/** Options of `validateMessage()` and `validateMessageSync()`. */
export interface ValidateMessageOptions {
  /**
   * Reject properties the class does not declare (with any class-validator decorator) instead of stripping
   * them. Default: `false` (unknown properties are removed from the result).
   */
  forbidUnknown?: boolean;
}

const STRIP_UNKNOWN: ValidatorOptions = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: false,
  forbidUnknownValues: true,
  validationError: { target: true, value: false },
});
const FORBID_UNKNOWN: ValidatorOptions = Object.freeze({ ...STRIP_UNKNOWN, forbidNonWhitelisted: true });

/**
 * Turns message data into an instance of `target` and validates it with class-validator: nested objects
 * (`@ValidateNested()` + `@Type()`) and arrays included. Unknown properties are stripped (or rejected with
 * `forbidUnknown`); `__proto__`, `constructor` and `prototype` keys are always dropped first.
 * Resolves to the instance, or rejects with `MessageValidationError` listing every issue.
 *
 * Valid messages of most classes take a fast path (`planned-validation.ts`) that runs the same
 * constraints from metadata read once per class; anything else, and every failure, goes through
 * class-transformer and class-validator themselves.
 *
 * As in class-validator, `@ValidateNested()` alone accepts a missing value: add `@IsDefined()` (or `@IsObject()`)
 * to require a nested object.
 */
export async function validateMessage<T extends object>(
  target: SchemaClass<T>,
  data: unknown,
  options: ValidateMessageOptions = {},
): Promise<T> {
  const plan = validationPlanOf(target);
  if (plan && !plan.hasAsync && isPlainOrInstance(target, data)) {
    const instance = validInstanceByPlan(plan, data, options.forbidUnknown === true);
    if (instance) return instance as T;
  }
  const instance = toInstance(target, data);
  const errors = await validate(instance, validatorOptions(options));
  return checked(target, instance, errors);
}

/**
 * Synchronous `validateMessage()`, for the hot path of consumers. Asynchronous validators (custom constraints
 * declared `async: true`) are NOT supported: class-validator's `validateSync` skips them, so such a class must
 * be validated with `validateMessage()`.
 */
export function validateMessageSync<T extends object>(
  target: SchemaClass<T>,
  data: unknown,
  options: ValidateMessageOptions = {},
): T {
  const plan = validationPlanOf(target);
  if (plan && isPlainOrInstance(target, data)) {
    const instance = validInstanceByPlan(plan, data, options.forbidUnknown === true);
    if (instance) return instance as T;
  }
  const instance = toInstance(target, data);
  return checked(target, instance, validateSync(instance, validatorOptions(options)));
}

/** Plain data, or an instance of the class itself (publishers validate what they are given). */
function isPlainOrInstance(target: SchemaClass<object>, data: unknown): data is object {
  if (typeof data !== 'object' || data === null) return false;
  const prototype: unknown = Object.getPrototypeOf(data);
  return prototype === Object.prototype || prototype === null || prototype === target.prototype;
}

function toInstance<T extends object>(target: SchemaClass<T>, data: unknown): T {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const received = data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data;
    throw new MessageValidationError(describeClass(target), [
      { path: '', constraints: [`message data must be an object, got ${received}`] },
    ]);
  }
  // class-transformer instantiates with `new target()`: message classes take no constructor arguments.
  return plainToInstance(target as ClassConstructor<T>, stripUnsafeKeys(data));
}

function validatorOptions(options: ValidateMessageOptions): ValidatorOptions {
  return options.forbidUnknown === true ? FORBID_UNKNOWN : STRIP_UNKNOWN;
}

function checked<T extends object>(target: SchemaClass<T>, instance: T, errors: ValidationError[]): T {
  if (errors.length > 0) throw new MessageValidationError(describeClass(target), toValidationIssues(errors));
  return instance;
}
