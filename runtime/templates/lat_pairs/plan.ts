// Plans a latency declaration onto lat_pairs: which tracepoints start and end
// a pair, how a start finds its end (the thread, or fields naming the object),
// where the filter applies, and the keys of the result.
//
//   syscall   syscalls:sys_enter_X -> sys_exit_X (or raw_syscalls:sys_enter -> sys_exit), by thread
//   block     block:block_rq_issue -> block:block_rq_complete, by dev + sector
//   runqueue  sched:sched_wakeup(_new) -> sched:sched_switch, by pid (thread id) of the task;
//             a task switched out while runnable (prev_state == 0) is queued again
//   uprobe    a user function's entry (uprobe) -> return (uretprobe), by thread
//   kprobe    a kernel function's entry -> return, by thread: fentry/fexit where the kernel
//   fentry    has BPF trampolines, else kprobe/kretprobe (the object carries both pairs)
import type { HostFacts } from "../../host/facts.js";
import { closestNames } from "../../spec/closest-names.js";
import type { FeatureSource } from "../../host/features.js";
import { probeFeature, requireFeature } from "../../host/features.js";
import type { LatencyDeclaration } from "../../spec/declaration.js";
import type { PidNamespace } from "../../host/pid-namespace.js";
import { PlanError } from "../../spec/errors.js";
import type { TracefsSource, TracepointFormat } from "../../host/tracefs.js";
import type { LatIdPlan, LatPairsConfig, PbFilter } from "../aggregation.js";
import { AGG, LAT, latPairsDescriptor } from "../aggregation.js";
import type { OutputColumn } from "../columns.js";
import { findField, intField, tracepointFormat } from "../../planner/fields.js";
import { kernelHook, latencyAlternative, requireKernelFunction } from "../../planner/kernel-alternatives.js";
import { checkBinary, checkSymbol } from "../../planner/user-functions.js";
import { BATCH_ROWS, POLL_MS } from "../../planner/checks.js";
import { fieldEquals, FILTER_KEYS, passAll, planFilter, sealFilter } from "../../planner/filter.js";
import type { AggregationInstance, KeySpec } from "../../planner/aggregation.js";
import {
  aggMaps, aggPlan, arrayFieldKey, checkCommon, COMMON_KEYS, intFieldKey, layoutKeys, planValue, valueColumns,
} from "../../planner/aggregation.js";


const TID: LatIdPlan = { a_off: 0, b_off: 0, a_size: 0, b_size: 0, match: "LAT_MATCH_TID" };

function byFields(format: TracepointFormat, a: string, b?: string): LatIdPlan {
  const fa = intField(format, a, "pair identity"), fb = b ? intField(format, b, "pair identity") : undefined;
  return { a_off: fa.offset, a_size: fa.size, b_off: fb?.offset ?? 0, b_size: fb?.size ?? 0, match: "LAT_MATCH_FIELDS" };
}

/** One pair type: its tracepoints (or, attach, its own attach points), identities, filters and keys. */
interface PairPlan {
  what: string;
  starts: TracepointFormat[];
  end?: TracepointFormat;
  attach?: AggregationInstance["attach"];
  /** fentry/fexit: the kernel function of each program, named before load. */
  attachTargets?: Record<string, string>;
  startId: LatIdPlan;
  endId: LatIdPlan;
  requeue?: { id: LatIdPlan; stateOff: number; stateSize: number };
  /** Starts by thread in a plain hash (pb_start_tid), not the LRU pb_start: see startsByThread(). */
  byTid?: boolean;
  startFilter: PbFilter;
  endFilter: PbFilter;
  key: (name: string) => KeySpec;
  /** The pair on BTF tracepoints, when the declaration needs nothing of the classic records. */
  btf?: (keys: string[]) => AggregationInstance["attach"] | undefined;
}

function unknownKey(name: string, known: string[], what: string, hint = ""): never {
  throw new PlanError("BAD_DECLARATION", `key "${name}" is not available for ${what}.${hint} Keys: ${known.join(", ")}.`,
    { key: name, keys: known });
}

