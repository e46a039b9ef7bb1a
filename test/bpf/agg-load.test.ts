// Contract 1: the aggregation templates (agg_tp, lat_pairs) load through the
// real verifier with the plans of every value op, every key source, every
// filter clause and every pair type.
import { describe, expect, it } from "vitest";
import type { AggregateDeclaration, LatencyDeclaration } from "../../runtime/spec/declaration.js";
import { plan } from "../../runtime/planner/plan.js";
import { load } from "../../runtime/templates/load.js";
import { recordHeld } from "../support/held-bpf.js";

const held = recordHeld();

function agg(over: Partial<AggregateDeclaration>): AggregateDeclaration {
  return { kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_read" }, filter: {}, keys: [],
    value: { op: "count" }, durationMs: 1000, ...over };
}

function lat(over: Partial<LatencyDeclaration>): LatencyDeclaration {
  return { kind: "latency", pair: { type: "syscall" }, filter: {}, keys: [], value: { op: "hist_log2" }, durationMs: 1000, ...over };
}

function loads(decl: AggregateDeclaration | LatencyDeclaration): number {
  const p = plan(decl);
  const { obj, attach } = load(p);
  try {
    expect(obj.state).toBe("loaded");
    const names = [...new Set(attach.map((a) => a.program))];
    expect(names).toEqual(p.template === "agg_tp" ? ["pb_agg_tp"]
      : p.btfVariant ? ["pb_lat_rq_issue", "pb_lat_rq_done"] : ["pb_lat_start", "pb_lat_end"]);
    return Math.max(...names.map((n) => obj.programInfo(n).verifiedInsns));
  } finally {
    held.close(obj);
  }
}

describe("agg_tp through the verifier", () => {
  const cases: [string, Partial<AggregateDeclaration>][] = [
    ["count by pid", { keys: ["pid"] }],
    ["sum of count by comm, tid, cpu", { keys: ["comm", "tid", "cpu"], value: { op: "sum", field: "count" } }],
    ["stats by a field and a task key", { keys: ["fd", "uid", "gid", "cgroup"], value: { op: "stats", field: "count" } }],
    ["log2 histogram, 8 sub-buckets", { keys: ["pid"], value: { op: "hist_log2", field: "count", subBuckets: 8 } }],
    ["linear histogram", { value: { op: "hist_linear", field: "count", min: 0, max: 8192, step: 512 } }],
    ["every filter clause", {
      keys: ["pid"], value: { op: "max", field: "count" },
      filter: { pid: 1, tid: 1, comm: "x", uid: 0, cgroup: 1, sample: 3,
        where: [{ field: "fd", op: ">=", value: 0 }, { field: "count", op: "<", value: 65536 },
          { field: "count", op: "&", value: 1 }, { field: "fd", op: "!=", value: 12345 }] },
    }],
    ["a time series (two generations)", { keys: ["pid", "comm"], everyMs: 1000, value: { op: "hist_log2", field: "count" } }],
    ["char array and int fields of sched_switch",
      { source: { type: "tracepoint", name: "sched:sched_switch" }, keys: ["prev_comm", "next_pid", "prev_state"] }],
  ];
  for (const [name, over] of cases)
    it(`loads: ${name}`, () => {
      expect(loads(agg(over))).toBeLessThan(100_000);
    });
});

describe("lat_pairs through the verifier", () => {
  const cases: [string, Partial<LatencyDeclaration>][] = [
    ["one syscall, log2 by comm", { pair: { type: "syscall", name: "clock_nanosleep" }, keys: ["comm"] }],
    ["every syscall, stats by syscall and pid", { keys: ["syscall", "pid"], value: { op: "stats" }, filter: { comm: "x", sample: 2 } }],
    ["block, by dev and rwbs", { pair: { type: "block" }, keys: ["dev", "rwbs"], value: { op: "hist_linear", min: 0, max: 1_000_000, step: 10_000 } }],
    ["block on BTF tracepoints (tp_btf variant), by dev and cpu", { pair: { type: "block" }, keys: ["dev", "cpu"], filter: { comm: "x" } }],
    ["run queue, by tid and comm, filtered", { pair: { type: "runqueue" }, keys: ["tid", "comm", "cpu"], filter: { tid: 1 } }],
    ["threshold events to the ring", { pair: { type: "syscall", name: "read" }, keys: ["pid", "comm"], thresholdNs: 1000 }],
    ["a time series", { pair: { type: "runqueue" }, keys: ["cpu"], everyMs: 500 }],
  ];
  for (const [name, over] of cases)
    it(`loads: ${name}`, () => {
      expect(loads(lat(over))).toBeLessThan(100_000);
    });
});

describe("after the aggregation templates", () => {
  it("keeps only the chosen variant's programs (set_autoload)", () => {
    const p = plan(lat({ pair: { type: "block" }, keys: ["dev"] }));
    expect(p.btfVariant!.attach.map((a) => a.program)).toEqual(["pb_lat_rq_issue", "pb_lat_rq_done"]);
    const { obj, variant } = load(p);
    try {
      expect(variant).toBe("tp_btf"); // this kernel has BTF tracepoints
      expect(() => obj.programInfo("pb_lat_start")).toThrow(); // not loaded
    } finally {
      held.close(obj);
    }
  });

  it("leaves nothing open or loaded of what it loaded", async () => {
    expect(held.seen().progs.length).toBeGreaterThan(0);
    expect(await held.leftovers()).toEqual([]); // exact by id: others' probes may be loaded meanwhile
  });
});
