// The cap on concurrent probes of one kernel (background runs; a foreground
// run holds the cell, so at most one more): real BPF aggregations, the cap
// lowered to 2 through PROBEBOOK_MAX_BACKGROUND_RUNS. The third start is
// refused naming the cap and how to raise it; stopping one makes room; and
// nothing is left attached at the end.
import { afterEach, describe, expect, it } from "vitest";
import { BackgroundRuns, MAX_BACKGROUND_RUNS, maxBackgroundRuns } from "../../runtime/runs/background.js";
import { runDeclaration } from "../../runtime/runs/run.js";
import type { AnyDeclaration } from "../../runtime/spec/protocol.js";
import { recordHeld } from "../support/held-bpf.js";

const held = recordHeld();
afterEach(() => {
  delete process.env.PROBEBOOK_MAX_BACKGROUND_RUNS;
});

const count: AnyDeclaration = { kind: "aggregate", source: { type: "tracepoint", name: "sched:sched_switch" }, value: { op: "count" }, keys: ["cpu"], filter: {}, durationMs: 60_000 };

describe("concurrent probes per kernel", () => {
  it("defaults to 16; PROBEBOOK_MAX_BACKGROUND_RUNS sets it; nonsense names the variable", () => {
    expect(maxBackgroundRuns({})).toBe(MAX_BACKGROUND_RUNS);
    expect(MAX_BACKGROUND_RUNS).toBe(16);
    expect(maxBackgroundRuns({ PROBEBOOK_MAX_BACKGROUND_RUNS: "2" })).toBe(2);
    expect(() => maxBackgroundRuns({ PROBEBOOK_MAX_BACKGROUND_RUNS: "0" })).toThrow(/PROBEBOOK_MAX_BACKGROUND_RUNS="0" is not a positive whole number of runs \(default 16\)/);
  });

  it("refuses a third real probe at a cap of 2, with a message naming the cap and how to raise it; stopping one makes room", async () => {
    process.env.PROBEBOOK_MAX_BACKGROUND_RUNS = "2";
    const runs = new BackgroundRuns(() => ({ run: (d, o) => runDeclaration(d, o) }));
    try {
      await runs.start("a", "a", count);
      await runs.start("b", "b", count);
      await expect(runs.start("c", "c", count)).rejects.toThrow(
        /^2 background runs are registered, the cap of one kernel \(2\): stop one first \(runs\(\) lists them: "a", "b"\), or set PROBEBOOK_MAX_BACKGROUND_RUNS in the kernel's environment to raise the cap$/);
      expect(runs.list().map((r) => r.name)).toEqual(["a", "b"]);
      const a = await runs.stop("a");
      expect(a.rowCount).toBeGreaterThan(0); // it really counted context switches
      await runs.start("c", "c", count);
      expect(runs.list().map((r) => r.name)).toEqual(["b", "c"]);
    } finally {
      for (const r of runs.list()) await runs.stop(r.name).catch(() => undefined);
    }
    expect(await held.leftovers()).toEqual([]);
  }, 60_000);
});
