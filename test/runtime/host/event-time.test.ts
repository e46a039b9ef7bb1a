// Wall-clock `time` next to boot-relative `time_ns` in every events result
// (runtime/host/wall-clock.ts): the boot offset measured against the host's clocks,
// and real BPF runs - tracepoint events, latency pairs over a threshold, uprobe
// events, a time series - whose workloads the test steps between two readings
// of Date.now(), so every row's time must fall between them.

import { describe, expect, it } from "vitest";
import { libcPath } from "../../../runtime/host/features.js";
import { runDeclaration } from "../../../runtime/runs/run.js";
import { runRing } from "../../../runtime/runs/ring.js";
import { plan } from "../../../runtime/planner/plan.js";
import { DATE_TYPE, measureBootClock, wallClockMs, withWallClock } from "../../../runtime/host/wall-clock.js";
import { withHeldWorkload } from "../../bpf/support/workload.js";
import { workloadFile } from "../../support/workload-file.js";
import { during } from "../fixtures/aggregate-run.js";

const GETPPIDS = 500;
/** How far two measurements of the boot offset may differ (each is good to µs; NTP may slew the wall clock in between). */
const EPSILON_MS = 0.25;
const steps = workloadFile("agg-steps");

/** Host clock readings around `work`: Date.now() before and after. */
async function between(work: () => Promise<void>): Promise<{ before: number; after: number }> {
  const before = Date.now();
  await work();
  return { before, after: Date.now() };
}

/**
 * The checks every events result's time column passes: epoch ms right after
 * time_ns, of type "date"; each row within [before, after] (1 ms either side
 * for rounding); in time_ns order; and the conversion of time_ns by one offset,
 * the one the host's clocks give now, to the millisecond.
 */
function expectWallClock(r: { columns: Record<string, ArrayLike<unknown>>; columnTypes: Record<string, string>; rowCount: number }, window: { before: number; after: number }) {
  const names = Object.keys(r.columns);
  expect(names.indexOf("time")).toBe(names.indexOf("time_ns") + 1);
  expect(r.columnTypes.time).toBe(DATE_TYPE);
  expect(r.columns.time).toBeInstanceOf(Float64Array);
  const time = r.columns.time as Float64Array;
  const ns = r.columns.time_ns as Float64Array;
  expect(time.length).toBe(r.rowCount);
  expect(r.rowCount).toBeGreaterThan(0);
  const clock = measureBootClock();
  for (let i = 0; i < time.length; i++) {
    expect(Number.isInteger(time[i])).toBe(true); // whole ms, as a Date holds them
    expect(time[i]).toBeGreaterThanOrEqual(window.before - 1);
    expect(time[i]).toBeLessThanOrEqual(window.after + 1);
    // time_ns converted and floored to the ms (the offset measured now may differ by µs: ε)
    const exact = clock.bootEpochMs + ns[i]! / 1e6;
    expect(time[i]).toBeGreaterThanOrEqual(Math.floor(exact - EPSILON_MS));
    expect(time[i]).toBeLessThanOrEqual(Math.floor(exact + EPSILON_MS));
    if (i > 0 && ns[i]! >= ns[i - 1]!) expect(time[i]).toBeGreaterThanOrEqual(time[i - 1]!);
  }
}

describe("the boot offset", () => {
  it("puts process.hrtime (CLOCK_MONOTONIC) on Date.now()'s clock to well under a millisecond", () => {
    const clock = measureBootClock();
    expect(clock.uncertaintyMs).toBeGreaterThan(0);
    expect(clock.uncertaintyMs).toBeLessThan(0.5);
    for (let i = 0; i < 200; i++) {
      const lo = process.hrtime.bigint();
      const wall = Date.now();
      const hi = process.hrtime.bigint();
      // Date.now() is the wall clock floored to the ms at some instant in [lo, hi].
      expect(wall).toBeGreaterThanOrEqual(Math.floor(clock.bootEpochMs + Number(lo) / 1e6 - clock.uncertaintyMs));
      expect(wall).toBeLessThanOrEqual(Math.floor(clock.bootEpochMs + Number(hi) / 1e6 + clock.uncertaintyMs));
    }
  });

  it("converts time_ns to whole epoch ms, floored, and puts time right after time_ns", () => {
    const clock = { bootEpochMs: 1_700_000_000_000.75, uncertaintyMs: 0 }; // .75: exact in a double
    expect(Array.from(wallClockMs(Float64Array.of(0, 249_000, 250_000, 5_000_400_000), clock)))
      .toEqual([1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_001, 1_700_000_005_001]);
    const columns = { time_ns: Float64Array.of(1e6), cpu: Uint32Array.of(1), comm: ["a"] };
    const types = { time_ns: "float64", cpu: "uint32", comm: "string" } as const;
    const r = withWallClock(columns, types, clock);
    expect(Object.keys(r.columns)).toEqual(["time_ns", "time", "cpu", "comm"]);
    expect(r.columnTypes).toEqual({ time_ns: "float64", time: "date", cpu: "uint32", comm: "string" });
    expect(Array.from(r.columns.time as Float64Array)).toEqual([1_700_000_000_001]);
    expect(Object.keys(columns)).toEqual(["time_ns", "cpu", "comm"]); // the caller's objects are not changed
    // Nothing to convert: no time_ns, or one that is not a float64 clock reading.
    expect(Object.keys(withWallClock({ pid: Uint32Array.of(1) }, { pid: "uint32" }, clock).columns)).toEqual(["pid"]);
    expect(Object.keys(withWallClock({ time_ns: BigUint64Array.of(1n) }, { time_ns: "biguint64" }, clock).columns)).toEqual(["time_ns"]);
  });
});

