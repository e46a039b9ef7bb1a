// Aggregations, latency pairs and profiles while they run: onProgress reports
// (elapsed time, events counted in the kernel, drops/lost), read() gives the
// table so far without disturbing the run, and stats.events counts every event
// aggregated whatever the value. Real BPF, on agg-steps driven step by step.
import { describe, expect, it } from "vitest";
import type { AggregateDeclaration } from "../../../runtime/spec/declaration.js";
import type { RunProgress } from "../../../runtime/spec/protocol.js";
import { runAggregate, startAggregate } from "../../../runtime/runs/aggregate.js";
import { runProfile } from "../../../runtime/templates/profile/run.js";
import { workloadFile } from "../../support/workload-file.js";
import { rowsOf } from "../fixtures/aggregate-run.js";

const { withStepper } = workloadFile("agg-steps");

const getppid = (pid: number, over: Partial<AggregateDeclaration> = {}): AggregateDeclaration => ({
  kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, filter: { pid }, keys: ["pid"],
  value: { op: "count" }, durationMs: 60_000, ...over,
});

/** Resolves with the first report for which `ok` holds (fails after 3 s). */
function reportWhere(reports: RunProgress[], ok: (p: RunProgress) => boolean): Promise<RunProgress> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const hit = reports.find(ok);
      if (hit || Date.now() - t0 > 3000) {
        clearInterval(poll);
        if (hit) resolve(hit);
        else reject(new Error(`no progress report matched; got ${JSON.stringify(reports.slice(-3))}`));
      }
    }, 10);
  });
}

describe("aggregations while they run", () => {
  it("report progress with the kernel's event count, and read() the totals without taking them away", async () => {
    await withStepper(async (s) => {
      const reports: RunProgress[] = [];
      const run = await startAggregate(getppid(s.pid), { onProgress: (p) => reports.push(p), progressIntervalMs: 20 });
      try {
        await s.step("p 3000");
        const p = await reportWhere(reports, (r) => r.events === 3000);
        expect(p).toMatchObject({ events: 3000, dropped: 0, lost: 0 });
        expect(p.elapsedMs).toBeGreaterThan(0);
        const a = await run.read();
        expect(rowsOf(a)).toEqual([{ pid: s.pid, count: 3000 }]);
        expect(a.stats).toMatchObject({ events: 3000, lost: 0, intervals: 0 });
        await s.step("p 1000");
        expect(rowsOf(await run.read())).toEqual([{ pid: s.pid, count: 4000 }]);
      } finally {
        const r = await run.stop();
        expect(rowsOf(r)).toEqual([{ pid: s.pid, count: 4000 }]);
        expect(r.stats.events).toBe(4000);
      }
      const n = reports.length;
      await new Promise((r) => setTimeout(r, 60));
      expect(reports.length).toBe(n); // no report after stop
    });
  });

  it("read() of a time series holds the completed intervals; snapshot() completes one", async () => {
    await withStepper(async (s) => {
      const run = await startAggregate(getppid(s.pid, { everyMs: 3_600_000 }));
      try {
        await s.step("p 100");
        expect((await run.read()).rowCount).toBe(0);
        const cut = await run.snapshot();
        expect(rowsOf(cut).map(({ interval, count }) => ({ interval, count }))).toEqual([{ interval: 0, count: 100 }]);
        await s.step("p 40");
        const later = await run.read(); // the current interval is not complete: not in it
        expect(rowsOf(later).map(({ interval, count }) => ({ interval, count }))).toEqual([{ interval: 0, count: 100 }]);
        expect(later.stats.events).toBe(140);
      } finally {
        const r = await run.stop();
        expect(rowsOf(r).map(({ interval, count }) => ({ interval, count }))).toEqual(
          [{ interval: 0, count: 100 }, { interval: 1, count: 40 }]);
      }
    });
  });

  it("counts the events of sum, max and latency pairs in the kernel", async () => {
    await withStepper(async (s) => {
      const writes = (op: "sum" | "max"): AggregateDeclaration => ({
        kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_write" }, keys: [],
        filter: { pid: s.pid, where: [{ field: "count", op: ">=", value: 6 }] }, value: { op, field: "count" }, durationMs: 300,
      });
      const sum = await runAggregate(writes("sum"), { onAttached: () => s.step("w 50") });
      expect(rowsOf(sum)).toEqual([{ sum: 1275 - 15 }]);
      expect(sum.stats.events).toBe(45);
      const max = await runAggregate(writes("max"), { onAttached: () => s.step("w 20") });
      expect(rowsOf(max)).toEqual([{ max: 20 }]);
      expect(max.stats.events).toBe(15);
      const reports: RunProgress[] = [];
      const lat = await runAggregate({
        kind: "latency", pair: { type: "syscall", name: "getppid" }, filter: { pid: s.pid }, keys: [],
        value: { op: "max" }, durationMs: 400,
      }, { onAttached: () => s.step("p 700"), onProgress: (p) => reports.push(p), progressIntervalMs: 50 });
      expect(lat.stats.events).toBe(700);
      expect(reports.at(-1)).toMatchObject({ events: 700, dropped: 0, lost: 0 });
    });
  });
});

describe("a CPU profile while it runs", () => {
  it("reports the samples taken so far", async () => {
    await withStepper(async (s) => {
      const reports: RunProgress[] = [];
      const r = await runProfile({ kind: "profile", filter: { pid: s.pid }, frequencyHz: 199, durationMs: 700 },
        { onAttached: () => void s.step("b 500"), onProgress: (p) => reports.push(p), progressIntervalMs: 100 });
      expect(reports.length).toBeGreaterThanOrEqual(3);
      const events = reports.map((p) => p.events);
      expect(events).toEqual([...events].sort((a, b) => a - b)); // never goes back
      expect(events.at(-1)).toBeGreaterThan(20); // 500 ms busy at 199 Hz: ~100 samples
      expect(r.stats.samples).toBeGreaterThanOrEqual(events.at(-1)!);
      expect(reports.every((p) => p.dropped === 0)).toBe(true);
    });
  });
});
