// Prints `tests: N passed, M failed` (and skipped, if any) from Vitest's JSON reports.
//   node scripts/ci/summary.mjs [report.json]                 one report, one line
//   node scripts/ci/summary.mjs 'node 20=a.json' 'node 22=b.json' ...
//                                 one line per labelled report, then the total as the last line
import { readFileSync } from 'node:fs';

/** @param {string} file @returns {{ passed: number, failed: number, skipped: number, note?: string }} */
function count(file) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { passed: 0, failed: 1, skipped: 0, note: `no report at ${file}: ${error.message}` };
  }
  // Suites that failed to load count as failures too: their tests never ran.
  const failed =
    (report.numFailedTests ?? 0) +
    (report.numFailedTestSuites && !report.numFailedTests ? report.numFailedTestSuites : 0);
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  return { passed: report.numPassedTests ?? 0, failed, skipped };
}

/** @param {{ passed: number, failed: number, skipped: number, note?: string }} c */
const line = (c) =>
  `tests: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}` +
  (c.note ? ` (${c.note})` : '');

const args = process.argv.slice(2);
const reports = (args.length ? args : ['test-results/vitest.json']).map((arg) => {
  const at = arg.indexOf('=');
  return at < 0 ? { label: '', file: arg } : { label: arg.slice(0, at), file: arg.slice(at + 1) };
});
const total = { passed: 0, failed: 0, skipped: 0 };
for (const { label, file } of reports) {
  const c = count(file);
  if (reports.length > 1) console.log(`${label || file}: ${line(c)}`);
  else console.log(line(c));
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}
if (reports.length > 1) console.log(line(total));
process.exit(total.failed > 0 ? 1 : 0);
