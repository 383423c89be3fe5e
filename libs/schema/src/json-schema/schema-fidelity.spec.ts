// The differential test of the contract: generated payloads (valid and near-valid, per decorator) go through
// samsa's validation and through ajv (draft 2020-12, with and without ajv-formats) on the published schema.
// A payload samsa accepts that the schema rejects fails the test; the other direction (the schema is looser)
// is counted per decorator and printed, and must happen only for decorators docs/contract.md lists as loose.
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayContains,
  ArrayMaxSize,
  ArrayMinSize,
  ArrayNotContains,
  ArrayNotEmpty,
  ArrayUnique,
  Contains,
  Equals,
  IsAlpha,
  IsAlphanumeric,
  IsArray,
  IsAscii,
  IsBoolean,
  IsBooleanString,
  IsDate,
  IsDateString,
  IsDefined,
  IsDivisibleBy,
  IsEmail,
  IsEmpty,
  IsEnum,
  IsFQDN,
  IsHexColor,
  IsHexadecimal,
  IsIn,
  IsInt,
  IsIP,
  IsISO8601,
  IsLatitude,
  IsLowercase,
  IsMilitaryTime,
  IsMongoId,
  IsNegative,
  IsNotEmpty,
  IsNotEmptyObject,
  IsNotIn,
  IsNumber,
  IsNumberString,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxDate,
  MaxLength,
  Min,
  MinDate,
  MinLength,
  NotContains,
  NotEquals,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Schema } from '../decorators/schema.decorator.js';
import { validateMessageSync } from '../validation/validate-message.js';
import { toJsonSchema } from './to-json-schema.js';

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
// strict mode (union types aside, which JSON Schema allows): the schemas use no unknown or ignored keywords
const plainAjv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: false });
const formatsAjv = addFormats(new Ajv2020({ strict: false, allErrors: false }));

const RUNS = 200;