/**
 * Whether a syscall pair keeps its starts in a plain hash by thread, as a
 * hand-written tool does (cheaper than an LRU's upkeep), rather than the LRU
 * map. A start whose end never comes stays in a plain hash: exit and
 * exit_group never return, so every syscall (raw_syscalls) would leave one
 * entry per process that ends and fill the map on a long run. Those keep LRU,
 * where such starts age out.
 */
function startsByThread(name: string | undefined): boolean {
  return name !== undefined && name !== "exit" && name !== "exit_group";
}

function syscallPair(decl: LatencyDeclaration, name: string | undefined, tracefs: TracefsSource, pidns: PidNamespace): PairPlan {
  let start: TracepointFormat, end: TracepointFormat;
  if (name !== undefined) {
    if (typeof name !== "string" || !/^\w+$/.test(name))
      throw new PlanError("BAD_DECLARATION", `pair.name must be a syscall name such as "read", got ${JSON.stringify(name)}`);
    const enter = tracefs.format("syscalls", `sys_enter_${name}`), exit = tracefs.format("syscalls", `sys_exit_${name}`);
    if (enter === undefined || exit === undefined) {
      const names = tracefs.list().filter((n) => n.startsWith("syscalls:sys_enter_")).map((n) => n.slice("syscalls:sys_enter_".length));
      const close = closestNames(name, names);
      throw new PlanError("UNKNOWN_SYSCALL",
        `Unknown syscall "${name}" (no syscalls:sys_enter_${name} tracepoint).${close.length ? ` Closest: ${close.join(", ")}.` : ""}`,
        { name, suggestions: close });
    }
    start = tracepointFormat(`syscalls:sys_enter_${name}`, tracefs);
    end = tracepointFormat(`syscalls:sys_exit_${name}`, tracefs);
  } else {
    start = tracepointFormat("raw_syscalls:sys_enter", tracefs);
    end = tracepointFormat("raw_syscalls:sys_exit", tracefs);
  }
  const what = name ? `the latency of syscall ${name}` : "the latency of every syscall";
  const keys = [...Object.keys(COMMON_KEYS), "syscall"];
  return {
    what, starts: [start], end, startId: TID, endId: TID, byTid: startsByThread(name),
    startFilter: planFilter(decl.filter, { format: start, supported: FILTER_KEYS, what }, pidns),
    endFilter: passAll(pidns),
    key: (k) => {
      if (COMMON_KEYS[k]) return COMMON_KEYS[k]!;
      if (k === "syscall") return intFieldKey("syscall", intField(end, name ? "__syscall_nr" : "id", "key syscall"));
      return unknownKey(k, keys, what);
    },
  };
}

function blockPair(decl: LatencyDeclaration, tracefs: TracefsSource, pidns: PidNamespace): PairPlan {
  const start = tracepointFormat("block:block_rq_issue", tracefs), end = tracepointFormat("block:block_rq_complete", tracefs);
  const what = "block I/O latency (block_rq_issue -> block_rq_complete)";
  const keys = ["cpu", ...end.fields.filter((f) => !f.isDataLoc).map((f) => f.name)];
  return {
    what, starts: [start], end, startId: byFields(start, "dev", "sector"), endId: byFields(end, "dev", "sector"),
    // the issuing task: for direct I/O the process itself, else often a kernel worker
    startFilter: planFilter(decl.filter, { format: start, supported: FILTER_KEYS, what }, pidns),
    endFilter: passAll(pidns),
    // dev is the pair's identity (MKDEV(major, minor) = major << 20 | minor) in both variants; the
    // BTF programs hand on a record with only the sector of the classic one (struct rq_record), at
    // offset 16 (a field key): kept for "sector" only where tracefs puts it there too
    btf: (ks) => decl.filter?.where || ks.some((k) => k !== "dev" && k !== "cpu" && k !== "sector")
      || (ks.includes("sector") && !end.fields.some((f) => f.name === "sector" && f.offset === 16 && f.size === 8)) ? undefined : [
      { kind: "tp_btf", program: LAT.blockIssueBtf, category: "block", event: "block_rq_issue" },
      { kind: "tp_btf", program: LAT.blockDoneBtf, category: "block", event: "block_rq_complete" },
    ],
    key: (k) => {
      if (k === "cpu") return COMMON_KEYS.cpu!;
      if (k === "dev")
        return { column: "dev", src: "AGG_SRC_PAIR_A", srcOff: 0, size: 4, align: 4,
          decode: { kind: "u32", type: "uint32", origin: "dev_t (major << 20 | minor)" } };
      if (COMMON_KEYS[k])
        return unknownKey(k, keys, what, ` Requests complete in interrupt context, where "${k}" is not the requester's.`);
      const f = end.fields.find((x) => x.name === k);
      if (!f) return unknownKey(k, keys, what);
      return f.isArray ? arrayFieldKey(k, f) ?? unknownKey(k, keys, what) : intFieldKey(k, intField(end, k, `key ${k}`));
    },
  };
}

