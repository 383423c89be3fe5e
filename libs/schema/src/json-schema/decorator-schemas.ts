import type { JsonSchema } from './json-schema.interface.js';
import {
  ASTRAL_CHARACTER_PATTERN,
  escapePattern,
  ISO8601_PATTERN,
  ISO8601_STRICT_SEPARATOR_PATTERN,
  IPV4_PATTERN,
  IPV6_PATTERN,
  isPortablePattern,
  lengthPattern,
  mayDisagreeOnAstral,
  NUMERIC_PATTERN,
} from './string-patterns.js';

/** The JSON values one class-validator check accepts, and whether the schema says exactly that. */
export interface DecoratorSchema {
  readonly schema: JsonSchema;
  /** `false`: the schema accepts more than the check (it cannot say everything the check tests). */
  readonly exact: boolean;
}

/** What class-transformer's `@Type()` makes of a JSON value before the checks run. */
export type ValueConversion = 'none' | 'date';

const ANY: DecoratorSchema = { schema: {}, exact: false };
const STRING_ONLY: DecoratorSchema = { schema: { type: 'string' }, exact: false };
const exact = (schema: JsonSchema): DecoratorSchema => ({ schema, exact: true });

/** `new Date(n)` is valid for |n| <= 8.64e15 ms (ECMA-262 TimeClip). */
const MAX_TIME = 8.64e15;
/**
 * What becomes a valid `Date` through `@Type(() => Date)`: numbers (epoch millis), booleans (0 or 1) and the
 * strings V8's date parser reads, which no pattern describes (`2024-05-01`, `2024-05-01T10:00:00Z`,
 * `May 1, 2024`...): any string is allowed. A `Date` published by samsa is serialised as an ISO 8601 string.
 */
function dateInput(min = -MAX_TIME, max = MAX_TIME): JsonSchema {
  return {
    anyOf: [{ type: 'string' }, { type: 'number', minimum: min, maximum: max }, { type: 'boolean' }],
    $comment:
      'a Date: any string the JavaScript Date parser reads (ISO 8601 recommended), or epoch milliseconds',
  };
}

