const NUMBER = /^-?\d+$/;
/** What a numeric column shows for "no value". */
const NONE = '-';

/**
 * Rows under a header in padded columns, two spaces apart, no trailing spaces. Columns holding only integers (or
 * `-` for none) are right-aligned. Returns one string with a newline after every line.
 */
export function formatTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  indent = '',
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = header.map((_, column) => {
    const cells = rows.map((row) => row[column] ?? '');
    return (
      cells.some((cell) => NUMBER.test(cell)) && cells.every((cell) => NUMBER.test(cell) || cell === NONE)
    );
  });
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd() +
    '\n';
  return [header, ...rows].map(line).join('');
}