function runqueuePair(decl: LatencyDeclaration, tracefs: TracefsSource, pidns: PidNamespace): PairPlan {
  const wakeup = tracepointFormat("sched:sched_wakeup", tracefs), wakeupNew = tracepointFormat("sched:sched_wakeup_new", tracefs);
  const sw = tracepointFormat("sched:sched_switch", tracefs);
  const what = "run-queue latency (sched_wakeup -> sched_switch)";
  const keys = ["tid", "comm", "cpu", "prio"];
  // the filter is about the task switched in: its thread id, and sched_switch's fields
  const f = decl.filter ?? {};
  const endFilter = planFilter({ ...(f.where ? { where: f.where } : {}) },
    { format: sw, supported: ["where"], what }, pidns);
  for (const k of Object.keys(f))
    if (!["tid", "where", "sample"].includes(k))
      throw new PlanError("UNSUPPORTED_FILTER",
        `filter.${k} is not supported by ${what}: it filters the task switched in by tid (its thread id), where (fields of sched_switch) and sample`,
        { filter: k, supported: ["tid", "where", "sample"] });
  if (f.tid !== undefined) {
    if (!Number.isInteger(f.tid) || f.tid <= 0) throw new PlanError("BAD_DECLARATION", `filter.tid must be a thread id, got ${JSON.stringify(f.tid)}`);
    const next = intField(sw, "next_pid", "filter.tid");
    if (endFilter.preds.length >= AGG.maxPreds)
      throw new PlanError("BAD_DECLARATION", `filter.tid and ${endFilter.preds.length} where conditions: at most ${AGG.maxPreds} in all`);
    endFilter.preds.push(fieldEquals(next.offset, next.size, next.signed, f.tid));
    endFilter.npreds = endFilter.preds.length;
    sealFilter(endFilter);
  }
  const prevState = intField(sw, "prev_state", "requeue");
  return {
    what, starts: [wakeup, wakeupNew], end: sw,
    startId: byFields(wakeup, "pid"), endId: byFields(sw, "next_pid"),
    requeue: { id: byFields(sw, "prev_pid"), stateOff: prevState.offset, stateSize: prevState.size },
    startFilter: planFilter(f.sample !== undefined ? { sample: f.sample } : {}, { supported: ["sample"], what }, pidns),
    endFilter,
    key: (k) => {
      if (k === "cpu") return COMMON_KEYS.cpu!;
      if (k === "tid") return intFieldKey("tid", intField(sw, "next_pid", "key tid"));
      if (k === "prio") return intFieldKey("prio", intField(sw, "next_prio", "key prio"));
      if (k === "comm") return arrayFieldKey("comm", findField(sw, "next_comm", "key comm"))!;
      return unknownKey(k, keys, what, k === "pid" ? ` Run-queue latency is per thread: use "tid".` : "");
    },
  };
}

/** A user function's entry -> return: the binary must define the symbol (closest names otherwise). */
/**
 * A kernel function's entry -> return, by thread. The cheaper hook the kernel
 * has is kept: fentry/fexit (a BPF trampoline: a direct call, no breakpoint),
 * else kprobe/kretprobe; with neither, the error names the hook asked for and
 * what to measure instead.
 */
