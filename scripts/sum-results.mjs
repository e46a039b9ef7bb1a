// Adds up the result files of every suite the test command ran and prints the
// line CI reads: "N passed, N failed[, N skipped]". Exit 1 when anything failed
// or a suite left no result (a crashed runner must not look green).
import { readFileSync, existsSync } from "node:fs";

/**
 * Counts of one vitest JSON report, from each test's status. Two ways vitest
 * reports a broken file as anything but failed must count as failures:
 * - a test worker that died (a native crash, process.exit) leaves its file
 *   "passed" and every test that had not run yet "pending": those count as
 *   failed (a skip or todo the file asked for is "skipped" or "todo");
 * - a file "failed" for an error no test carries: it crashed while loading
 *   (no tests), a beforeAll failed (its tests are reported skipped) or an
 *   afterAll failed (its tests are reported passed; our leak checks run
 *   there). Its tests that never ran count as failed, or one failure when
 *   every test ran.
 * Errors outside any file (an unhandled rejection) do not reach the JSON
 * report at all: vitest's own exit status carries them, passed here as
 * `--vitest-rc N` (scripts/test.sh); a failing status with no failure counted
 * counts as one.
 */
function vitestCounts(r) {
  let passed = 0, failed = 0, skipped = 0;
  for (const f of r.testResults) {
    const count = (...statuses) => f.assertionResults.filter((a) => statuses.includes(a.status)).length;
    const neverRan = count("pending");
    passed += count("passed");
    failed += count("failed") + neverRan;
    if (neverRan) console.error(`test file stopped before ${neverRan} of its tests ran (did its worker crash?): ${f.name}\n${f.message ?? ""}`);
    if (f.status === "failed" && count("failed") === 0) {
      const notRun = count("skipped");
      console.error(`test file failed outside its tests (load, beforeAll or afterAll): ${f.name}\n${f.message ?? ""}`);
      failed += Math.max(notRun, neverRan ? 0 : 1);
      skipped -= notRun;
    }
    skipped += count("skipped", "todo");
  }
  return { passed, failed, skipped };
}

const args = process.argv.slice(2);
const rcAt = args.indexOf("--vitest-rc");
const vitestRc = rcAt >= 0 ? Number(args.splice(rcAt, 2)[1]) : 0;
let passed = 0, failed = 0, skipped = 0;
let seenVitest = false;
for (const file of args) {
  if (!existsSync(file)) { console.error(`no results in ${file}`); failed++; continue; }
  const r = JSON.parse(readFileSync(file, "utf8"));
  // vitest's JSON reporter, or our own runners: { passed, failed, skipped }
  const vitest = "numPassedTests" in r;
  const c = vitest ? vitestCounts(r) : r;
  const vitestSeen = seenVitest;
  if (vitest) seenVitest = true;
  // The status is the host vitest's (scripts/test.sh): it belongs to the first
  // vitest report; the guests' reports are judged by test-kernels.mjs.
  if (vitest && !vitestSeen && vitestRc !== 0 && c.failed === 0) {
    console.error(`vitest exited with status ${vitestRc} with no failed test in its report (an error outside the tests, e.g. an unhandled rejection): counted as one failure`);
    c.failed = 1;
  }
  passed += c.passed; failed += c.failed; skipped += c.skipped ?? 0;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