/** JSON primitives a `===` comparison can match (objects never equal a parsed message's values). */
function isPrimitive(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function primitives(values: unknown): (string | number | boolean | null)[] {
  return Array.isArray(values) ? values.filter(isPrimitive) : [];
}

/** Names of class-validator's string checks: each starts with `typeof value === 'string'`. */
const STRING_CHECKS = new Set([
  'isBIC',
  'isBase32',
  'isBase58',
  'isBase64',
  'isBtcAddress',
  'isByteLength',
  'isCreditCard',
  'isCurrency',
  'isDataURI',
  'isDecimal',
  'isEAN',
  'isEthereumAddress',
  'IsFirebasePushId',
  'isFullWidth',
  'isHSL',
  'isHalfWidth',
  'isHash',
  'isIBAN',
  'isIsbn',
  'isIsin',
  'isISO31661Alpha2',
  'isISO31661Alpha3',
  'isISO31661Numeric',
  'isISRC',
  'isISSN',
  'isIdentityCard',
  'isJson',
  'isJwt',
  'isLocale',
  'isLowercase',
  'isMacAddress',
  'isMagnetURI',
  'isMimeType',
  'isMobilePhone',
  'isOctal',
  'isPassportNumber',
  'isPhoneNumber',
  'isPort',
  'isPostalCode',
  'isRFC3339',
  'isRgbColor',
  'isSemVer',
  'isStrongPassword',
  'isSurrogatePair',
  'isTimeZone',
  'isUppercase',
  'isUrl',
  'isVariableWidth',
  'isMultibyte',
  'isISO4217CurrencyCode',
  'isTaxId',
  'isISO6391',
]);

type Converter = (constraints: readonly unknown[]) => DecoratorSchema;

/** Checks whose accepted JSON values a schema can state (exactly, or as a described superset). */
const CONVERTERS: Readonly<Record<string, Converter>> = {
  // common
  isDefined: () => exact({ not: { type: 'null' } }),
  equals: ([value]) => (isPrimitive(value) ? exact({ const: value }) : ANY),
  notEquals: ([value]) => (isPrimitive(value) ? exact({ not: { const: value } }) : ANY),
  isEmpty: () => exact({ enum: ['', null] }),
  isNotEmpty: () => exact({ not: { enum: ['', null] } }),
  isIn: ([values]) => exact({ enum: primitives(values) }),
  isNotIn: ([values]) => exact({ not: { enum: primitives(values) } }),
  // type checks
  isBoolean: () => exact({ type: 'boolean' }),
  isString: () => exact({ type: 'string' }),
  isNumber: ([options]) =>
    (options as { maxDecimalPlaces?: number } | undefined)?.maxDecimalPlaces === undefined
      ? exact({ type: 'number' })
      : { schema: { type: 'number' }, exact: false },
  isInt: () => exact({ type: 'integer' }),
  isArray: () => exact({ type: 'array' }),
  isObject: () => exact({ type: 'object' }),
  isEnum: ([entity]) =>
    exact({ enum: primitives(Object.keys(entity as object).map((key) => (entity as never)[key])) }),
  // JSON carries no Date: `@Type(() => Date)` makes one (see `dateChecks`); without it every value fails.
  isDate: () => ({ schema: dateInput(), exact: false }),
  minDate: () => ({ schema: dateInput(), exact: false }),
  maxDate: () => ({ schema: dateInput(), exact: false }),
  // numbers
  min: ([bound]) => exact({ type: 'number', minimum: bound }),
  max: ([bound]) => exact({ type: 'number', maximum: bound }),
  isPositive: () => exact({ type: 'number', exclusiveMinimum: 0 }),
  isNegative: () => exact({ type: 'number', exclusiveMaximum: 0 }),
  isDivisibleBy: ([divisor]) => divisibleBy(divisor),
  // strings
  isLength: ([min, max]) => length(Number(min ?? 0), typeof max === 'number' ? max : undefined),
  minLength: ([min]) => length(Number(min)),
  maxLength: ([max]) => length(0, Number(max)),
  matches: ([pattern, modifiers]) => matches(pattern, modifiers),
  contains: ([seed]) => exact({ type: 'string', pattern: escapePattern(String(seed)) }),
  notContains: ([seed]) => exact({ type: 'string', not: { pattern: escapePattern(String(seed)) } }),
  isDateString: ([options]) => iso8601(options),
  isIso8601: ([options]) => iso8601(options),
  isBooleanString: () => exact({ type: 'string', enum: ['true', 'false', '1', '0'] }),
  isNumberString: ([options]) =>
    options === undefined || Object.keys(options as object).length === 0
      ? exact({ type: 'string', pattern: NUMERIC_PATTERN })
      : STRING_ONLY,
  isAlpha: ([locale]) =>
    isDefaultLocale(locale) ? exact({ type: 'string', pattern: '^[A-Za-z]+$' }) : STRING_ONLY,
  isAlphanumeric: ([locale]) =>
    isDefaultLocale(locale) ? exact({ type: 'string', pattern: '^[0-9A-Za-z]+$' }) : STRING_ONLY,
  isAscii: () => exact({ type: 'string', pattern: '^[\\u0000-\\u007F]+$' }),
  isHexadecimal: () => exact({ type: 'string', pattern: '^(0[xXhH])?[0-9A-Fa-f]+$' }),
  isHexColor: () =>
    exact({ type: 'string', pattern: '^#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$' }),
  isMongoId: () => exact({ type: 'string', pattern: '^(0[xXhH][0-9A-Fa-f]{22}|[0-9A-Fa-f]{24})$' }),
  isUuid: ([version]) => uuid(version),
  isIp: ([version]) => ip(version),
  // validator.js needs an `@`, and by default (`require_tld`) a dot in the domain after the last one.
  isEmail: ([options]) => ({
    schema: { type: 'string', pattern: requiresTld(options) ? '@[^@]*\\.' : '@' },
    exact: false,
  }),
  isFqdn: ([options]) =>
    requiresTld(options) ? { schema: { type: 'string', pattern: '\\.' }, exact: false } : STRING_ONLY,
  isMilitaryTime: () => exact({ type: 'string', pattern: '^([01]\\d|2[0-3]):?([0-5]\\d)$' }),
  // arrays
  arrayNotEmpty: () => exact({ type: 'array', minItems: 1 }),
  arrayMinSize: ([size]) => exact({ type: 'array', minItems: size }),
  arrayMaxSize: ([size]) => exact({ type: 'array', maxItems: size }),
  arrayContains: ([values]) => ({
    schema: { type: 'array', allOf: primitives(values).map((value) => ({ contains: { const: value } })) },
    exact: primitives(values).length === (values as unknown[]).length,
  }),
  arrayNotContains: ([values]) => exact({ type: 'array', items: { not: { enum: primitives(values) } } }),
  // `===` uniqueness: equal objects are distinct for class-validator, duplicates for `uniqueItems`.
  arrayUnique: ([identifier]) =>
    identifier === undefined
      ? {
          schema: {
            type: 'array',
            if: { items: { type: ['string', 'number', 'boolean', 'null'] } },
            then: { uniqueItems: true },
          },
          exact: false,
        }
      : { schema: { type: 'array' }, exact: false },
  // objects
  isNotEmptyObject: ([options]) =>
    (options as { nullable?: boolean } | undefined)?.nullable === false
      ? { schema: { type: 'object', minProperties: 1 }, exact: false }
      : exact({ type: 'object', minProperties: 1 }),
};

/**
 * The schema of one class-validator check by its constraint name (`isEmail`, `maxLength`, ...) and
 * constraints. Unknown names (custom validators) accept anything; known string checks without a portable
 * equivalent (`isUrl`, `isIP`, ...) accept any string: JSON Schema formats disagree with validator.js both ways.
 */
export function schemaOfCheck(
  name: string,
  constraints: readonly unknown[],
  conversion: ValueConversion,
): DecoratorSchema {
  if (conversion === 'date') return dateCheck(name, constraints);
  const converter = CONVERTERS[name];
  if (converter) return converter(constraints);
  return STRING_CHECKS.has(name) ? STRING_ONLY : ANY;
}

/** Checks of a `@Type(() => Date)` property: they see a Date made from the JSON value. */
function dateCheck(name: string, constraints: readonly unknown[]): DecoratorSchema {
  const bound = constraints[0];
  const time = bound instanceof Date ? bound.getTime() : undefined;
  if (name === 'isDate') return { schema: dateInput(), exact: false };
  if (name === 'minDate') return { schema: dateInput(time), exact: false };
  if (name === 'maxDate') return { schema: dateInput(undefined, time), exact: false };
  if (name === 'isDefined') return exact({ not: { type: 'null' } });
  return ANY;
}

const HEX = '[0-9a-fA-F]';
/** validator.js `isUUID` for no version (`all`) or a single version 1 to 8; other versions: any string. */
function uuid(version: unknown): DecoratorSchema {
  const shaped = (digit: string): string =>
    `${HEX}{8}-${HEX}{4}-${digit}${HEX}{3}-[89abAB]${HEX}{3}-${HEX}{12}`;
  if (version === undefined || version === null || version === 'all') {
    const nil = '00000000-0000-0000-0000-000000000000';
    const max = '[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12}';
    return exact({ type: 'string', pattern: `^(?:${shaped('[1-8]')}|${nil}|${max})$` });
  }
  const digit = String(version);
  return /^[1-8]$/.test(digit) ? exact({ type: 'string', pattern: `^${shaped(digit)}$` }) : STRING_ONLY;
}

/** validator.js `isIP`: version 4, 6, or either. */
function ip(version: unknown): DecoratorSchema {
  const wanted = version === undefined || version === null || version === '' ? '' : String(version);
  if (wanted === '4') return exact({ type: 'string', pattern: IPV4_PATTERN });
  if (wanted === '6') return exact({ type: 'string', pattern: IPV6_PATTERN });
  if (wanted === '')
    return exact({ type: 'string', anyOf: [{ pattern: IPV4_PATTERN }, { pattern: IPV6_PATTERN }] });
  return exact({ type: 'string', not: {} }); // isIP rejects every other version
}

/** ajv checks `multipleOf` with `parseInt(value / divisor)`, wrong from 1e21 on: larger numbers pass. */
const MULTIPLE_OF_LIMIT = 1e21;

function divisibleBy(divisor: unknown): DecoratorSchema {
  if (typeof divisor !== 'number' || !Number.isInteger(divisor) || divisor <= 0) {
    return { schema: { type: 'number' }, exact: false };
  }
  return {
    schema: {
      type: 'number',
      anyOf: [{ multipleOf: divisor }, { minimum: MULTIPLE_OF_LIMIT }, { maximum: -MULTIPLE_OF_LIMIT }],
    },
    exact: false,
  };
}

/** validator.js `isLength`, as a pattern (see `lengthPattern`); `minLength` is implied and stated. */
function length(min: number, max?: number): DecoratorSchema {
  const range = max === undefined ? `at least ${min}` : `${min} to ${max}`;
  return exact({
    type: 'string',
    pattern: lengthPattern(min, max),
    ...(min > 0 ? { minLength: min } : {}),
    $comment: `${range} characters as validator.js counts them (an emoji presentation sequence is one)`,
  });
}

function matches(pattern: unknown, modifiers: unknown): DecoratorSchema {
  const regexp =
    pattern instanceof RegExp
      ? pattern
      : new RegExp(String(pattern), typeof modifiers === 'string' ? modifiers : undefined);
  const flags = regexp.flags.replace('g', '');
  // `i`, `m`, `s`, `y` and `v` change what matches in ways a JSON Schema pattern cannot say.
  if ((flags !== '' && flags !== 'u') || !isPortablePattern(regexp.source)) return STRING_ONLY;
  if (flags === '' && mayDisagreeOnAstral(regexp.source)) {
    return {
      schema: { type: 'string', anyOf: [{ pattern: regexp.source }, { pattern: ASTRAL_CHARACTER_PATTERN }] },
      exact: false,
    };
  }
  return exact({ type: 'string', pattern: regexp.source });
}

/** validator.js `isISO8601`; with `strict: true` it also rejects impossible dates (`2023-02-30`), which no pattern says. */
function iso8601(options: unknown): DecoratorSchema {
  const { strict, strictSeparator } = (options ?? {}) as { strict?: boolean; strictSeparator?: boolean };
  const pattern = strictSeparator === true ? ISO8601_STRICT_SEPARATOR_PATTERN : ISO8601_PATTERN;
  return { schema: { type: 'string', pattern }, exact: strict !== true };
}

function requiresTld(options: unknown): boolean {
  return (options as { require_tld?: boolean } | undefined)?.require_tld !== false;
}

function isDefaultLocale(locale: unknown): boolean {
  return locale === undefined || locale === 'en-US';
}
