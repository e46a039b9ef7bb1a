// The aggregation planner is pure given a tracefs: declarations become agg_tp /
// lat_pairs instances (filters, key layouts, value folds, buckets, map sizes),
// and mistakes get errors that say what to write instead.
import { describe, expect, it } from "vitest";
import type { AggregateDeclaration, LatencyDeclaration } from "../../../runtime/spec/declaration.js";
import { PlanError } from "../../../runtime/spec/errors.js";
import { thrown } from "../../support/thrown.js";
import { plan } from "../../../runtime/planner/plan.js";
import { bucketBounds, defaultMaxKeys } from "../../../runtime/planner/aggregation.js";
import { possibleCpus } from "../../../runtime/host/facts.js";
import type { TracefsSource } from "../../../runtime/host/tracefs.js";
import type { AggTpConfig, LatPairsConfig } from "../../../runtime/templates/aggregation.js";

const fmt = (name: string, id: number, fields: string) => `name: ${name}\nID: ${id}\nformat:\n` +
  `\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n` +
  fields.trim().split("\n").map((l) => `\t${l.trim()}\n`).join("");

const FORMATS: Record<string, string> = {
  "syscalls:sys_enter_read": fmt("sys_enter_read", 700, `
    field:int __syscall_nr;	offset:8;	size:4;	signed:1;
    field:unsigned int fd;	offset:16;	size:8;	signed:0;
    field:char * buf;	offset:24;	size:8;	signed:0;
    field:size_t count;	offset:32;	size:8;	signed:0;`),
  "syscalls:sys_exit_read": fmt("sys_exit_read", 699, `
    field:int __syscall_nr;	offset:8;	size:4;	signed:1;
    field:long ret;	offset:16;	size:8;	signed:1;`),
  "raw_syscalls:sys_enter": fmt("sys_enter", 10, `
    field:long id;	offset:8;	size:8;	signed:1;
    field:unsigned long args[6];	offset:16;	size:48;	signed:0;`),
  "raw_syscalls:sys_exit": fmt("sys_exit", 11, `
    field:long id;	offset:8;	size:8;	signed:1;
    field:long ret;	offset:16;	size:8;	signed:1;`),
  "sched:sched_wakeup": fmt("sched_wakeup", 20, `
    field:char comm[16];	offset:8;	size:16;	signed:0;
    field:pid_t pid;	offset:24;	size:4;	signed:1;`),
  "sched:sched_wakeup_new": fmt("sched_wakeup_new", 21, `
    field:char comm[16];	offset:8;	size:16;	signed:0;
    field:pid_t pid;	offset:24;	size:4;	signed:1;`),
  "sched:sched_switch": fmt("sched_switch", 22, `
    field:char prev_comm[16];	offset:8;	size:16;	signed:0;
    field:pid_t prev_pid;	offset:24;	size:4;	signed:1;
    field:long prev_state;	offset:32;	size:8;	signed:1;
    field:char next_comm[16];	offset:40;	size:16;	signed:0;
    field:pid_t next_pid;	offset:56;	size:4;	signed:1;
    field:int next_prio;	offset:60;	size:4;	signed:1;`),
  "block:block_rq_issue": fmt("block_rq_issue", 30, `
    field:dev_t dev;	offset:8;	size:4;	signed:0;
    field:sector_t sector;	offset:16;	size:8;	signed:0;
    field:unsigned int bytes;	offset:28;	size:4;	signed:0;`),
  "block:block_rq_complete": fmt("block_rq_complete", 31, `
    field:dev_t dev;	offset:8;	size:4;	signed:0;
    field:sector_t sector;	offset:16;	size:8;	signed:0;
    field:char rwbs[10];	offset:34;	size:10;	signed:0;
    field:__data_loc char[] cmd;	offset:44;	size:4;	signed:0;`),
};
const tracefs: TracefsSource = {
  list: () => [...Object.keys(FORMATS), "syscalls:sys_enter_readv", "syscalls:sys_enter_pread64"].sort(),
  format: (c, e) => FORMATS[`${c}:${e}`],
};
const opts = { tracefs, pidNamespace: { dev: 0, ino: 0 } };

