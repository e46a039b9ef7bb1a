// Uprobes, uretprobes and USDT probes on workloads this test starts: exact
// counts for the workload's pid and the argument / return values it passed.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { FunctionEventsDeclaration } from "../../../runtime/spec/declaration.js";
import { libcPath } from "../../../runtime/host/features.js";
import { PlanError } from "../../../runtime/spec/errors.js";
import { plan } from "../../../runtime/planner/plan.js";
import type { FunctionEventsInstance } from "../../../runtime/templates/uprobe_events/plan.js";
import { runRing } from "../../../runtime/runs/ring.js";
import { buildC } from "../../bpf/support/build-c.js";
import { startHeld } from "../../bpf/support/workload.js";
import { killSpawned } from "../../support/children.js";
import { expectReleasedAfterAll } from "../../support/held-bpf.js";

const N = 25;
const libcCalls = buildC("libc-calls", ["-O0"]);
const usdtTicks = buildC("usdt-ticks", ["-O0"]);

expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id
afterEach(killSpawned);
afterAll(() => {
  libcCalls.cleanup();
  usdtTicks.cleanup();
});

/** Plans `decl` for the held workload's pid, runs it until the workload exits, returns the result. */
async function runOn(bin: string, decl: (pid: number) => FunctionEventsDeclaration) {
  const w = await startHeld(bin, [String(N)]);
  try {
    const instance = plan(decl(w.pid)) as FunctionEventsInstance;
    let exit: Promise<number | null> | undefined;
    const result = await runRing(instance, {
      onAttached: () => { exit = w.go(); },
      // ends at N rows; the duration is only a safety net
    });
    expect(await exit).toBe(0);
    return { result, pid: w.pid };
  } finally {
    w.dispose();
  }
}

describe("uprobe events", () => {
  it("count every lldiv() call of the workload, with its arguments", async () => {
    const { result, pid } = await runOn(libcCalls.bin, (pid) => ({
      kind: "events",
      source: { type: "uprobe", binary: libcPath(), symbol: "lldiv" },
      values: [{ name: "numer", arg: 0, type: "long" }, { name: "denom", arg: 1, type: "long" }],
      filter: { pid },
      durationMs: 10_000,
      limit: N,
    }));
    expect(result.rowCount).toBe(N);
    expect(result.stats.stoppedBy).toBe("limit");
    expect([...(result.columns.pid as Uint32Array)]).toEqual(Array(N).fill(pid));
    expect(result.columns.comm).toEqual(Array(N).fill("libc-calls"));
    expect([...(result.columns.numer as Float64Array)]).toEqual(Array.from({ length: N }, (_, i) => 1000 * (i + 1) + 7));
    expect([...(result.columns.denom as Float64Array)]).toEqual(Array(N).fill(3));
    expect(result.stats.dropped).toBe(0);
  });

  it("read string arguments (strverscmp's two char *)", async () => {
    const { result } = await runOn(libcCalls.bin, (pid) => ({
      kind: "events",
      source: { type: "uprobe", binary: libcPath(), symbol: "strverscmp" },
      values: [{ name: "a", arg: 0, type: "string" }, { name: "b", arg: 1, type: "string" }],
      filter: { pid },
      durationMs: 10_000,
      limit: N,
    }));
    expect(result.rowCount).toBe(N);
    expect(result.columns.a).toEqual(Array.from({ length: N }, (_, i) => `item-${i + 1}`));
    expect(result.columns.b).toEqual(Array(N).fill("item-2"));
  });

  it("give the return values at a uretprobe (lldiv's quotient, strverscmp's sign)", async () => {
    const quot = await runOn(libcCalls.bin, (pid) => ({
      kind: "events",
      source: { type: "uprobe", binary: libcPath(), symbol: "lldiv", retprobe: true },
      values: [{ name: "quot", retval: true, type: "long" }],
      filter: { pid },
      durationMs: 10_000,
      limit: N,
    }));
    expect([...(quot.result.columns.quot as Float64Array)])
      .toEqual(Array.from({ length: N }, (_, i) => Math.floor((1000 * (i + 1) + 7) / 3)));
    const cmp = await runOn(libcCalls.bin, (pid) => ({
      kind: "events",
      source: { type: "uprobe", binary: libcPath(), symbol: "strverscmp", retprobe: true },
      values: [{ name: "rc", retval: true, type: "int" }],
      filter: { pid },
      durationMs: 10_000,
      limit: N,
    }));
    expect([...(cmp.result.columns.rc as Int32Array)].map(Math.sign))
      .toEqual(Array.from({ length: N }, (_, i) => Math.sign(i + 1 - 2)));
  });

  it("show a call's arguments beside its return value at a uretprobe (saved at the entry, strings read at the return)", async () => {
    const { result, pid } = await runOn(libcCalls.bin, (pid) => ({
      kind: "events",
      source: { type: "uprobe", binary: libcPath(), symbol: "strverscmp", retprobe: true },
      values: [{ name: "a", arg: 0, type: "string" }, { name: "b", arg: 1, type: "string" }, { name: "rc", retval: true, type: "int" }],
      filter: { pid },
      durationMs: 10_000,
      limit: N,
    }));
    expect(result.rowCount).toBe(N);
    expect([...(result.columns.pid as Uint32Array)]).toEqual(Array(N).fill(pid));
    expect(result.columns.a).toEqual(Array.from({ length: N }, (_, i) => `item-${i + 1}`));
    expect(result.columns.b).toEqual(Array(N).fill("item-2"));
    expect([...(result.columns.rc as Int32Array)].map(Math.sign)).toEqual(Array.from({ length: N }, (_, i) => Math.sign(i + 1 - 2)));
  });

  it("count a USDT probe's hits with its arguments (through runProbe)", async () => {
    const w = await startHeld(usdtTicks.bin, [String(N)]);
    const pid = w.pid;
    let exit: Promise<number | null> | undefined;
    const result = await runRing(plan({
      kind: "events",
      source: { type: "usdt", binary: usdtTicks.bin, provider: "probebook_test", name: "tick" },
      values: [{ name: "i", arg: 0, type: "long" }, { name: "label", arg: 1, type: "string" }],
      filter: { pid },
      durationMs: 10_000,
      limit: N,
    }), { onAttached: () => { exit = w.go(); } }).finally(() => w.dispose());
    expect(await exit).toBe(0);
    expect(result.plan.target).toBe(`usdt ${usdtTicks.bin}:probebook_test:tick`);
    expect(result.rowCount).toBe(N);
    expect([...(result.columns.pid as Uint32Array)]).toEqual(Array(N).fill(pid));
    expect([...(result.columns.i as Float64Array)]).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(result.columns.label).toEqual(Array.from({ length: N }, (_, i) => `tick-${i + 1}`));
  });
});

