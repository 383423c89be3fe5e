// Patterns that reproduce validator.js checks exactly under JSON Schema's ECMA-262 regular expressions (ajv
// compiles them with the `u` flag; Python's `re` reads them the same way, with wider `\d`/`\s`).

/** validator.js 13 `isISO8601` (what `@IsDateString()` and `@IsISO8601()` run without `strictSeparator`). */
export const ISO8601_PATTERN =
  '^([\\+-]?\\d{4}(?!\\d{2}\\b))((-?)((0[1-9]|1[0-2])(\\3([12]\\d|0[1-9]|3[01]))?|W([0-4]\\d|5[0-3])(-?[1-7])?|(00[1-9]|0[1-9]\\d|[12]\\d{2}|3([0-5]\\d|6[1-6])))([T\\s]((([01]\\d|2[0-3])((:?)[0-5]\\d)?|24:?00)([\\.,]\\d+(?!:))?)?(\\17[0-5]\\d([\\.,]\\d+)?)?([zZ]|([\\+-])([01]\\d|2[0-3]):?([0-5]\\d)?)?)?)?$';

/** The same with `strictSeparator: true`: only `T` between date and time. */
export const ISO8601_STRICT_SEPARATOR_PATTERN = ISO8601_PATTERN.replace('([T\\s]', '([T]');

// validator.js 13 `isIP`, built as it builds them.
const IPV4_SEGMENT = '(?:[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])';
const IPV4 = `(${IPV4_SEGMENT}[.]){3}${IPV4_SEGMENT}`;
const IPV6_SEGMENT = '(?:[0-9a-fA-F]{1,4})';
const S = IPV6_SEGMENT;
/** `isIP(value, 4)`. */
export const IPV4_PATTERN = `^${IPV4}$`;
/** `isIP(value, 6)`, zone id (`%eth0`) included. */
export const IPV6_PATTERN =
  '^(' +
  `(?:${S}:){7}(?:${S}|:)|` +
  `(?:${S}:){6}(?:${IPV4}|:${S}|:)|` +
  `(?:${S}:){5}(?::${IPV4}|(:${S}){1,2}|:)|` +
  `(?:${S}:){4}(?:(:${S}){0,1}:${IPV4}|(:${S}){1,3}|:)|` +
  `(?:${S}:){3}(?:(:${S}){0,2}:${IPV4}|(:${S}){1,4}|:)|` +
  `(?:${S}:){2}(?:(:${S}){0,3}:${IPV4}|(:${S}){1,5}|:)|` +
  `(?:${S}:){1}(?:(:${S}){0,4}:${IPV4}|(:${S}){1,6}|:)|` +
  `(?::((?::${S}){0,5}:${IPV4}|(?::${S}){1,7}|:))` +
  ')(%[0-9a-zA-Z.]{1,})?$';

/** validator.js `isNumeric` without options (`@IsNumberString()`). */
export const NUMERIC_PATTERN = '^[+-]?([0-9]*[.])?[0-9]+$';

const VARIATION_SELECTOR = '[\\uFE0E\\uFE0F]';
/**
 * One character as validator.js `isLength` counts them: a code point, with a variation selector (U+FE0E/U+FE0F)
 * right after another character counted with it (a presentation sequence is one character).
 */
const COUNTED_CHARACTER = `(?:[^\\uFE0E\\uFE0F](?:${VARIATION_SELECTOR}|(?!${VARIATION_SELECTOR}))|${VARIATION_SELECTOR})`;

/**
 * A pattern accepting exactly the strings validator.js `isLength` accepts for `min`..`max` (what `@Length`,
 * `@MinLength` and `@MaxLength` run). `minLength`/`maxLength` count code points, which disagrees on emoji
 * presentation sequences (`❤️` is two code points, one character for validator.js).
 */
export function lengthPattern(min: number, max?: number): string {
  const low = Math.max(0, Math.ceil(min));
  const high = max === undefined ? '' : String(Math.floor(max));
  return `^${COUNTED_CHARACTER}{${low},${high}}$`;
}

/** A regular expression source matching `text` literally. */
export function escapePattern(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Matches strings with a character outside the Basic Multilingual Plane (same reading in JS and Python). */
export const ASTRAL_CHARACTER_PATTERN = '[^\\u0000-\\uFFFF]';

/**
 * Whether a regular expression written without the `u` flag may judge a string with astral characters
 * differently in unicode mode (which JSON Schema validators use): it can match half a surrogate pair.
 */
export function mayDisagreeOnAstral(source: string): boolean {
  return /\.|\[\^|\\[SWD]|\\u[dD][89a-fA-F]|[\uD800-\uDFFF]/.test(source);
}

/** Whether `source` compiles in unicode mode, as JSON Schema validators compile patterns. */
export function isPortablePattern(source: string): boolean {
  if (source.includes('\\u{')) return false; // means "u repeated" without the flag
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}