function agg(over: Partial<AggregateDeclaration> = {}): AggregateDeclaration {
  return { kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_read" }, filter: {}, keys: ["pid"],
    value: { op: "count" }, durationMs: 1000, ...over };
}
function lat(over: Partial<LatencyDeclaration> = {}): LatencyDeclaration {
  return { kind: "latency", pair: { type: "syscall", name: "read" }, filter: {}, keys: ["comm"], value: { op: "hist_log2" },
    durationMs: 1000, ...over };
}
const planError = (d: AggregateDeclaration | LatencyDeclaration) => thrown(() => plan(d, opts), PlanError);

describe("planning aggregates onto agg_tp", () => {
  it("lays out task keys and fields, and folds a field at its natural width", () => {
    const p = plan(agg({ keys: ["comm", "pid", "fd"], value: { op: "stats", field: "count" } }), opts);
    const cfg = p.rodata.cfg as AggTpConfig;
    expect(p.template).toBe("agg_tp");
    expect(p.describe).toBe("stats of count of syscalls:sys_enter_read by comm, pid, fd");
    expect(cfg.agg.keys).toEqual([
      { src_off: 0, size: 16, dst_off: 0, src: "AGG_SRC_COMM" },
      { src_off: 0, size: 4, dst_off: 16, src: "AGG_SRC_PID" },
      { src_off: 16, size: 4, dst_off: 20, src: "AGG_SRC_FIELD" }, // unsigned int fd in an 8-byte slot
    ]);
    expect(cfg.agg).toMatchObject({ key_size: 24, nkeys: 3, nslots: 0, hist: "AGG_HIST_NONE", snapshots: 0,
      value: { src_off: 32, size: 8, is_signed: 0 } });
    expect(p.keyColumns.map((c) => [c.name, c.kind])).toEqual([["comm", "cstring"], ["pid", "u32"], ["fd", "u32"]]);
    expect(p.valueColumns).toEqual(["count", "sum", "min", "max", "avg"]);
    expect(p.maps).toEqual({
      pb_zero: { valueSize: 32 },
      // the default key budget of this machine's CPU count (10240 on up to 102 CPUs; pinned in "map budgets")
      pb_agg0: { maxEntries: defaultMaxKeys(0, possibleCpus()), keySize: 24, valueSize: 32 },
      pb_agg1: { maxEntries: defaultMaxKeys(0, possibleCpus()), keySize: 24, valueSize: 32 },
    });
    expect(p.attach).toEqual([{ kind: "tracepoint", program: "pb_agg_tp", category: "syscalls", event: "sys_enter_read" }]);
  });

  it("plans every filter clause as struct pb_filter", () => {
    const p = plan(agg({ filter: { pid: 42, tid: 43, comm: "nginx", uid: 0, cgroup: 7, sample: 10,
      where: [{ field: "fd", op: "==", value: 3 }, { field: "count", op: "&", value: "0x8000000000000000" }] } }), opts);
    expect((p.rodata.cfg as AggTpConfig).filter).toEqual({
      tgid: 42, tid: 43, uid: 0, has_uid: 1, has_comm: 1, npreds: 2, unfiltered: 0, cgroup_id: 7n, sample_every: 10, pidns_dev: 0, pidns_ino: 0,
      comm: "nginx",
      preds: [
        { value: 3n, src_off: 16, size: 4, is_signed: 0, op: "PB_PRED_EQ" },
        { value: 0x8000000000000000n, src_off: 32, size: 8, is_signed: 0, op: "PB_PRED_MASK" },
      ],
    });
  });

  it("plans histograms: log2 with sub-buckets, linear with open ends; a series uses two generations", () => {
    const log = plan(agg({ value: { op: "hist_log2", field: "count", subBuckets: 2 }, everyMs: 1000 }), opts);
    expect((log.rodata.cfg as AggTpConfig).agg).toMatchObject({ hist: "AGG_HIST_LOG2", sub_bits: 1, nslots: 129, snapshots: 1 });
    expect(log.maps.pb_agg0).toEqual({ maxEntries: defaultMaxKeys(129, possibleCpus()), keySize: 8, valueSize: 32 + 8 * 129 });
    expect(defaultMaxKeys(129, 2)).toBe(1024); // what that is on a 2-CPU machine
    expect(log.everyMs).toBe(1000);
    expect(log.valueColumns).toEqual(["lower", "upper", "count"]);
    const lin = plan(agg({ value: { op: "hist_linear", field: "count", min: 100, max: 1000, step: 100 } }), opts);
    expect((lin.rodata.cfg as AggTpConfig).agg).toMatchObject({ hist: "AGG_HIST_LINEAR", lin_min: 100, lin_step: 100, nslots: 11 });
  });

  it("gives each log2 slot exact integer bounds", () => {
    const b = { kind: "log2", subBits: 2, nslots: 257, nonNegative: true } as const;
    expect(bucketBounds(b, 0)).toEqual([0, 1]);
    expect(bucketBounds(b, 1)).toEqual([1, 2]); // 2^0, sub 0
    expect(bucketBounds(b, 1 + 4 * 6)).toEqual([64, 80]);
    expect(bucketBounds(b, 1 + 4 * 6 + 3)).toEqual([112, 128]);
    expect(bucketBounds({ ...b, subBits: 0, nslots: 65 }, 21)).toEqual([2 ** 20, 2 ** 21]);
    const lin = { kind: "linear", min: 10, step: 30, nslots: 5 } as const;
    expect([0, 1, 3, 4].map((s) => bucketBounds(lin, s))).toEqual([[-Infinity, 10], [10, 40], [70, 100], [100, Infinity]]);
  });

  it("explains mistakes", () => {
    expect(planError(agg({ keys: ["fdd"] })).message).toBe(
      `key "fdd" (keys: pid, tid, uid, gid, cpu, cgroup, comm or a field): tracepoint syscalls:sys_enter_read has no field "fdd". ` +
        `Did you mean "fd"? Its fields: __syscall_nr (int), fd (unsigned int), buf (char *), count (size_t).`);
    expect(planError(agg({ value: { op: "sum", field: "buf" } })).message).toBe(
      `value.field: buf (char *) of syscalls:sys_enter_read is an address, not a quantity to sum; key by it instead (keys: ["buf"])`);
    expect(planError(agg({ keys: ["buf"] })).message).toBe(
      `key "buf": buf (char *) is a string of variable length; keys hold integers and fixed arrays of up to 16 bytes`);
    expect(planError(agg({ value: { op: "sum" } as never })).message).toBe(
      `value.op "sum" folds a field: give value.field, one of __syscall_nr, fd, buf, count`);
    expect(planError(agg({ value: { op: "median" } as never })).message).toMatch(/^value.op must be one of count, sum, min, max, avg, stats, hist_log2, hist_linear; got "median"/);
    expect(planError(agg({ value: { op: "hist_linear", field: "count", min: 0, max: 100, step: 7 } })).message).toBe(
      "hist_linear needs min < max and a positive step that divides max - min; got min 0, max 100, step 7");
    expect(planError(agg({ value: { op: "hist_log2", field: "count", subBuckets: 3 } })).message).toBe(
      "subBuckets must be 1, 2, 4 or 8 (buckets per power of two), got 3");
    expect(planError(agg({ filter: { comm: "a-very-long-command-name" } })).message).toMatch(/^filter.comm must be a command name of 1 to 15 bytes/);
    expect(planError(agg({ filter: { where: [{ field: "fd", op: "==", value: -1 }] } })).message).toBe(
      "filter.where[0]: -1 is outside the field's range (unsigned 32-bit: 0..4294967295)");
    expect(planError(agg({ filter: { where: [{ field: "fd", op: "=~", value: 1 }] } as never })).message).toMatch(/^filter.where\[0\] must be \{ field, op, value \} with op one of == != < <= > >= &/);
    expect(planError(agg({ keys: ["pid", "pid"] })).message).toBe(`key "pid" is listed twice`);
    expect(planError(agg({ keys: ["comm", "comm2", "comm3", "comm4"].map((k, i) => (i ? `tp_${k}` : k)) })).code).toBe("UNKNOWN_FIELD");
    expect(planError(agg({ maxKeys: 0 })).message).toBe("maxKeys must be a whole number from 1 to 1048576, got 0");
    expect(planError(agg({ everyMs: 1 })).message).toBe("every must be at least 10 ms, got 1");
    expect(planError(agg({ source: { type: "tracepoint", name: "syscalls:sys_enter_reed" } })).message).toBe(
      `Unknown tracepoint "syscalls:sys_enter_reed". Closest: syscalls:sys_enter_read, syscalls:sys_enter_readv, syscalls:sys_enter_pread64.`);
  });
});

