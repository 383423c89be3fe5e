/** A class's name for error messages, or a short description of a value that is not a class. */
export function describeClass(value: unknown): string {
  if (typeof value === 'function') return value.name === '' ? 'an anonymous class' : value.name;
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
