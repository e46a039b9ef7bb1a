// Adds up the result files of every suite the test command ran and prints the
// line CI reads: "N passed, N failed[, N skipped]". Exit 1 when anything failed
// or a suite left no result (a crashed runner must not look green).
import { readFileSync, existsSync } from "node:fs";

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) { console.error(`no results in ${file}`); failed++; continue; }
  const r = JSON.parse(readFileSync(file, "utf8"));
  if ("numPassedTests" in r) {            // vitest's JSON reporter
    passed += r.numPassedTests;
    // A file that failed to load has no test results but must still count.
    const brokenFiles = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0);
    for (const f of brokenFiles) console.error(`test file failed to run: ${f.name}\n${f.message}`);
    failed += r.numFailedTests + brokenFiles.length;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  } else {                                 // our own runners: { passed, failed, skipped }
    passed += r.passed; failed += r.failed; skipped += r.skipped ?? 0;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