describe("planning latency pairs onto lat_pairs", () => {
  it("pairs one syscall by thread, filtered at entry", () => {
    const p = plan(lat({ filter: { pid: 7, where: [{ field: "count", op: ">", value: 4096 }] } }), opts);
    const cfg = p.rodata.cfg as LatPairsConfig;
    expect(p.template).toBe("lat_pairs");
    expect(p.describe).toBe("hist_log2 of the latency of syscall read by comm");
    expect(p.attach).toEqual([
      { kind: "tracepoint", program: "pb_lat_start", category: "syscalls", event: "sys_enter_read" },
      { kind: "tracepoint", program: "pb_lat_end", category: "syscalls", event: "sys_exit_read" },
    ]);
    expect(cfg.start_id.match).toBe("LAT_MATCH_TID");
    expect(cfg.start_filter).toMatchObject({ tgid: 7, npreds: 1, preds: [{ src_off: 32, size: 8, op: "PB_PRED_GT", value: 4096n }] });
    expect(cfg.end_filter).toMatchObject({ tgid: 0, npreds: 0 });
    expect(cfg).toMatchObject({ to_ring: 0, requeue_state_size: 0 });
    expect(p.unit).toBe("ns");
    expect(p.buckets).toEqual({ kind: "log2", subBits: 2, nslots: 257, nonNegative: true });
  });

  it("pairs every syscall through raw_syscalls, keyed by its number", () => {
    const p = plan(lat({ pair: { type: "syscall" }, keys: ["syscall", "tid"] }), opts);
    expect(p.attach.map((a) => `${a.category}:${a.event}`)).toEqual(["raw_syscalls:sys_enter", "raw_syscalls:sys_exit"]);
    expect((p.rodata.cfg as LatPairsConfig).agg.keys[0]).toEqual({ src_off: 8, size: 8, dst_off: 0, src: "AGG_SRC_FIELD" });
    expect(p.keyColumns[0]).toMatchObject({ name: "syscall", kind: "s64_f64" });
  });

  it("pairs block requests by dev and sector, and run-queue waits by pid with the requeue of preempted tasks", () => {
    const b = plan(lat({ pair: { type: "block" }, keys: ["dev", "rwbs"] }), opts);
    const bc = b.rodata.cfg as LatPairsConfig;
    expect([bc.start_id, bc.end_id]).toEqual([
      { a_off: 8, a_size: 4, b_off: 16, b_size: 8, match: "LAT_MATCH_FIELDS" },
      { a_off: 8, a_size: 4, b_off: 16, b_size: 8, match: "LAT_MATCH_FIELDS" },
    ]);
    expect(b.keyColumns.map((c) => [c.name, c.kind])).toEqual([["dev", "u32"], ["rwbs", "cstring"]]);
    expect(bc.agg.keys[0]).toEqual({ src_off: 0, size: 4, dst_off: 0, src: "AGG_SRC_PAIR_A" });
    expect(b.btfVariant).toBeUndefined(); // rwbs is a field of the classic record
    expect(plan(lat({ pair: { type: "block" }, keys: ["dev", "cpu"] }), opts).btfVariant).toEqual({ attach: [
      { kind: "tp_btf", program: "pb_lat_rq_issue", category: "block", event: "block_rq_issue" },
      { kind: "tp_btf", program: "pb_lat_rq_done", category: "block", event: "block_rq_complete" },
    ] });
    // sector too: the tp_btf programs hand the aggregation dev and sector at the classic record's offsets
    expect(plan(lat({ pair: { type: "block" }, keys: ["dev", "sector"] }), opts).btfVariant?.attach.map((a) => a.program)).toEqual(["pb_lat_rq_issue", "pb_lat_rq_done"]);
    const moved = FORMATS["block:block_rq_complete"]!.replace("offset:16;\tsize:8", "offset:24;\tsize:8");
    const elsewhere: TracefsSource = { ...tracefs, format: (c, e) => c === "block" && e === "block_rq_complete" ? moved : tracefs.format(c, e) };
    expect(plan(lat({ pair: { type: "block" }, keys: ["dev", "sector"] }), { ...opts, tracefs: elsewhere }).btfVariant).toBeUndefined();
    const r = plan(lat({ pair: { type: "runqueue" }, keys: ["tid", "comm"], filter: { tid: 99 } }), opts);
    const rc = r.rodata.cfg as LatPairsConfig;
    expect(r.attach.map((a) => `${a.program} ${a.event}`)).toEqual(
      ["pb_lat_start sched_wakeup", "pb_lat_start sched_wakeup_new", "pb_lat_end sched_switch"]);
    expect(rc.start_id).toMatchObject({ a_off: 24, a_size: 4 });
    expect(rc.end_id).toMatchObject({ a_off: 56, a_size: 4 });
    expect(rc).toMatchObject({ requeue_id: { a_off: 24, a_size: 4 }, requeue_state_off: 32, requeue_state_size: 8 });
    expect(rc.end_filter.preds).toEqual([{ value: 99n, src_off: 56, size: 4, is_signed: 1, op: "PB_PRED_EQ" }]);
    expect(r.keyColumns.map((c) => [c.name, c.offset])).toEqual([["tid", 0], ["comm", 4]]);
  });

  it("sends pairs above a threshold to a ring buffer", () => {
    const p = plan(lat({ thresholdNs: 1_000_000, keys: ["pid"], value: { op: "count" } }), opts);
    expect((p.rodata.cfg as LatPairsConfig)).toMatchObject({ to_ring: 1, threshold_ns: 1_000_000n });
    expect(p.events!.columns.map((c) => [c.name, c.offset])).toEqual([["time_ns", 0], ["latency_ns", 8], ["pid", 16]]);
    expect(p.maps.pb_lat_events).toEqual({ maxEntries: 1 << 20 });
  });

  it("explains mistakes", () => {
    expect(planError(lat({ pair: { type: "syscall", name: "reed" } })).message).toBe(
      `Unknown syscall "reed" (no syscalls:sys_enter_reed tracepoint). Closest: read, readv.`);
    expect(planError(lat({ pair: { type: "runqueue" }, keys: ["pid"] })).message).toBe(
      `key "pid" is not available for run-queue latency (sched_wakeup -> sched_switch). Run-queue latency is per thread: use "tid". Keys: tid, comm, cpu, prio.`);
    expect(planError(lat({ pair: { type: "runqueue" }, filter: { comm: "x" } })).code).toBe("UNSUPPORTED_FILTER");
    expect(planError(lat({ pair: { type: "block" }, keys: ["comm"] })).message).toMatch(
      /^key "comm" is not available for block I\/O latency .* Requests complete in interrupt context/);
    expect(planError(lat({ value: { op: "sum", field: "count" } as never })).message).toBe(
      "a latency folds the latency itself (in ns): value takes no field");
    expect(planError(lat({ pair: { type: "disk" } as never })).message).toBe(
      `pair.type must be one of "syscall", "block", "runqueue", "uprobe", "kprobe", "fentry" ({ type: "syscall", name? }, { type: "block" }, ` +
      `{ type: "runqueue" }, { type: "uprobe", binary, symbol, pid? }, { type: "kprobe", function } or { type: "fentry", function }), got "disk"`);
  });
});

describe("map budgets", () => {
  it("keeps the default key budget's preallocation within 64 MiB on many CPUs", () => {
    expect(defaultMaxKeys(0, 2)).toBe(10240);
    expect(defaultMaxKeys(257, 2)).toBe(1024);
    expect(defaultMaxKeys(257, 64)).toBe(Math.floor((64 << 20) / (2 * 64 * (32 + 8 * 257))));
    expect(defaultMaxKeys(2049, 1024)).toBe(64);
    expect(possibleCpus()).toBeGreaterThanOrEqual(1);
  });
});
