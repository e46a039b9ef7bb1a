// `npm run test:kernels`: the kernel suite on other kernels than the host's.
// For each kernel of test/guest/kernels.txt (or --kernel SPEC, repeatable):
// prepare it (prepare.mjs, cached), boot it under qemu (boot.mjs) with
// inside.sh as the job, and bring its results back. The templates and the
// addon are the host's builds: loading them on another kernel is the CO-RE
// test itself.
//
// Usage: node scripts/guest/test-kernels.mjs [--kernel SPEC]... [--json-dir DIR]
//          [--filter VITEST-FILTER] [--timeout-min N] [--bench]
// --bench runs hook-cost.mjs instead of the suite (`npm run bench:kernels`):
// the in-kernel cost of a tracepoint, a kprobe and fentry on one workload.
// With --json-dir, it writes one result file per kernel for
// scripts/sum-results.mjs: the guest's vitest report, or {passed, failed}
// counting a guest that crashed, timed out or left no report as one failure.
// Without it, it prints the totals itself. Exits 1 when anything failed.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { boot, tail } from "./boot.mjs";
import { FLAG_SETS, prebuiltName } from "./prebuilt.mjs";
import { listedKernels, prepareKernel } from "./prepare.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function options(argv) {
  const o = { kernels: [], jsonDir: undefined, filter: "", timeoutMin: 20, bench: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === "--kernel") o.kernels.push(v());
    else if (a === "--json-dir") o.jsonDir = resolve(v());
    else if (a === "--filter") o.filter = v();
    else if (a === "--timeout-min") o.timeoutMin = Number(v());
    else if (a === "--bench") o.bench = true;
    else throw new Error(`unknown argument ${a} (see the usage at the top of ${basename(fileURLToPath(import.meta.url))})`);
  }
  if (!o.kernels.length) o.kernels = listedKernels();
  return o;
}

/** Builds every test workload with every flag set. Some sources are not programs on their own
 *  (a shared library, one that links -lssl): those builds fail here, and the reason is kept
 *  beside them (`why.txt`) for build-c.ts to give a guest test that asks for one. */
