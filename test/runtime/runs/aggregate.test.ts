// Real kernel, real BPF: in-kernel aggregations (agg_tp) over workloads the
// test drives step by step (test/bpf/support/agg-steps.c), with exact results.
import { describe, expect, it } from "vitest";
import type { AggregateDeclaration } from "../../../runtime/spec/declaration.js";
import { runAggregate, startAggregate } from "../../../runtime/runs/aggregate.js";
import { workloadFile } from "../../support/workload-file.js";
import { during, rowsOf } from "../fixtures/aggregate-run.js";

const { withStepper } = workloadFile("agg-steps");

const writes = (over: Partial<AggregateDeclaration>, pid: number): AggregateDeclaration => ({
  kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_write" }, filter: { pid }, keys: ["comm"],
  value: { op: "count" }, durationMs: 60_000, ...over,
});

describe("runAggregate (agg_tp)", () => {
  it("counts exactly 10,000 getppid calls for the workload's pid", async () => {
    await withStepper(async (s) => {
      const r = await runAggregate(
        { kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, filter: {}, keys: ["pid"],
          value: { op: "count" }, durationMs: 300 },
        { onAttached: () => s.step("p 10000") });
      expect(r.columnTypes).toEqual({ pid: "uint32", count: "float64" });
      const ours = rowsOf(r).filter((row) => row.pid === s.pid);
      expect(ours).toEqual([{ pid: s.pid, count: 10_000 }]);
      expect(r.stats).toMatchObject({ lost: 0, stoppedBy: "duration", batched: true });
    });
  });

  it("folds a field: count, sum, min, max and avg of write sizes 1..100", async () => {
    await withStepper(async (s) => {
      const r = await during(writes({ value: { op: "stats", field: "count" } }, s.pid), () => s.step("w 100"));
      expect(Object.keys(r.columns)).toEqual(["comm", "count", "sum", "min", "max", "avg"]);
      // the workload's own "done" lines are writes too (5 bytes, before stop: one per step)
      const rows = rowsOf(r);
      expect(rows).toEqual([{ comm: "agg-steps", count: 101, sum: 5050 + 5, min: 1, max: 100, avg: 5055 / 101 }]);
    });
  });

  it("filters in the kernel: a field predicate, comm, and 1-in-N sampling", async () => {
    await withStepper(async (s) => {
      await s.step("c 0"); // one CPU: the per-CPU sampling sequence is this workload's alone
      const r = await during(writes({
        keys: [], value: { op: "sum", field: "count" },
        filter: { pid: s.pid, comm: "agg-steps", where: [{ field: "count", op: ">=", value: 6 }], sample: 10 },
      }, s.pid), () => s.step("w 100"));
      // writes of 6..100 bytes pass the predicate ("done\n" has 5); every 10th: 6, 16, ..., 96
      expect(rowsOf(r)).toEqual([{ sum: 6 + 16 + 26 + 36 + 46 + 56 + 66 + 76 + 86 + 96 }]);
      const other = await during(writes({ keys: [], filter: { pid: s.pid, comm: "not-it" } }, s.pid), () => s.step("w 10"));
      expect(other.rowCount).toBe(0);
    });
  });

  it("keys by a field, and counts the updates a full map loses", async () => {
    await withStepper(async (s) => {
      const r = await during(writes({ keys: ["count"], maxKeys: 4, filter: { pid: s.pid, where: [{ field: "count", op: "<=", value: 10 }] } }, s.pid),
        () => s.step("w 10"));
      // 10 distinct sizes (and "done\n": 5 again); 4 keys fit
      expect(r.rowCount).toBe(4);
      const total = rowsOf(r).reduce((n, row) => n + (row.count as number), 0);
      expect(r.stats.lost).toBe(11 - total);
      expect(r.stats.lost).toBeGreaterThanOrEqual(6);
    });
  });

  it("makes linear and log2 histograms of a field, one row per (key, bucket)", async () => {
    await withStepper(async (s) => {
      const lin = await during(writes({ value: { op: "hist_linear", field: "count", min: 10, max: 100, step: 30 },
        filter: { pid: s.pid, where: [{ field: "count", op: "!=", value: 5 }] } }, s.pid), () => s.step("w 100"));
      expect(Object.keys(lin.columns)).toEqual(["comm", "lower", "upper", "count"]);
      expect(rowsOf(lin)).toEqual([
        { comm: "agg-steps", lower: -Infinity, upper: 10, count: 8 }, // 1..9 but 5
        { comm: "agg-steps", lower: 10, upper: 40, count: 30 },
        { comm: "agg-steps", lower: 40, upper: 70, count: 30 },
        { comm: "agg-steps", lower: 70, upper: 100, count: 30 },
        { comm: "agg-steps", lower: 100, upper: Infinity, count: 1 },
      ]);
      const log = await during(writes({ keys: [], value: { op: "hist_log2", field: "count", subBuckets: 4 },
        filter: { pid: s.pid, where: [{ field: "count", op: "!=", value: 5 }] } }, s.pid), () => s.step("w 100"));
      // expected: each size 1..100 but 5 in [lower, upper) of exactly one row
      const rows = rowsOf(log) as { lower: number; upper: number; count: number }[];
      for (const row of rows) {
        let n = 0;
        for (let v = 1; v <= 100; v++) if (v !== 5 && v >= row.lower && v < row.upper) n++;
        expect(row.count).toBe(n);
      }
      expect(rows.reduce((n, r) => n + r.count, 0)).toBe(99);
      expect(rows.map((r) => [r.lower, r.upper])).toContainEqual([64, 80]); // 4 buckets per power of two
      expect(rows.map((r) => [r.lower, r.upper])).toContainEqual([96, 112]);
      expect(rows.find((r) => r.lower === 64)!.count).toBe(16);
    });
  });

  it("reads an exact time series: K calls per interval, driven between cuts", async () => {
    await withStepper(async (s) => {
      const K = [5, 17, 0, 42];
      const ac = new AbortController();
      const r = await runAggregate(
        { kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, filter: { pid: s.pid },
          keys: ["pid"], value: { op: "count" }, durationMs: 60_000, everyMs: 50 },
        {
          signal: ac.signal,
          onAttached: () => s.step(`p ${K[0]}`),
          onInterval: async (i) => {
            if (i + 1 < K.length) await s.step(`p ${K[i + 1]}`);
            else ac.abort();
          },
        });
      expect(Object.keys(r.columns)).toEqual(["interval", "time", "pid", "count"]);
      expect(rowsOf(r).map(({ interval, pid, count }) => ({ interval, pid, count }))).toEqual([
        { interval: 0, pid: s.pid, count: 5 },
        { interval: 1, pid: s.pid, count: 17 },
        { interval: 3, pid: s.pid, count: 42 },
      ]);
      const t = r.columns.time as Float64Array;
      expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(50);
      expect(r.stats.intervals).toBeGreaterThanOrEqual(4);
      expect(r.stats.stoppedBy).toBe("abort");
      expect(r.stats.lost).toBe(0);
    });
  });

  it("cuts intervals on demand with snapshot()", async () => {
    await withStepper(async (s) => {
      const run = await startAggregate({ kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
        filter: { pid: s.pid }, keys: [], value: { op: "count" }, durationMs: 60_000, everyMs: 3_600_000 });
      let r;
      try {
        for (const k of [3, 1000, 7]) {
          await s.step(`p ${k}`);
          await run.snapshot();
        }
        await s.step("p 11");
      } finally {
        r = await run.stop();
      }
      expect(Array.from(r.columns.count as Float64Array)).toEqual([3, 1000, 7, 11]);
      expect(Array.from(r.columns.interval as Uint32Array)).toEqual([0, 1, 2, 3]);
    });
  });
});