describe("function-events planning", () => {
  const base = { kind: "events" as const, values: [], filter: {}, durationMs: 1000 };

  it("names the closest functions for an unknown symbol", () => {
    let err: PlanError | undefined;
    try {
      plan({ ...base, source: { type: "uprobe", binary: libcPath(), symbol: "lldvi" } });
    } catch (e) {
      err = e as PlanError;
    }
    expect(err?.code).toBe("UNKNOWN_SYMBOL");
    expect(err?.message).toMatch(new RegExp(`^${libcPath()} has no function "lldvi" in its symbol tables\\. Closest: lldiv`));
  });

  it("lists the binary's USDT probes for an unknown one", () => {
    expect(() => plan({ ...base, source: { type: "usdt", binary: usdtTicks.bin, provider: "probebook_test", name: "tock" } }))
      .toThrow(`${usdtTicks.bin} has no USDT probe probebook_test:tock. Closest: probebook_test:tick.`);
    expect(() => plan({ ...base, source: { type: "usdt", binary: libcCalls.bin, provider: "p", name: "n" } }))
      .toThrow(`${libcCalls.bin} has no USDT probe p:n. It defines no USDT probes (no .note.stapsdt notes: was it built with <sys/sdt.h>?).`);
  });

  it("plans arguments at a return on the entry half that saves them, and refuses return values at an entry", () => {
    const withArgs = plan({ ...base, source: { type: "uprobe", binary: libcPath(), symbol: "lldiv", retprobe: true },
      values: [{ name: "x", arg: 0, type: "long" }, { name: "q", retval: true, type: "long" }] }) as FunctionEventsInstance;
    expect(withArgs.programs).toEqual(["pb_uprobe_entry", "pb_uretprobe"]);
    expect(withArgs.attach.map((a) => [a.program, (a as { retprobe?: boolean }).retprobe])).toEqual([["pb_uprobe_entry", false], ["pb_uretprobe", true]]);
    expect(withArgs.rodata.cfg.entry_args).toBe(1);
    expect(() => plan({ ...base, source: { type: "uprobe", binary: libcPath(), symbol: "lldiv" },
      values: [{ name: "x", retval: true, type: "long" }] })).toThrow(/use retprobe: true/);
  });

  it("points a kprobe on do_sys_openat2 to the openat tracepoint, naming the missing feature", () => {
    expect(() => plan({ ...base, source: { type: "kprobe", function: "do_sys_openat2" } })).toThrow(
      /^kprobes are not available on this kernel \(CONFIG_KPROBES is off: attaching a kprobe fails with attach kprobe do_sys_openat2: E[A-Z]+ .*\)\. Use tracepoint syscalls:sys_enter_openat instead\.$/);
  });

  it("points an fentry on vfs_read to the read tracepoint, naming the missing feature", () => {
    expect(() => plan({ ...base, source: { type: "fentry", function: "vfs_read" } })).toThrow(
      /^fentry\/fexit \(BPF trampolines\) are not available on this kernel \(.*loading an fentry program fails with .*EPERM.*\)\. Use tracepoint syscalls:sys_enter_read instead\.$/);
  });
});
