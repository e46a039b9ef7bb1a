// The native side of aggregations (native/src/map_batch.c): per-CPU values are
// kept apart by the kernel and merged in C - counts and sums add, min and max
// combine over the CPUs that saw the key, histogram slots add - and a batched
// read-and-delete leaves the map empty.
import { attachOne } from "../../runtime/runs/attach.js";
import { describe, expect, it } from "vitest";
import { native } from "../../native/load.js";
import { plan } from "../../runtime/planner/plan.js";
import { AGG, valueLayout } from "../../runtime/templates/aggregation.js";
import { load } from "../../runtime/templates/load.js";
import { workloadFile } from "../support/workload-file.js";

const steps = workloadFile("agg-steps");
const { held } = steps;

describe("readAggregate", () => {
  it("merges per-CPU values in C and deletes what it read", async () => {
    // The workload is pinned to CPU 0, then CPU 1: a machine with one CPU can't run this test (it fails, not skips).
    expect(native().numPossibleCpus(), "possible CPUs (this test pins the workload to CPUs 0 and 1)").toBeGreaterThanOrEqual(2);
    const s = await steps.stepper();
    const p = plan({
      kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_write" }, keys: [],
      filter: { pid: s.pid, where: [{ field: "count", op: "!=", value: 5 }] }, // not the "done\n" lines
      value: { op: "hist_linear", field: "count", min: 0, max: 16, step: 4 }, durationMs: 1000,
    });
    const { obj } = load(p);
    try {
      attachOne(obj, p.attach[0]!);
      await s.step("c 0");
      await s.step("w 10"); // CPU 0: 1..10 but 5
      await s.step("c 1");
      await s.step("w 3"); // CPU 1: 1..3

      // the kernel keeps one copy per CPU ...
      const key = new Uint8Array(p.keySize);
      const raw = obj.mapLookup("pb_agg0", key)!;
      const stride = raw.length / native().numPossibleCpus();
      expect(stride).toBe(AGG.valueHeaderSize + 8 * p.nslots);
      const at = (cpu: number, off: number) => Number(new DataView(raw.buffer, raw.byteOffset + cpu * stride + off).getBigInt64(0, true));
      expect([at(0, 0), at(0, 8), at(0, 16), at(0, 24)]).toEqual([9, 50, 1, 10]); // count, sum, min, max
      expect([at(1, 0), at(1, 8), at(1, 16), at(1, 24)]).toEqual([3, 6, 1, 3]);

      // ... which readAggregate merges
      const b = obj.readAggregate("pb_agg0", [], valueLayout(p.nslots));
      expect(b.rows).toBe(1);
      expect(b.batched).toBe(true);
      expect([b.columns.count, b.columns.sum, b.columns.min, b.columns.max].map((c) => Array.from(c as Float64Array)))
        .toEqual([[12], [56], [1], [10]]);
      // slots: [0,4): 1,2,3 + 1,2,3; [4,8): 4,6,7; [8,12): 8,9,10 (slot 0 is below min)
      expect(Array.from(b.slots.slot)).toEqual([1, 2, 3]);
      expect(Array.from(b.slots.count)).toEqual([6, 3, 3]);
      expect(Array.from(b.slots.row)).toEqual([0, 0, 0]);

      const again = obj.readAggregate("pb_agg0", [], valueLayout(p.nslots), { delete: true });
      expect(Array.from(again.columns.count as Float64Array)).toEqual([12]);
      expect(obj.mapLookup("pb_agg0", key)).toBeNull();
      expect(obj.readAggregate("pb_agg0", [], valueLayout(p.nslots)).rows).toBe(0);
    } finally {
      held.close(obj);
      await s.dispose();
    }
  });

  it("decodes key columns in C and checks its arguments", () => {
    const p = plan({
      kind: "aggregate", source: { type: "tracepoint", name: "sched:sched_switch" }, keys: ["prev_comm", "cpu", "prev_pid"],
      filter: {}, value: { op: "count" }, durationMs: 1000,
    });
    expect(p.keyColumns.map((c) => [c.name, c.offset, c.kind])).toEqual([["prev_comm", 0, "cstring"], ["cpu", 16, "u32"], ["prev_pid", 20, "s32"]]);
    const { obj } = load(p);
    try {
      const key = new Uint8Array(p.keySize);
      key.set(new TextEncoder().encode("abc"), 0);
      new DataView(key.buffer).setUint32(16, 1, true);
      new DataView(key.buffer).setInt32(20, -7, true);
      const value = new Uint8Array(AGG.valueHeaderSize * native().numPossibleCpus());
      new DataView(value.buffer).setBigUint64(0, 5n, true); // CPU 0: count 5
      obj.mapUpdate("pb_agg0", key, value);
      const b = obj.readAggregate("pb_agg0", p.keyColumns.map(({ name, offset, kind, length }) => ({ name, offset, kind, ...(length ? { length } : {}) })),
        valueLayout(0));
      expect(b.columns.prev_comm).toEqual(["abc"]);
      expect(Array.from(b.columns.cpu as Uint32Array)).toEqual([1]);
      expect(Array.from(b.columns.prev_pid as Int32Array)).toEqual([-7]);
      expect(Array.from(b.columns.count as Float64Array)).toEqual([5]);
      expect(() => obj.mapUpdate("pb_agg0", key.subarray(1), value)).toThrow(/key and value must have 24 and \d+ bytes, got 23/);
      expect(() => obj.readAggregate("pb_ctl", [], valueLayout(0))).toThrow(/pb_ctl .* is not a per-CPU hash/);
      expect(() => obj.readAggregate("pb_agg0", [], valueLayout(4))).toThrow(/value layout does not fit map pb_agg0's 32-byte values/);
      expect(() => obj.setMapValueSize("pb_agg0", 64)).toThrow(/cannot set the value size of pb_agg0: .* is already loaded/);
    } finally {
      held.close(obj);
    }
  });
});
