// The kernel's memory budget (runtime/host/memory-budget.ts) in this process:
// - the variable that sets it, and nonsense refused naming it;
// - the planned size of a spec's maps (templates/map-memory.ts) against what
//   the running kernel reports for them once loaded (fdinfo memlock): within
//   a few percent for an event ring, a 2^16-key per-CPU count, a histogram and
//   a profile, so a probe over the budget is refused before its maps exist;
// - load() refusing a spec that doesn't fit, with the message naming the
//   budget, where the memory is and how to raise it, having allocated nothing;
// - the sandbox's half: a stream whose rows reach half the sandbox's heap
//   limit stops there.
import { afterEach, describe, expect, it } from "vitest";
import { bpfMapBytes } from "../../runtime/host/bpf-memory.js";
import { possibleCpus } from "../../runtime/host/facts.js";
import { DEFAULT_MAX_MEMORY_MB, MemoryBudget, MemoryBudgetError, maxMemoryMb, memoryStopMessage } from "../../runtime/host/memory-budget.js";
import { plan } from "../../runtime/planner/plan.js";
import { load } from "../../runtime/templates/load.js";
import { plannedMapBytes } from "../../runtime/templates/map-memory.js";
import { templateNamed } from "../../runtime/templates/registry.js";
import type { AnyDeclaration } from "../../runtime/spec/protocol.js";
import { probeFeature } from "../../runtime/host/features.js";
import { thrown } from "../support/thrown.js";
import { recordHeld } from "../support/held-bpf.js";

const MB = 1024 * 1024;
const held = recordHeld();

const decls: Record<string, AnyDeclaration> = {
  "an event stream": { kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_openat" }, fields: ["filename"], filter: {}, durationMs: 1000 },
  "a count by pid with 2^16 keys": { kind: "aggregate", source: { type: "tracepoint", name: "sched:sched_switch" }, value: { op: "count" }, keys: ["pid"], maxKeys: 65536, filter: {}, durationMs: 1000 },
  "a histogram by comm": { kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_exit_read" }, value: { op: "hist_log2", field: "ret" }, keys: ["comm"], filter: {}, durationMs: 1000 },
  "a CPU profile": { kind: "profile", frequencyHz: 49, filter: {}, durationMs: 1000 },
};

describe("the memory budget's size", () => {
  it("is 2048 MB by default; PROBEBOOK_MAX_MEMORY_MB sets it, and nonsense names the variable", () => {
    expect(DEFAULT_MAX_MEMORY_MB).toBe(2048);
    expect(maxMemoryMb({})).toBe(2048);
    expect(maxMemoryMb({ PROBEBOOK_MAX_MEMORY_MB: "300" })).toBe(300);
    expect(() => maxMemoryMb({ PROBEBOOK_MAX_MEMORY_MB: "lots" })).toThrow(/^PROBEBOOK_MAX_MEMORY_MB="lots" is not a positive whole number of MB \(default 2048\)$/);
  });
});

describe("planned map memory against the kernel's own count", () => {
  for (const [what, decl] of Object.entries(decls)) {
    it(`${what}: the plan's estimate is within 10% of the maps' memlock once loaded`, () => {
      const spec = plan(decl) as never as Parameters<typeof load>[0];
      const planned = plannedMapBytes(templateNamed(spec.template).descriptor, spec.maps, possibleCpus());
      const before = bpfMapBytes();
      const { obj } = load(spec);
      try {
        const measured = bpfMapBytes() - before;
        expect(measured).toBeGreaterThan(0);
        expect(planned / measured, `planned ${planned}, kernel ${measured}`).toBeGreaterThan(0.9);
        expect(planned / measured, `planned ${planned}, kernel ${measured}`).toBeLessThan(1.1);
      } finally {
        obj.close();
      }
    });
  }
});

describe("a probe that doesn't fit", () => {
  afterEach(async () => expect(await held.leftovers()).toEqual([]));

  it("is refused by load() before any map exists, naming the budget, where the memory is, and how to raise it", () => {
    // 120 MB held by a sandbox of this budget's own: what is left (8 MB) is less than the 2^16-key count needs.
    const budget = new MemoryBudget({ budgetBytes: () => 128 * MB, measureBpf: () => bpfMapBytes() });
    const sandbox = budget.hold("sandbox", 120 * MB);
    const spec = plan(decls["a count by pid with 2^16 keys"]!) as never as Parameters<typeof load>[0];
    const before = bpfMapBytes();
    const e = thrown(() => load(spec, probeFeature, budget), MemoryBudgetError);
    expect(bpfMapBytes()).toBe(before);
    expect(e.code).toBe("MEMORY_BUDGET");
    expect(e.message).toMatch(
      /^the probe count of sched:sched_switch by pid needs about \d+ MB of kernel memory for its maps, but only [\d.]+ MB is left of this kernel's memory budget of 128 MB \(the sandbox's heap limit 120 MB, BPF maps [\d.]+ MB, rows being collected 0\.0 MB\)\. Stop a background run \(runs\(\) lists them\), ask for less \(fewer keys with \.maxKeys\(n\)\), or set PROBEBOOK_MAX_MEMORY_MB in the kernel's environment to raise the budget$/);
    expect(e.details).toMatchObject({ budget: 128 * MB, sandbox: 120 * MB });
    // Room made (the sandbox gone): the same spec loads.
    sandbox.release();
    load(spec, probeFeature, budget).obj.close();
  });
});

describe("a stream's stop", () => {
  it("comes when everything held reaches the budget, or its rows reach half the sandbox's heap limit; the message says which and how to raise it", () => {
    const budget = new MemoryBudget({ budgetBytes: () => 100 * MB, measureBpf: () => 10 * MB });
    budget.hold("sandbox", 40 * MB);
    const rows = budget.hold("rows");
    rows.add(19 * MB);
    expect(budget.reached(rows)).toBeUndefined();
    rows.add(1 * MB);
    const half = budget.reached(rows)!;
    expect(half).toMatchObject({ why: "sandbox", own: 20 * MB, sandboxLimit: 40 * MB });
    expect(memoryStopMessage("syscalls:sys_enter_getppid", 5000, half)).toBe(
      "syscalls:sys_enter_getppid: stopped at 5000 rows: its rows (20 MB) reached half the sandbox's heap limit of 40 MB, and the table has to fit in the sandbox. " +
        "To keep more, set PROBEBOOK_SANDBOX_MEMORY_MB (and PROBEBOOK_MAX_MEMORY_MB, which counts it) in the kernel's environment, or keep fewer columns with .columns(); " +
        "to see everything, aggregate in the kernel instead (.count().by(\"comm\"), .histogram()), or filter with .where().");
    const other = budget.hold("result", 30 * MB); // an ended background run's result
    const small = budget.hold("rows", 1 * MB);
    const full = budget.reached(small)!;
    expect(full).toMatchObject({ why: "budget", total: 101 * MB });
    expect(memoryStopMessage("sched:sched_switch", 7, full)).toBe(
      "sched:sched_switch: stopped at 7 rows: this kernel's memory budget of 100 MB is used up (the sandbox's heap limit 40 MB, BPF maps 10 MB, rows being collected 21 MB, " +
        "results of ended background runs 30 MB). To keep more, set PROBEBOOK_MAX_MEMORY_MB in the kernel's environment, or stop background runs (runs() lists them); " +
        "to see everything, aggregate in the kernel instead (.count().by(\"comm\"), .histogram()), or filter with .where().");
    other.release();
    expect(budget.reached(small)).toBeUndefined();
  });
});
