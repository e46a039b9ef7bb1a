// Errors keep their structure across the sandbox boundary: a cell catches a
// probe error by e.code and reads e.details (suggestions, the missing feature
// and what to use instead); an uncaught one's traceback shows them. Real
// cells, the real planner and (for kernel functions) this kernel's features.
import { expect, test } from "vitest";
import { errorData, PlanError, ProbebookError } from "../../../runtime/spec/errors.js";
import { probeFeature } from "../../../runtime/host/features.js";
import { factLines } from "../../../runtime/sandbox/traceback.js";
import { cellPrinted as cell, realRunner, withSession } from "../fixtures/real-runner.js";
import { recordingContext } from "../fixtures/recording-context.js";

test("a cell catches an unknown tracepoint by e.code, with the suggestions in e.details", async () => {
  expect(await cell([
    `try { await tracepoint("sched:sched_swich").events({ for: "1s" }); }`,
    `catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, first: e.details.suggestions[0], isError: e instanceof Error })); }`,
  ].join("\n"))).toEqual({ name: "PlanError", code: "UNKNOWN_TRACEPOINT", first: "sched:sched_switch", isError: true });
}, 60_000);

test("a cell catches a kernel function this kernel can't probe by e.code === \"NOT_SUPPORTED\"", async () => {
  const printed = await cell([
    `try { await kprobe("vfs_read").where({ comm: "x" }).count().by("kstack").run({ for: "200ms" }); console.log(JSON.stringify("ran")); }`,
    `catch (e) { if (e.code !== "NOT_SUPPORTED") throw e; console.log(JSON.stringify({ feature: e.details.feature, alternative: e.details.alternative })); }`,
  ].join("\n"));
  if (probeFeature("kprobe").available || probeFeature("fentry").available) expect(printed).toBe("ran"); // the guest kernel
  else expect(printed).toEqual({ feature: "kprobe", alternative: "Use tracepoint syscalls:sys_enter_read instead." });
}, 60_000);

test("an uncaught probe error's traceback shows its code and suggestions under the message", async () => {
  await withSession(realRunner(), async (session) => {
    const outcome = await session.execute(`await syscall("getppidd").count({ for: "1s" })`, recordingContext(1));
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.traceback.slice(0, 3)).toEqual([
      `PlanError: ${outcome.evalue}`,
      `  e.code: "UNKNOWN_TRACEPOINT"`,
      `  e.details.suggestions: "syscalls:sys_enter_getppid", "syscalls:sys_enter_getpid", "syscalls:sys_enter_getpgid", "syscalls:sys_enter_getgid", "syscalls:sys_enter_getsid"`,
    ]);
    expect(outcome.traceback.some((l) => l.startsWith("  at In[1], line 1"))).toBe(true);
  });
}, 60_000);

test("errors as data keep code, details (bigints as text) and the verifier log; the traceback shows the log's end", () => {
  const log = Array.from({ length: 12 }, (_, i) => `${i}: insn ${i}`).join("\n") + "\n";
  const data = errorData(new ProbebookError("VERIFIER_REJECTED", "template x did not load", { id: 5n, template: "x" }, log));
  expect(data).toEqual({ name: "ProbebookError", message: "template x did not load", code: "VERIFIER_REJECTED",
    details: { id: "5", template: "x" }, verifierLog: log });
  expect(factLines(data)).toEqual([
    `  e.code: "VERIFIER_REJECTED"`, "  e.verifierLog (last 5 of 12 lines):",
    "    7: insn 7", "    8: insn 8", "    9: insn 9", "    10: insn 10", "    11: insn 11",
  ]);
  expect(errorData(new PlanError("UNKNOWN_FIELD", "no field", { fields: [{ name: "a", cType: "int" }] }))).toMatchObject({ name: "PlanError", code: "UNKNOWN_FIELD" });
  expect(factLines({ code: "UNKNOWN_FIELD", details: { fields: [{ name: "a" }, { name: "b" }] } })).toEqual([`  e.code: "UNKNOWN_FIELD"`, "  e.details.fields: a, b"]);
  expect(errorData(new TypeError("plain"))).toEqual({ name: "TypeError", message: "plain" });
});
