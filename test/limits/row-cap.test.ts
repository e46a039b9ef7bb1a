// The row cap on event streams (runtime/runs/row-cap.ts), with real BPF: a
// workload opens a file 1000 times; with the cap lowered to 300 the stream
// stops at exactly 300 rows and says so (stats.rowCap), a limit of the run's
// own overrides the cap (800 rows, no rowCap), and nothing stays attached.
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runRing } from "../../runtime/runs/ring.js";
import { plan } from "../../runtime/planner/plan.js";
import { DEFAULT_MAX_ROWS, maxRows, rowCapMessage } from "../../runtime/runs/row-cap.js";
import type { EventsDeclaration } from "../../runtime/spec/declaration.js";
import { buildC, type BuiltC } from "../bpf/support/build-c.js";
import { startHeld } from "../bpf/support/workload.js";
import { killSpawned } from "../support/children.js";
import { recordHeld } from "../support/held-bpf.js";

let build: BuiltC;
beforeAll(() => {
  build = buildC("open-loop");
});
afterAll(() => build?.cleanup());
afterEach(killSpawned);
afterEach(() => {
  delete process.env.PROBEBOOK_MAX_ROWS;
});
const held = recordHeld();

async function opens(limit?: number) {
  const path = `/tmp/probebook-${randomBytes(8).toString("hex")}`;
  writeFileSync(path, "x");
  const wl = await startHeld(build.bin, [path, "1000"]);
  try {
    const decl: EventsDeclaration = {
      kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_openat" }, fields: ["filename"],
      filter: { pid: wl.pid }, durationMs: 20_000, ...(limit ? { limit } : {}),
    };
    const started = Date.now();
    const result = await runRing(plan(decl), { onAttached: () => void wl.go() });
    return { result, elapsedMs: Date.now() - started, path };
  } finally {
    wl.dispose();
    rmSync(path, { force: true });
  }
}

describe("the row cap", () => {
  it("is 1 000 000 rows by default; PROBEBOOK_MAX_ROWS sets it, and nonsense is refused naming the variable", () => {
    expect(maxRows({})).toBe(DEFAULT_MAX_ROWS);
    expect(DEFAULT_MAX_ROWS).toBe(1_000_000);
    expect(maxRows({ PROBEBOOK_MAX_ROWS: "300" })).toBe(300);
    expect(() => maxRows({ PROBEBOOK_MAX_ROWS: "1.5" })).toThrow(/PROBEBOOK_MAX_ROWS="1.5" is not a positive whole number of rows \(default 1000000\)/);
    expect(rowCapMessage("syscalls:sys_enter_openat", 300)).toBe(
      "syscalls:sys_enter_openat: stopped at 300 rows, the cap on rows per result. To keep more, set the run's own limit with .limit(n) " +
        "(or PROBEBOOK_MAX_ROWS in the kernel's environment); to see everything, aggregate in the kernel instead (.count().by(\"comm\"), .histogram()), or filter with .where().");
  });

  it("stops a stream without a limit at the cap: exactly 300 rows of 1000 opens, stoppedBy limit, rowCap 300, long before the 20 s duration", async () => {
    process.env.PROBEBOOK_MAX_ROWS = "300";
    const { result, elapsedMs, path } = await opens();
    expect(result.rowCount).toBe(300);
    expect((result.columns.filename as string[]).every((f) => f === path)).toBe(true);
    expect(result.stats.stoppedBy).toBe("limit");
    expect(result.stats.rowCap).toBe(300);
    expect(result.stats.seen).toBeGreaterThanOrEqual(300);
    expect(elapsedMs).toBeLessThan(15_000);
    expect(await held.leftovers()).toEqual([]);
  }, 30_000);

  it("lets a run's own .limit() go past the cap: 800 rows, and no rowCap (the user's limit is not a cap)", async () => {
    process.env.PROBEBOOK_MAX_ROWS = "300";
    const { result } = await opens(800);
    expect(result.rowCount).toBe(800);
    expect(result.stats.stoppedBy).toBe("limit");
    expect(result.stats.rowCap).toBeUndefined();
    expect(await held.leftovers()).toEqual([]);
  }, 30_000);
});