function kernelFunctionPair(decl: LatencyDeclaration, pair: { type: "kprobe" | "fentry"; function?: unknown }, tracefs: TracefsSource,
  pidns: PidNamespace, features: FeatureSource): PairPlan {
  const fn = pair.function;
  if (typeof fn !== "string" || !/^\w+$/.test(fn))
    throw new PlanError("BAD_DECLARATION", `pair.function must be a kernel function name such as "vfs_read", got ${JSON.stringify(fn)}`);
  const hook = kernelHook(pair.type, features, () => latencyAlternative(fn, tracefs));
  requireKernelFunction(fn);
  const what = `the latency of kernel function ${fn} (entry -> return, ${hook === "fentry" ? "fentry/fexit" : "kprobe/kretprobe"})`;
  const keys = Object.keys(COMMON_KEYS);
  const fentry = hook === "fentry";
  return {
    what, starts: [], startId: TID, endId: TID, byTid: true,
    attach: fentry
      ? [{ kind: "trace", program: LAT.fentryStart }, { kind: "trace", program: LAT.fentryEnd }]
      : [{ kind: "kprobe", program: LAT.kprobeStart, function: fn, retprobe: false }, { kind: "kprobe", program: LAT.kprobeEnd, function: fn, retprobe: true }],
    ...(fentry ? { attachTargets: { [LAT.fentryStart]: fn, [LAT.fentryEnd]: fn } } : {}),
    startFilter: planFilter(decl.filter, { supported: ["pid", "tid", "comm", "uid", "cgroup", "sample"], what }, pidns),
    endFilter: passAll(pidns),
    key: (k) => COMMON_KEYS[k] ?? unknownKey(k, keys, what),
  };
}

function uprobePair(decl: LatencyDeclaration, pair: { binary?: unknown; symbol?: unknown; pid?: unknown }, pidns: PidNamespace,
  features: FeatureSource): PairPlan {
  const binary = checkBinary(pair.binary, "uprobe latency"), symbol = checkSymbol(binary, pair.symbol, "uprobe latency");
  const pid = pair.pid ?? decl.filter?.pid;
  if (pid !== undefined && (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0))
    throw new PlanError("BAD_DECLARATION", `pair.pid must be a process id, got ${JSON.stringify(pid)}`);
  requireFeature("uprobe", "Measure a syscall's latency instead (syscall(name).latency()).", features);
  const what = `the latency of ${binary}:${symbol} (entry -> return)`;
  const keys = Object.keys(COMMON_KEYS);
  // a uprobe for one pid fires only there; the filter also covers the other clauses
  const filter = pid !== undefined && decl.filter?.pid === undefined ? { ...decl.filter, pid } : decl.filter;
  const u = { kind: "uprobe", binary, symbol, ...(pid !== undefined ? { pid } : {}) } as const;
  return {
    what, starts: [], startId: TID, endId: TID, byTid: true,
    attach: [{ ...u, program: LAT.uprobeStart, retprobe: false }, { ...u, program: LAT.uprobeEnd, retprobe: true }],
    startFilter: planFilter(filter, { supported: ["pid", "tid", "comm", "uid", "cgroup", "sample"], what }, pidns),
    endFilter: passAll(pidns),
    key: (k) => COMMON_KEYS[k] ?? unknownKey(k, keys, what),
  };
}

const PAIR_SHAPES = `{ type: "syscall", name? }, { type: "block" }, { type: "runqueue" }, { type: "uprobe", binary, symbol, pid? }, ` +
  `{ type: "kprobe", function } or { type: "fentry", function }`;