// ---- value generators --------------------------------------------------------------------------------------
const tricky = fc.constantFrom(
  '',
  ' ',
  'a',
  'A',
  'abc',
  'ABC',
  'aBc1',
  '0x1F',
  '#fff',
  '12:30',
  '1230',
  'true',
  '1',
  '0',
  '-1.5',
  '+.5',
  'ops@localhost',
  'ops@example.com',
  'ü@example.com',
  'http://example.com',
  'example.com',
  '127.0.0.1',
  '::1',
  '❤️',
  '❤️❤️',
  '😀',
  '😀😀',
  'é',
  '\uFE0F',
  'a\uFE0F\uFE0F',
  '\uD800',
  '2024-05-01',
  '2024-05-01T10:00:00Z',
  '2024-05-01T10:00:00.123+02:00',
  '2024-05-01 10:00',
  'May 1, 2024',
  '507f1f77bcf86cd799439011',
  '0x507f1f77bcf86cd7994390',
  'a.b',
  'xa.by',
  'ab',
  'AB',
);
const shortStrings = fc.oneof(
  tricky,
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 5 }),
  fc.string({ unit: fc.constantFrom('a', 'B', '1', '\uFE0F', '😀', '-', ':', '.', '#', 'x'), maxLength: 8 }),
);
const numbers = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 0.5, 3, 6, 9e15, -9e15, 8.64e15, 1.5e300),
);
const emails = fc.constantFrom(
  '"a@b"@x.com',
  '"a b"@x.com',
  'ü@example.com',
  'a@b@c.com',
  'x@[1.2.3.4]',
  'x@1.2.3.4',
  'ops@localhost',
  'a.@x.com',
  'a@x.co.',
);
const hosts = fc.constantFrom(
  'localhost',
  'ex_ample.com',
  'exämple.com',
  'example.com.',
  'a.b',
  '1.2.3.4',
  'xn--e1a.com',
);
const ips = fc.constantFrom(
  '::1',
  'fe80::1%eth0',
  '::ffff:1.2.3.4',
  '01.2.3.4',
  '1.2.3',
  '256.1.1.1',
  '::',
  'a::b::c',
);
const primitives = fc.oneof(shortStrings, numbers, fc.boolean(), fc.constant(null));
const jsonValues = fc.oneof(
  { weight: 3, arbitrary: primitives },
  { weight: 1, arbitrary: fc.array(primitives, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'city'), primitives, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const someDate = fc.oneof(
  fc.date({ noInvalidDate: true, min: new Date('1900-01-01'), max: new Date('2100-01-01') }),
  fc.date({ noInvalidDate: true }),
);
const isoDates = fc.oneof(
  someDate.map((d) => d.toISOString()),
  someDate.map((d) => d.toISOString().slice(0, 10)),
  someDate.map((d) => d.toISOString().replace(/\.\d+Z$/, 'Z')),
  someDate.map((d) => d.toISOString().replace(/\.\d+Z$/, '+02:00')),
  someDate.map((d) => d.toISOString().replace('T', ' ').slice(0, 16)),
  someDate.map((d) => d.getTime()),
);
const dates = fc.oneof(isoDates, jsonValues);
const arrays = fc.oneof(
  fc.constantFrom([1, 'a'], ['a', 2, 1], [1, 1], ['a', 'a', null]),
  fc.array(fc.oneof(fc.constantFrom(1, 'a', 2, 'b', null, true), fc.constant({ a: 1 })), { maxLength: 4 }),
  jsonValues,
);

/** One value: plain generic values, the decorator's own (valid and near-valid) values, and the value left out. */
function valuesOf(own: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 4, arbitrary: own.map((v) => ({ v })) },
    { weight: 2, arbitrary: jsonValues.map((v) => ({ v })) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

// ---- one class per decorator ------------------------------------------------------------------------------
enum Priority {
  Low = 1,
  High = 2,
}
enum Colour {
  Red = 'red',
  Blue = 'blue',
}

class Address {
  @IsString() city!: string;
}

@ValidatorConstraint({ name: 'isPalindrome' })
class IsPalindrome implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value === [...value].reverse().join('');
  }
}

interface Case {
  readonly name: string;
  readonly target: new () => object;
  readonly values: fc.Arbitrary<Record<string, unknown>>;
  /** docs/contract.md lists the decorator as loose: its schema may accept values validation rejects. */
  readonly loose: boolean;
}

let counter = 0;
/** A `@Schema()` class with one property `v` carrying `decorators`. */
function messageWith(...decorators: PropertyDecorator[]): new () => object {
  class Message {
    v?: unknown;
  }
  for (const decorator of decorators) decorator(Message.prototype, 'v');
  Schema(`Fidelity.${++counter}`)(Message);
  return Message;
}

function exact(name: string, own: fc.Arbitrary<unknown>, ...decorators: PropertyDecorator[]): Case {
  return { name, target: messageWith(...decorators), values: valuesOf(own), loose: false };
}

function loose(name: string, own: fc.Arbitrary<unknown>, ...decorators: PropertyDecorator[]): Case {
  return { ...exact(name, own, ...decorators), loose: true };
}

const addresses = fc.oneof(
  fc.record({ city: shortStrings }),
  fc.record({ city: jsonValues }),
  fc.array(fc.record({ city: shortStrings }), { maxLength: 3 }),
  fc.array(fc.array(fc.record({ city: shortStrings }), { maxLength: 2 }), { maxLength: 2 }),
  jsonValues,
);

const CASES: readonly Case[] = [
  exact('@IsString()', shortStrings, IsString()),
  exact('@IsNumber()', numbers, IsNumber()),
  exact('@IsInt()', numbers, IsInt()),
  exact('@IsBoolean()', fc.boolean(), IsBoolean()),
  exact('@IsArray()', arrays, IsArray()),
  exact('@IsObject()', jsonValues, IsObject()),
  exact('@IsEnum(numeric)', fc.constantFrom(1, 2, 3, 'Low', 'High', '1'), IsEnum(Priority)),
  exact('@IsEnum(string)', fc.constantFrom('red', 'blue', 'Red', 'green'), IsEnum(Colour)),
  exact('@IsIn()', fc.constantFrom(1, 'two', true, 2, 'Two', false), IsIn([1, 'two', true])),
  exact('@IsNotIn()', fc.constantFrom(1, 'two', 2, null), IsNotIn([1, 'two'])),
  exact('@Equals()', fc.constantFrom('x', 'y', 1), Equals('x')),
  exact('@NotEquals()', fc.constantFrom('x', 'y', 1), NotEquals('x')),
  exact('@IsEmpty()', fc.constantFrom('', null, 0, ' '), IsEmpty()),
  exact('@IsNotEmpty()', fc.constantFrom('', null, 0, ' '), IsNotEmpty()),
  exact('@IsDefined()', jsonValues, IsDefined()),
  exact('@Allow()', jsonValues, Allow()),
  exact('@IsOptional() @IsString()', fc.oneof(shortStrings, fc.constant(null)), IsOptional(), IsString()),
  exact('@IsOptional() @IsEnum(numeric)', fc.constantFrom(1, 'Low', null, 5), IsOptional(), IsEnum(Priority)),
  exact('@Min(3)', numbers, Min(3)),
  exact('@Max(3)', numbers, Max(3)),
  exact('@IsPositive()', numbers, IsPositive()),
  exact('@IsNegative()', numbers, IsNegative()),
  loose('@IsDivisibleBy(3)', numbers, IsDivisibleBy(3)),
  exact('@IsInt() @Min(1)', numbers, IsInt(), Min(1)),
  loose(
    '@IsDate() @Type(() => Date)',
    dates,
    IsDate(),
    Type(() => Date),
  ),
  loose('@IsDate()', dates, IsDate()),
  loose(
    '@MinDate() @Type(() => Date)',
    dates,
    MinDate(new Date('2000-01-01')),
    Type(() => Date),
  ),
  loose(
    '@MaxDate() @Type(() => Date)',
    dates,
    MaxDate(new Date('2030-01-01')),
    Type(() => Date),
  ),
  exact('@IsDateString()', fc.oneof(isoDates, shortStrings), IsDateString()),
  exact(
    '@IsISO8601({ strictSeparator })',
    fc.oneof(isoDates, shortStrings),
    IsISO8601({ strictSeparator: true }),
  ),
  exact('@MaxLength(2)', shortStrings, MaxLength(2)),
  exact('@MinLength(2)', shortStrings, MinLength(2)),
  exact('@Length(1, 3)', shortStrings, Length(1, 3)),
  exact(
    '@Matches(/^[a-z]+\\d?$/)',
    fc.oneof(fc.stringMatching(/^[a-z]+\d?$/), shortStrings),
    Matches(/^[a-z]+\d?$/),
  ),
  loose(
    '@Matches(/^ab$/i)',
    fc.oneof(fc.constantFrom('ab', 'AB', 'aB', 'abc'), shortStrings),
    Matches(/^ab$/i),
  ),
  loose('@Matches(/^.{2}$/)', shortStrings, Matches(/^.{2}$/)),
  exact('@Matches(/^.{1,2}$/u)', shortStrings, Matches(/^.{1,2}$/u)),
  exact('@Contains("a.b")', fc.oneof(fc.constantFrom('a.b', 'xa.by', 'axb'), shortStrings), Contains('a.b')),
  exact('@NotContains("a.b")', shortStrings, NotContains('a.b')),
  loose('@IsEmail()', fc.oneof(fc.emailAddress(), emails, shortStrings), IsEmail()),
  loose(
    '@IsEmail({ require_tld: false })',
    fc.oneof(fc.emailAddress(), emails),
    IsEmail({ require_tld: false }),
  ),
  loose('@IsUrl()', fc.oneof(fc.webUrl(), shortStrings), IsUrl()),
  exact(
    '@IsUUID()',
    fc.oneof(
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
      shortStrings,
    ),
    IsUUID(),
  ),
  exact('@IsUUID(4)', fc.oneof(fc.uuid({ version: 4 }), fc.uuid(), shortStrings), IsUUID(4)),
  loose('@IsFQDN()', fc.oneof(fc.domain(), hosts, shortStrings), IsFQDN()),
  exact('@IsIP()', fc.oneof(fc.ipV4(), fc.ipV6(), ips, shortStrings), IsIP()),
  exact('@IsIP(4)', fc.oneof(fc.ipV4(), fc.ipV4Extended(), ips, shortStrings), IsIP(4)),
  exact('@IsIP(6)', fc.oneof(fc.ipV6(), ips, shortStrings), IsIP(6)),
  exact('@IsAlpha()', fc.oneof(fc.stringMatching(/^[a-zA-Zé]{1,4}$/), shortStrings), IsAlpha()),
  exact(
    '@IsAlphanumeric()',
    fc.oneof(fc.stringMatching(/^[a-zA-Z0-9_]{1,4}$/), shortStrings),
    IsAlphanumeric(),
  ),
  exact('@IsAscii()', shortStrings, IsAscii()),
  exact(
    '@IsHexadecimal()',
    fc.oneof(fc.stringMatching(/^(0x)?[0-9a-fA-F]{1,6}$/), shortStrings),
    IsHexadecimal(),
  ),
  exact('@IsHexColor()', fc.oneof(fc.stringMatching(/^#?[0-9a-fA-F]{3,8}$/), shortStrings), IsHexColor()),
  exact('@IsMongoId()', fc.oneof(fc.stringMatching(/^(0x)?[0-9a-fA-F]{22,24}$/), shortStrings), IsMongoId()),
  exact(
    '@IsMilitaryTime()',
    fc.oneof(fc.stringMatching(/^\d\d:?\d\d$/), fc.constantFrom('12:30', '2359', '00:00'), shortStrings),
    IsMilitaryTime(),
  ),
  exact('@IsNumberString()', fc.oneof(fc.stringMatching(/^[+-]?\d*\.?\d+$/), shortStrings), IsNumberString()),
  exact(
    '@IsBooleanString()',
    fc.oneof(fc.constantFrom('true', 'false', '1', '0', 'TRUE', 'yes'), shortStrings),
    IsBooleanString(),
  ),
  loose('@IsLowercase()', shortStrings, IsLowercase()),
  loose('@IsLatitude()', fc.oneof(numbers, shortStrings), IsLatitude()),
  exact('@IsNotEmptyObject()', jsonValues, IsNotEmptyObject()),
  exact('@ArrayNotEmpty()', arrays, ArrayNotEmpty()),
  exact('@ArrayMinSize(2)', arrays, ArrayMinSize(2)),
  exact('@ArrayMaxSize(2)', arrays, ArrayMaxSize(2)),
  exact('@ArrayContains([1, "a"])', arrays, ArrayContains([1, 'a'])),
  exact('@ArrayNotContains([1, "a"])', arrays, ArrayNotContains([1, 'a'])),
  loose('@ArrayUnique()', arrays, ArrayUnique()),
  exact('@IsString({ each: true })', arrays, IsString({ each: true })),
  exact('@IsArray() @IsInt({ each: true })', arrays, IsArray(), IsInt({ each: true })),
  // arrays nested two deep are allowed whatever they hold
  loose(
    '@ValidateNested() @Type(() => Address)',
    addresses,
    ValidateNested(),
    Type(() => Address),
  ),
  // arrays nested two deep are allowed whatever they hold
  loose(
    '@IsDefined() @ValidateNested() @Type(() => Address)',
    addresses,
    IsDefined(),
    ValidateNested(),
    Type(() => Address),
  ),
  // arrays nested two deep are allowed whatever they hold
  loose(
    '@IsArray() @ValidateNested({ each: true }) @Type(() => Address)',
    addresses,
    IsArray(),
    ValidateNested({ each: true }),
    Type(() => Address),
  ),
  // arrays nested two deep are allowed whatever they hold
  loose(
    '@IsOptional() @ValidateNested() @Type(() => Address)',
    addresses,
    IsOptional(),
    ValidateNested(),
    Type(() => Address),
  ),
  loose(
    '@ValidateIf() @IsString()',
    shortStrings,
    ValidateIf((o: { v?: unknown }) => typeof o.v !== 'number'),
    IsString(),
  ),
  loose('@Validate(custom)', shortStrings, Validate(IsPalindrome)),
];

// ---- the comparison ---------------------------------------------------------------------------------------
function samsaAccepts(target: new () => object, payload: unknown): boolean {
  try {
    validateMessageSync(target, payload);
    return true;
  } catch {
    return false;
  }
}

interface Tally {
  runs: number;
  accepted: number;
  looserPlain: number;
  looserFormats: number;
}
const tallies = new Map<string, Tally>();

describe('published JSON Schema vs samsa validation (differential)', () => {
  for (const { name, target, values, loose } of CASES) {
    it(`${name}: every payload samsa accepts validates against the schema`, () => {
      const schema = toJsonSchema(target);
      const plainCheck = plainAjv.compile(schema);
      const formatsCheck = formatsAjv.compile(schema);
      const tally: Tally = { runs: 0, accepted: 0, looserPlain: 0, looserFormats: 0 };
      tallies.set(name, tally);
      fc.assert(
        fc.property(values, (payload) => {
          // validation strips unknown keys and may keep references: give each side its own copy
          const accepted = samsaAccepts(target, structuredClone(payload));
          const byPlain = plainCheck(payload);
          const byFormats = formatsCheck(payload);
          tally.runs++;
          if (accepted) tally.accepted++;
          if (!accepted && byPlain) tally.looserPlain++;
          if (!accepted && byFormats) tally.looserFormats++;
          if (accepted && !(byPlain && byFormats)) {
            throw new Error(
              `samsa accepts ${JSON.stringify(payload)} but the schema rejects it ` +
                `(ajv ${byPlain ? 'with' : 'without'} formats): ${JSON.stringify(schema.properties)}`,
            );
          }
        }),
        { numRuns: RUNS },
      );
      // the generators reach values validation accepts (plain @IsDate() accepts no JSON value at all)
      if (name !== '@IsDate()') expect(tally.accepted).toBeGreaterThan(0);
      // a decorator documented as exact has a schema that rejects whatever validation rejects
      if (!loose) expect({ name, looser: tally.looserPlain }).toEqual({ name, looser: 0 });
    });
  }

  afterAll(() => {
    const rows = [...tallies].map(
      ([name, t]) =>
        `${name.padEnd(66)} accepted ${String(t.accepted).padStart(3)}/${t.runs}` +
        `  schema looser: ${t.looserPlain} (no formats) ${t.looserFormats} (formats)`,
    );
    console.log(`schema fidelity, per decorator:\n${rows.join('\n')}`);
  });
});