describe("events results carry time next to time_ns", () => {
  it("tracepoint events: every getppid of the workload, at a wall-clock time between the host's readings", async () => {
    const s = await steps.stepper();
    let window = { before: 0, after: 0 };
    const r = await runRing(plan({ kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, fields: [], filter: { pid: s.pid }, durationMs: 300 }),
      { onAttached: async () => void (window = await between(() => s.step(`p ${GETPPIDS}`))) },
    );
    expect(r.rowCount).toBe(GETPPIDS);
    expect(r.stats.dropped).toBe(0);
    expect(Object.keys(r.columns)).toEqual(["time_ns", "time", "cpu", "pid", "tid", "uid", "gid", "cgroup", "comm"]);
    expectWallClock(r, window);
  });

  it("tracepoint events with lean columns: asking for time_ns brings time", async () => {
    const s = await steps.stepper();
    let window = { before: 0, after: 0 };
    const r = await runRing(plan({ kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, fields: [], columns: ["pid", "time_ns"], filter: { pid: s.pid }, durationMs: 300 }),
      { onAttached: async () => void (window = await between(() => s.step("p 50"))) },
    );
    expect(Object.keys(r.columns)).toEqual(["time_ns", "time", "pid"]);
    expect(r.rowCount).toBe(50);
    expectWallClock(r, window);
    // Without time_ns there is nothing to convert.
    const none = await runRing(plan({ kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, fields: [], columns: ["pid"], filter: { pid: s.pid }, durationMs: 100 }),
      { onAttached: () => s.step("p 5") },
    );
    expect(Object.keys(none.columns)).toEqual(["pid"]);
  });

  it("latency pairs over a threshold: each slow sleep's end, on the wall clock", async () => {
    const s = await steps.stepper();
    let window = { before: 0, after: 0 };
    const r = await during({
      kind: "latency", pair: { type: "syscall", name: "clock_nanosleep" }, filter: { pid: s.pid }, keys: ["pid"],
      value: { op: "count" }, thresholdNs: 1_000_000, durationMs: 60_000,
    }, async () => void (window = await between(() => s.step("s 5 3000"))));
    expect(Object.keys(r.columns)).toEqual(["time_ns", "time", "latency_ns", "pid"]);
    expect(r.rowCount).toBe(5);
    expectWallClock(r, window);
    // A pair's time is its end: at least its latency after the window opened.
    const time = r.columns.time as Float64Array, latency = r.columns.latency_ns as Float64Array;
    for (let i = 0; i < r.rowCount; i++) expect(time[i]! - latency[i]! / 1e6).toBeGreaterThanOrEqual(window.before - 1);
  });

  it("uprobe events: every lldiv call of the workload", async () => {
    await withHeldWorkload("libc-calls", ["200"], async (w) => {
      let window = { before: 0, after: 0 };
      const r = await runDeclaration(
        { kind: "events", source: { type: "uprobe", binary: libcPath(), symbol: "lldiv" }, values: [{ name: "numer", arg: 0, type: "long" }], filter: { pid: w.pid }, durationMs: 300 },
        { onAttached: async () => void (window = await between(async () => void (await w.go()))) },
      );
      expect(r.rowCount).toBe(200);
      expectWallClock(r, window);
    });
  });

  it("a time series' time is the same kind of column: each interval's end, epoch ms of type date", async () => {
    const s = await steps.stepper();
    const before = Date.now();
    const r = await runDeclaration(
      { kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, value: { op: "count" }, keys: [], filter: { pid: s.pid }, everyMs: 100, durationMs: 350 },
      { onAttached: () => s.step("p 100") },
    );
    const after = Date.now();
    expect(r.columnTypes.time).toBe(DATE_TYPE);
    expect(r.columns.time).toBeInstanceOf(Float64Array);
    const time = Array.from(r.columns.time as Float64Array);
    expect(time.length).toBeGreaterThan(0);
    for (const t of time) {
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
    }
    expect(Array.from(r.columns.count as Float64Array).reduce((a, b) => a + b, 0)).toBe(100);
  });
});