export function planLatency(decl: LatencyDeclaration, facts: HostFacts): AggregationInstance {
  const { tracefs, pidNamespace: pidns, features } = facts;
  const pair = decl.pair as LatencyDeclaration["pair"] | undefined;
  if (!pair || typeof pair !== "object") throw new PlanError("BAD_DECLARATION", `pair must be ${PAIR_SHAPES}`);
  const value = decl.value as LatencyDeclaration["value"] | undefined;
  if (!value || typeof value !== "object") throw new PlanError("BAD_DECLARATION", `value must be an object such as { op: "hist_log2" }`);
  if ("field" in value)
    throw new PlanError("BAD_DECLARATION", `a latency folds the latency itself (in ns): value takes no field`);
  const v = planValue(value, true);
  const maxKeys = checkCommon(decl, v.nslots, facts.possibleCpus);
  const p = pair.type === "syscall" ? syscallPair(decl, pair.name, tracefs, pidns)
    : pair.type === "block" ? blockPair(decl, tracefs, pidns)
    : pair.type === "runqueue" ? runqueuePair(decl, tracefs, pidns)
    : pair.type === "uprobe" ? uprobePair(decl, pair, pidns, features)
    : pair.type === "kprobe" || pair.type === "fentry" ? kernelFunctionPair(decl, pair, tracefs, pidns, features)
    : (() => { throw new PlanError("BAD_DECLARATION", `pair.type must be one of "syscall", "block", "runqueue", "uprobe", "kprobe", "fentry" (${PAIR_SHAPES}), got ${JSON.stringify((pair as { type?: unknown }).type)}`); })();
  const layout = layoutKeys(decl.keys.map((k) => p.key(k)));
  const threshold = decl.thresholdNs;
  if (threshold !== undefined && (!Number.isSafeInteger(threshold) || threshold < 0))
    throw new PlanError("BAD_DECLARATION", `thresholdNs must be a whole number of nanoseconds, got ${JSON.stringify(threshold)}`);
  const snapshots = decl.everyMs !== undefined && threshold === undefined;
  const cfg: LatPairsConfig = {
    start_filter: p.startFilter,
    end_filter: p.endFilter,
    agg: aggPlan(layout, v, { src_off: 0, size: 0, is_signed: 0 }, snapshots),
    start_id: p.startId,
    end_id: p.endId,
    requeue_id: p.requeue?.id ?? TID,
    requeue_state_off: p.requeue?.stateOff ?? 0,
    requeue_state_size: p.requeue?.stateSize ?? 0,
    to_ring: threshold !== undefined ? 1 : 0,
    start_by_tid: p.byTid ? 1 : 0,
    threshold_ns: BigInt(threshold ?? 0),
  };
  const maps = aggMaps(layout.keySize, v.nslots, maxKeys);
  // the start map in use keeps its size; the other is created (every map of an object is) at its smallest
  const unused = p.byTid ? LAT.startMap : LAT.startByTidMap;
  maps[unused] = { maxEntries: unused === LAT.startMap ? facts.possibleCpus : 1 };
  let events: AggregationInstance["events"];
  if (threshold !== undefined) {
    const ringBytes = 1 << 20;
    maps[LAT.ringMap] = { maxEntries: ringBytes };
    const columns: OutputColumn[] = [
      { name: "time_ns", offset: 0, kind: "u64_f64", type: "float64", origin: "end of the pair" },
      { name: "latency_ns", offset: 8, kind: "u64_f64", type: "float64", origin: "end - start" },
      ...layout.columns.map((c) => ({ ...c, offset: c.offset + LAT.eventKeyOffset })),
    ];
    events = { ringMap: LAT.ringMap, recordSize: LAT.eventSize, pollMs: POLL_MS, batchRows: BATCH_ROWS, columns };
  }
  const attach: AggregationInstance["attach"] = p.attach ?? [
    ...p.starts.map((s) => ({ kind: "tracepoint" as const, program: LAT.start, category: s.category, event: s.event })),
    { kind: "tracepoint", program: LAT.end, category: p.end!.category, event: p.end!.event },
  ];
  const btf = p.btf?.(decl.keys);
  return {
    template: "lat_pairs",
    object: latPairsDescriptor.object,
    describe: `${threshold !== undefined ? `pairs >= ${threshold} ns of ` : `${value.op} of `}${p.what}` +
      `${decl.keys.length ? ` by ${decl.keys.join(", ")}` : ""}`,
    rodata: { cfg },
    maps,
    attach,
    ...(p.attachTargets ? { attachTargets: p.attachTargets } : {}),
    ...(btf ? { btfVariant: { attach: btf } } : {}),
    keySize: layout.keySize,
    keyColumns: layout.columns,
    op: value.op,
    ...(v.buckets ? { buckets: v.buckets } : {}),
    nslots: v.nslots,
    valueColumns: valueColumns(value.op),
    unit: "ns",
    ...(events ? { events } : {}),
    counters: { lost: AGG.lostMap, drops: LAT.dropsMap },
    durationMs: decl.durationMs,
    ...(snapshots ? { everyMs: decl.everyMs } : {}),
  };
}