function prebuildWorkloads() {
  const out = join(root, "build/guest/workloads");
  rmSync(out, { recursive: true, force: true });
  // the tests' own workloads, and the catalog's they share (test/bpf/support/build-c.ts)
  for (const src of [join(root, "test/bpf/support"), join(root, "workloads")]) {
    for (const file of readdirSync(src).filter((f) => f.endsWith(".c") && f !== "launch.c")) {
      const name = file.slice(0, -2);
      for (const flags of FLAG_SETS) {
        const dir = join(out, prebuiltName(name, flags));
        mkdirSync(dir, { recursive: true });
        try {
          execFileSync("cc", [...flags, "-Wall", "-pthread", "-o", join(dir, name), join(src, file)], { stdio: ["ignore", "ignore", "pipe"] });
        } catch (e) {
          writeFileSync(join(dir, "why.txt"), `cc ${[...flags, file].join(" ")}: ${e.stderr?.toString().trim() ?? e}\n`);
        }
      }
    }
  }
  return out;
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function jobFor({ workloads, filter, bench }) {
  return [
    "#!/bin/bash",
    `export PB_PREBUILT_WORKLOADS=${quote(workloads)}`,
    filter ? `export PB_GUEST_FILTER=${quote(filter)}` : "",
    bench ? `cd ${quote(root)} && exec node scripts/guest/hook-cost.mjs /pb-results/hook-cost.json`
      : `exec bash ${quote(join(root, "scripts/guest/inside.sh"))}`,
    "",
  ].join("\n");
}

async function benchKernel(spec, o, workloads) {
  const kernel = prepareKernel(spec);
  const out = join(root, "build/guest/bench", kernel.name);
  console.log(`guest ${kernel.name}: booting for the hook-cost bench (qemu TCG; ratios only)`);
  const r = await boot(kernel, jobFor({ workloads, bench: true }), { out, timeoutMs: o.timeoutMin * 60_000 });
  const log = readFileSync(join(out, "job.log"), "utf8");
  process.stdout.write(log);
  if (r.status !== 0) throw new Error(`the bench failed (status ${r.status}${r.timedOut ? ", timed out" : ""})\n${r.console}`);
  return { passed: 1, failed: 0 };
}

/** What inside.sh leaves in the results share: vitest's report, then {passed, failed, skipped} files. */
const REPORTS = ["vitest.json", "python.json", "leftovers.json"];

function countsOf(report) {
  if (!("testResults" in report)) return { passed: report.passed, failed: report.failed };
  let passed = 0, failed = 0;
  for (const f of report.testResults) for (const a of f.assertionResults) {
    if (a.status === "passed") passed++;
    else if (a.status === "failed" || a.status === "pending") failed++;
  }
  return { passed, failed };
}

async function runKernel(spec, o, workloads) {
  const started = Date.now();
  const kernel = prepareKernel(spec);
  const out = join(root, "build/guest/results", kernel.name);
  console.log(`guest ${kernel.name}: booting (qemu TCG)`);
  const r = await boot(kernel, jobFor({ workloads, filter: o.filter }), {
    out,
    timeoutMs: o.timeoutMin * 60_000,
    onLine: (line) => { if (line.startsWith("pb-guest:")) console.log(`guest ${kernel.name}: ${line.slice(10)}`); },
  });
  const reports = REPORTS.map((f) => join(out, f));
  const missing = REPORTS.filter((f) => !existsSync(join(out, f)));
  const problem = r.timedOut ? `timed out after ${o.timeoutMin} min`
    : r.status === undefined ? "the guest powered off before its job ended (a crash or a panic?)"
    : missing.length ? `the suite left no ${missing.join(", ")} (job status ${r.status})` : undefined;
  const jobLog = join(out, "job.log");
  if (problem) {
    console.error(`guest ${kernel.name}: FAILED: ${problem}\n--- console (last lines) ---\n${r.console}\n--- job.log (last lines) ---\n${tail(jobLog, 60)}`);
  } else {
    // The guest's own output, for a reader of the CI log: each test's line and the failures.
    process.stdout.write(readFileSync(jobLog, "utf8").split("\n")
      .filter((l) => /(✓|×|FAIL|AssertionError|Error:|Test Files|Tests |\.\.\. (ok|FAIL|ERROR)|leftover)/.test(l)).slice(-300).join("\n") + "\n");
  }
  const each = problem ? [] : reports.map((file) => countsOf(JSON.parse(readFileSync(file, "utf8"))));
  const counts = { passed: 0, failed: problem ? 1 : 0 };
  for (const c of each) {
    counts.passed += c.passed;
    counts.failed += c.failed;
  }
  // A vitest that failed outside any test (an unhandled rejection) reports no failure: its status does.
  const vitestRc = existsSync(join(out, "vitest.rc")) ? Number(readFileSync(join(out, "vitest.rc"), "utf8")) : 0;
  const vitestFailedUnseen = !problem && vitestRc !== 0 && each[0].failed === 0;
  if (vitestFailedUnseen) {
    console.error(`guest ${kernel.name}: vitest exited with status ${vitestRc} and no failed test: counted as one failure`);
    counts.failed++;
  }
  const figures = { kernel: kernel.name, release: kernel.release, bootToReadyS: r.readyS, bootToPowerOffS: r.elapsedS, totalS: (Date.now() - started) / 1000, ...counts };
  writeFileSync(join(out, "figures.json"), JSON.stringify(figures, null, 2));
  console.log(`guest ${kernel.name}: ${counts.passed} passed, ${counts.failed} failed; ready after ${r.readyS ?? "?"} s, powered off after ${r.elapsedS.toFixed(0)} s`);
  if (o.jsonDir) {
    const name = `guest-${kernel.name}`;
    if (problem) writeFileSync(join(o.jsonDir, `${name}.json`), JSON.stringify({ passed: 0, failed: 1, skipped: 0 }));
    else for (const f of REPORTS) copyFileSync(join(out, f), join(o.jsonDir, `${name}-${f}`));
    if (vitestFailedUnseen) writeFileSync(join(o.jsonDir, `${name}-vitest-status.json`), JSON.stringify({ passed: 0, failed: 1, skipped: 0 }));
  }
  return counts;
}

const o = options(process.argv.slice(2));
if (o.jsonDir) mkdirSync(o.jsonDir, { recursive: true });
let passed = 0, failed = 0;
let workloads;
try {
  workloads = prebuildWorkloads();
} catch (e) {
  console.error(`building the guest's workloads failed: ${e.stderr?.toString() ?? e.message}`);
}
for (const spec of o.kernels) {
  let c;
  try {
    if (!workloads) throw new Error("no workloads");
    c = await (o.bench ? benchKernel : runKernel)(spec, o, workloads);
  } catch (e) {
    console.error(`guest ${spec}: FAILED: ${e.stack ?? e}`);
    c = { passed: 0, failed: 1 };
    if (o.jsonDir) writeFileSync(join(o.jsonDir, `guest-${basename(spec)}.json`), JSON.stringify({ passed: 0, failed: 1, skipped: 0 }));
  }
  passed += c.passed;
  failed += c.failed;
}
if (!o.jsonDir) console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
