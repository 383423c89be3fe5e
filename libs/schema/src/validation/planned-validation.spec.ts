import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  Allow,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  validateSync,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { describe, expect, it } from 'vitest';
import { validInstanceByPlan } from './planned-validation.js';
import { stripUnsafeKeys } from './strip-unsafe-keys.js';
import { validationPlanOf } from './validation-plan.js';

// A differential test: for every class and every input, the fast path either declines (undefined) or
// returns exactly what class-transformer + class-validator return, and it never accepts what they reject.

class Flat {
  @IsInt() seq!: number;
  @IsString() key!: string;
  @IsIn(['created', 'updated']) kind!: string;
  @IsNumber() sentAt!: number;
}

class Conditional {
  @IsOptional() @IsString() note?: string;
  @IsIn(['a', 'b']) mode!: string;
  @ValidateIf((o: Conditional) => o.mode === 'b') @IsInt() @Min(3) level?: number;
  @IsDefined() required!: unknown;
  @IsString({ each: true }) tags!: string[];
}

class Line {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

class Address {
  @IsString() city!: string;
}

class Order {
  @IsString() id!: string;
  @ValidateNested() @Type(() => Address) address!: Address;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
  @IsOptional() @ValidateNested() @Type(() => Address) billing?: Address;
}

class Base {
  @IsString() id!: string;
}
class Derived extends Base {
  @IsInt() count = 0;
}

@ValidatorConstraint({ name: 'lessThanMax' })
class LessThanMax implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments) {
    return typeof value === 'number' && value < (args.object as Range).max;
  }
}
class Range {
  @IsNumber() max!: number;
  @Validate(LessThanMax) min!: number;
}

@ValidatorConstraint({ name: 'promised' })
class PromisedConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return Promise.resolve(value === 'ok') as unknown as boolean;
  }
}
class Promised {
  @Validate(PromisedConstraint) value!: string;
}

class Transformed {
  @Transform(({ value }) => String(value).trim()) @IsString() name!: string;
}

class Undecorated {
  @IsString() name!: string;
  extra = 'set by the constructor';
}

class Converted {
  @Allow() @Type(() => Date) at!: Date;
  @Allow() @Type(() => Number) count!: number;
}

class NestedWithoutType {
  @ValidateNested() address!: Address;
}

const samples: [new () => object, object][] = [
  [Flat, { seq: 1, key: 'k1', kind: 'created', sentAt: 0.5 }],
  [Conditional, { note: 'n', mode: 'b', level: 4, required: 0, tags: ['x', 'y'] }],
  [
    Order,
    { id: 'o', address: { city: 'Paris' }, lines: [{ sku: 'a', quantity: 2 }], billing: { city: 'Lyon' } },
  ],
  [Derived, { id: 'd', count: 3 }],
  [Range, { max: 10, min: 3 }],
  [Promised, { value: 'ok' }],
  [Transformed, { name: ' ada ' }],
  [Undecorated, { name: 'x' }],
  [NestedWithoutType, { address: { city: 'Paris' } }],
  [Converted, { at: '2026-11-24T00:00:00Z', count: '5' }],
];

const replacements: unknown[] = [
  undefined,
  null,
  'text',
  '',
  7,
  -1,
  2.5,
  true,
  {},
  [],
  ['x'],
  [{}],
  [{ sku: 'a', quantity: 1 }],
  { city: 'x' },
];

/** The sample, and the sample with each field (nested ones too) removed or replaced, and extra keys. */
function variants(sample: object): unknown[] {
  const out: unknown[] = [
    sample,
    {},
    JSON.parse('{"__proto__":{"polluted":true}}'),
    { ...sample, unknown: 1 },
  ];
  out.push({ ...sample, constructor: 'x' }, JSON.parse(`{"__proto__":1,${JSON.stringify(sample).slice(1)}`));
  const walk = (value: Record<string, unknown>, rebuild: (v: unknown) => unknown) => {
    for (const key of Object.keys(value)) {
      const { [key]: _removed, ...without } = value;
      out.push(rebuild(without));
      for (const replacement of replacements) out.push(rebuild({ ...value, [key]: replacement }));
      const child = value[key];
      if (child && typeof child === 'object' && !Array.isArray(child)) {
        walk(child as Record<string, unknown>, (v) => rebuild({ ...value, [key]: v }));
        out.push(rebuild({ ...value, [key]: { ...child, unknown: true } }));
      }
      if (Array.isArray(child) && child[0] && typeof child[0] === 'object') {
        walk(child[0] as Record<string, unknown>, (v) =>
          rebuild({ ...value, [key]: [v, ...child.slice(1)] }),
        );
      }
    }
  };
  walk(sample as Record<string, unknown>, (v) => v);
  return out;
}

function slow(target: new () => object, data: unknown, forbidUnknown: boolean): object | Error {
  const instance = plainToInstance(target, stripUnsafeKeys(data)) as object;
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: forbidUnknown,
    forbidUnknownValues: true,
  });
  return errors.length > 0 ? new Error(errors.map(String).join('\n')) : instance;
}

describe('validation plans', () => {
  it('are made for classes the fast path reproduces, and only for them', () => {
    expect(validationPlanOf(Flat)).toBeDefined();
    expect(validationPlanOf(Conditional)).toBeDefined();
    expect(validationPlanOf(Order)).toBeDefined();
    expect(
      validationPlanOf(Derived)
        ?.properties.map((p) => p.name)
        .sort(),
    ).toEqual(['count', 'id']);
    expect(validationPlanOf(Range)).toBeDefined();
    expect(validationPlanOf(Transformed)).toBeUndefined();
    expect(validationPlanOf(Undecorated)).toBeUndefined();
    expect(validationPlanOf(Converted)).toBeUndefined();
    expect(validationPlanOf(class Empty {})).toBeUndefined();
  });

  describe.each(samples)('%o', (target, sample) => {
    it.each([false, true])(
      'agrees with class-transformer + class-validator (forbidUnknown %s)',
      (forbidUnknown) => {
        const plan = validationPlanOf(target);
        let vouched = 0;
        let accepted = 0;
        for (const data of variants(sample)) {
          const expected = slow(target, data, forbidUnknown);
          if (!(expected instanceof Error)) accepted++;
          const fast =
            plan && data && typeof data === 'object'
              ? validInstanceByPlan(plan, data, forbidUnknown)
              : undefined;
          if (fast === undefined) continue;
          vouched++;
          expect(expected, JSON.stringify(data)).not.toBeInstanceOf(Error);
          expect(fast, JSON.stringify(data)).toStrictEqual(expected);
        }
        // (Undecorated's initialised field is always "unknown" when unknown properties are forbidden.)
        expect(accepted > 0).toBe(!(target === Undecorated && forbidUnknown));
        // The fast path must actually be taken for every valid variant of a class it has a plan for
        // (except constraints that return promises, which it always leaves to class-validator).
        if (plan && target !== Promised) expect(vouched).toBe(accepted);
        if (!plan || target === Promised) expect(vouched).toBe(0);
      },
    );
  });
});
