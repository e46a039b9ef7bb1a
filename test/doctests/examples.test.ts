// The doctest runner: every example a user is shown runs here, one test per
// example, in a real kernel session (runtime/session.ts, the real probe runner,
// real BPF on this kernel): the TSDoc @example of every cell-visible function,
// method and accessor (what Shift-Tab and help() show), and the ```ts snippets
// of README.md and of the notebooks' markdown. Extraction is in
// extract-examples.ts, the rewriting of placeholders and shown results in
// example-cell.ts. Each example runs on its own, in a fresh session whose
// probe runner shortens every run (the test-only setting: SHORT_RUN_MS).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import type { AnyDeclaration } from "../../runtime/spec/protocol.js";
import { defaultProbeRunner, type ProbeRunner } from "../../runtime/sandbox/probe-runner.js";
import { createExecutor } from "../../runtime/session.js";
import { probeFeature } from "../../runtime/host/features.js";
import { UNTIL_STOPPED_MS } from "../../probes-lib/run-options.js";
import { recordingContext, streamText } from "../runtime/fixtures/recording-context.js";
import { killSpawned, spawnTracked } from "../support/children.js";
import { expectReleasedAfterAll } from "../support/held-bpf.js";
import { cellVisibleDocs, fencedBlocks, markdownExamples, ROOT, tsdocExamples, type Example } from "./extract-examples.js";
import { SETUPS } from "./setups.js";
import type { MimeBundle } from "../../kernel/executor.js";
import { CHECKS_PRELUDE, prepareCell } from "./example-cell.js";

/** The longest a run of an example collects here (its text may say "10s"). */
const SHORT_RUN_MS = 400;
/** The longest interval of a time series here (its text may say every "1s"). */
const SHORT_INTERVAL_MS = 100;

const examples: Example[] = [...tsdocExamples(), ...markdownExamples()];
expectReleasedAfterAll();

let workloadPid = 0;
let dataDir = "";

beforeAll(async () => {
  await buildSandbox();
  dataDir = mkdtempSync(join(tmpdir(), "probebook-doctests-"));
  // The process behind every placeholder pid: it opens and reads a file, asks for its
  // parent and sleeps, in a loop, so that filtered runs (and the profiler) see it.
  const child = spawnTracked("/usr/bin/python3", ["-c", "import os, time\nwhile True:\n  open('/etc/hostname').read(); os.getppid(); sum(range(20000)); time.sleep(0.002)"], { stdio: "ignore" });
  workloadPid = child.pid!;
}, 60_000);
afterAll(async () => {
  await killSpawned();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A run shortened for the test, otherwise the declaration the example made. */
function shortened<D extends AnyDeclaration>(d: D): D {
  const out = { ...d } as D & { durationMs?: number; everyMs?: number };
  if (typeof out.durationMs === "number" && out.durationMs < UNTIL_STOPPED_MS) out.durationMs = Math.min(out.durationMs, SHORT_RUN_MS);
  if (typeof out.everyMs === "number") out.everyMs = Math.min(out.everyMs, SHORT_INTERVAL_MS);
  return out;
}

const shortRunner: ProbeRunner = {
  run: (d, o) => defaultProbeRunner.run(shortened(d), o),
  start: (d, o) => defaultProbeRunner.start!(shortened(d), o),
};

/** Examples that hook kernel functions end, on a kernel without kprobes or fentry, in the error that says so. */
const KERNEL_FUNCTION = /\b(kprobe|kretprobe|fentry|fexit)\(/;
const kernelFunctionsHere = () => probeFeature("kprobe").available || probeFeature("fentry").available;

test("the runner finds the examples: every documented global, and the README", () => {
  const names = new Set(examples.flatMap((e) => [e.name, ...e.alsoIn]));
  for (const name of ["tracepoint", "syscall", "profile", "save", "load", "help", "plot.histogram", "TracepointProbe.where", "BackgroundRun.stop", "Plot.toSVG"]) expect(names).toContain(name);
  expect(examples.filter((e) => e.file === "README.md").length).toBeGreaterThanOrEqual(3);
});

test("the README names every setup an example may use without defining it, with its code", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  for (const [name, setup] of Object.entries(SETUPS)) {
    expect(readme).toContain(`- \`${name}\`: `);
    const value = /= (.*);$/.exec(setup.code)![1]!;
    expect(readme, `README shows what ${name} is`).toContain(value);
  }
});

test.each(examples.map((e) => [e.name + (e.alsoIn.length ? ` (also ${e.alsoIn.join(", ")})` : ""), e] as const))("%s", async (_name, example) => {
  const cell = prepareCell(example.code, { pid: workloadPid });
  for (const path of cell.paths) expect(existsSync(path), `the example names ${path}`).toBe(true);
  const session = createExecutor({ warmUpAfterMs: false, probeRunner: shortRunner, dataDir });
  try {
    const prelude = await session.execute(CHECKS_PRELUDE, recordingContext(1));
    expect(prelude.status).toBe("ok");
    const ctx = recordingContext(2);
    const kernelFunction = KERNEL_FUNCTION.test(example.code) && !kernelFunctionsHere();
    const outcome = await session.execute(kernelFunction ? `try {\n${cell.code}\n} catch (e) { globalThis.__doctestError = { name: e.name, code: e.code }; throw e; }` : cell.code, ctx);
    if (kernelFunction && outcome.status === "error") {
      // Up to the kernel function it runs; there it stops with the error that says this kernel lacks it
      // (unless the example catches that error itself: then it runs to its end like any other).
      expect(`${outcome.ename}: ${outcome.evalue}`, cell.code).toMatch(/^FeatureUnavailableError: .* are not available on this kernel \(/);
      const seen = recordingContext(3);
      await session.execute("console.log(JSON.stringify(globalThis.__doctestError))", seen);
      expect(JSON.parse(streamText(seen, "stdout"))).toEqual({ name: "FeatureUnavailableError", code: "NOT_SUPPORTED" });
      return;
    }
    if (outcome.status === "error") throw new Error(`the example failed: ${outcome.ename}: ${outcome.evalue}\n--- the cell that ran:\n${cell.code}`);
    expect(streamText(ctx, "stderr"), "what the example wrote to stderr").toBe("");
  } finally {
    await session.shutdown();
  }
}, 60_000);

// What help() prints is what runs above: for every global (and plot.*), the
// examples in its pager text are exactly the TSDoc examples the runner ran.
const globalDocs = cellVisibleDocs().filter((d) => /^(plot\.)?[a-z_]\w*$/.test(d.name));
const ran = new Set(examples.map((e) => e.code));

test.each(globalDocs.map((d) => [d.name, d] as const))("help(%s) prints the examples that run here", async (name, doc) => {
  const session = createExecutor({ warmUpAfterMs: false, probeRunner: shortRunner, dataDir });
  try {
    const pages: MimeBundle[] = [];
    const outcome = await session.execute(`help(${JSON.stringify(name)})`, { ...recordingContext(1), page: (b: MimeBundle) => void pages.push(b) });
    expect(outcome.status).toBe("ok");
    const text = String(pages[0]?.["text/plain"] ?? "");
    const printed = text.split(/^@example /m).slice(1).flatMap((t) => fencedBlocks(t.replace(/\n@\w+[\s\S]*$/, ""), { bare: true }));
    expect(printed).toEqual(doc.examples.flatMap((t) => fencedBlocks(t, { bare: true })));
    for (const code of printed) expect(ran.has(code), `an example help(${name}) prints is run`).toBe(true);
  } finally {
    await session.shutdown();
  }
}, 60_000);
