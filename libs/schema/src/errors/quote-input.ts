/**
 * The most characters of a record's own text (a schema reference, a property name) an error message
 * quotes. Messages end up in logs and dead-letter headers: a 5 MB reference must not make a 5 MB message.
 */
export const QUOTED_INPUT_LIMIT = 120;

/**
 * `text` as it is when short, else its first `limit` characters (never half a surrogate pair) and how
 * many characters were left out.
 */
export function quoteInput(text: string, limit = QUOTED_INPUT_LIMIT): string {
  if (text.length <= limit) return text;
  const end = isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
  return `${text.slice(0, end)}…(${text.length - end} more characters)`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
