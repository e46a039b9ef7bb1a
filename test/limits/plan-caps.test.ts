// The caps the planner sets on what one probe may hold in the kernel and how
// long it may run, planned against the running kernel's tracefs: the ring
// buffer of an event stream is sized to 16 384 records and never past 64 MB,
// even for the largest record; an aggregation keeps 10 240 keys by default
// (1 024 for histograms) within a 64 MB per-CPU budget and at most 2^20 when
// asked; a run lasts at most 24 h. Past a cap the error names it.
import { describe, expect, it } from "vitest";
import { possibleCpus } from "../../runtime/host/facts.js";
import { plan } from "../../runtime/planner/plan.js";
import { PlanError } from "../../runtime/spec/errors.js";
import { thrown } from "../support/thrown.js";

const opts = { pidNamespace: { dev: 0, ino: 0 } };
const events = (extra: Record<string, unknown> = {}) =>
  ({ kind: "events", source: { type: "tracepoint", name: "sched:sched_switch" }, fields: [], filter: {}, durationMs: 1000, ...extra }) as never;
const count = (extra: Record<string, unknown> = {}) =>
  ({ kind: "aggregate", source: { type: "tracepoint", name: "sched:sched_switch" }, value: { op: "count" }, keys: ["pid"], filter: {}, durationMs: 1000, ...extra }) as never;
const MB = 1024 * 1024;

describe("memory per probe", () => {
  it("sizes an event stream's ring to 16 384 records (a power of two), never past 64 MB", () => {
    const p = plan(events(), opts) as unknown as { maps: Record<string, { maxEntries: number }>; ring: { map: string; recordSize: number } };
    const bytes = p.maps[p.ring.map]!.maxEntries;
    expect(bytes).toBeGreaterThanOrEqual((p.ring.recordSize + 8) * 16384);
    expect(bytes & (bytes - 1)).toBe(0);
    expect(bytes).toBeLessThanOrEqual(64 * MB);
    // The largest record the planner lays out (every field of an event with long strings) stays within the cap.
    const big = plan({ kind: "events", source: { type: "tracepoint", name: "sched:sched_process_exec" }, fields: [], columns: ["time_ns", "pid", "comm", "kstack", "ustack"], filter: {}, durationMs: 1000 } as never, opts) as unknown as { maps: Record<string, { maxEntries: number }>; ring: { map: string } };
    expect(big.maps[big.ring.map]!.maxEntries).toBeLessThanOrEqual(64 * MB);
  });

  it("keeps 10 240 keys by default within a 64 MB per-CPU budget; maxKeys raises it to at most 2^20, and past that the error names the range", () => {
    const p = plan(count(), opts) as unknown as { maps: Record<string, { maxEntries?: number; valueSize?: number }> };
    const aggMaps = Object.entries(p.maps).filter(([name]) => /^pb_agg/.test(name)).map(([, m]) => m);
    expect(aggMaps.length).toBeGreaterThan(0);
    for (const m of aggMaps) expect(m.maxEntries).toBe(Math.min(10240, m.maxEntries!));
    const perCpuBytes = aggMaps.reduce((n, m) => n + m.maxEntries! * m.valueSize! * possibleCpus(), 0);
    expect(perCpuBytes).toBeLessThanOrEqual(64 * MB);
    const e = thrown(() => plan(count({ maxKeys: 2 ** 21 }), opts), PlanError);
    expect(e.message).toBe("maxKeys must be a whole number from 1 to 1048576, got 2097152");
  });
});

describe("duration of a run", () => {
  it("is at most 24 h: a longer one is refused with the cap in the message", () => {
    for (const decl of [events({ durationMs: 25 * 3600 * 1000 }), count({ durationMs: 25 * 3600 * 1000 })]) {
      const e = thrown(() => plan(decl, opts), PlanError);
      expect(e.code).toBe("BAD_DECLARATION");
      expect(e.message).toMatch(/duration must be a positive number of milliseconds up to 24 h, got 90000000/);
    }
  });
});
