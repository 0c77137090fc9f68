// Prints the suite's closing line, "tests: N passed, N failed, N skipped", from vitest's JSON report
// plus, when given, Playwright's (the end-to-end tests).
import { readFileSync } from 'node:fs';

const [vitestFile, playwrightFile] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  if (playwrightFile) {
    const s = JSON.parse(readFileSync(playwrightFile, 'utf8')).stats;
    passed += s.expected + s.flaky;
    failed += s.unexpected;
    skipped += s.skipped;
  }
  process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
} catch (err) {
  process.stdout.write(`tests: no report (${err.message})\n`);
  process.exitCode = 1;
}
