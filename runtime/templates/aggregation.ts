// What the runtime knows about the aggregation templates: agg_tp (keyed
// aggregation of one tracepoint) and lat_pairs (start/end latency), which share
// filter.h and agg_common.h. Names and layouts come from the generated
// descriptors, so renaming a map or a member in C breaks this at compile time.
import type { TemplateDescriptor } from "../../bpf/descriptor.js";
import { descriptor as aggFn } from "../../bpf/generated/agg_fn.js";
import { descriptor as aggTp } from "../../bpf/generated/agg_tp.js";
import { descriptor as latPairs } from "../../bpf/generated/lat_pairs.js";
import type { AggregateValueLayout } from "../../native/surface.js";
import { member, structSize } from "./struct-codec.js";

export { aggFn as aggFnDescriptor, aggTp as aggTpDescriptor, latPairs as latPairsDescriptor };

/** Templates whose spec is an AggregationInstance (tls too, when it aggregates). */
export type AggregationTemplate = "agg_tp" | "agg_fn" | "lat_pairs" | "tls";

export const AGGREGATION_DESCRIPTORS: Record<Exclude<AggregationTemplate, "tls">, TemplateDescriptor> = {
  agg_tp: aggTp,
  agg_fn: aggFn,
  lat_pairs: latPairs,
};

type AggFnProgram = (typeof aggFn.programs)[number]["name"];

/** agg_fn's program of each function hook kind (one is loaded per declaration). */
export const AGG_FN = {
  programs: {
    uprobe: "pb_agg_uprobe", uretprobe: "pb_agg_uretprobe", usdt: "pb_agg_usdt",
    kprobe: "pb_agg_kprobe", kretprobe: "pb_agg_kretprobe", fentry: "pb_agg_fentry",
  } as const satisfies Record<string, AggFnProgram>,
  /** USDT arguments the program copies at most (AGG_FN_USDT_ARGS). */
  usdtArgs: 6,
} as const;

function arrayCount(d: TemplateDescriptor, struct: string, name: string): number {
  const t = member(d, struct, name).type;
  if (t.kind !== "array") throw new Error(`${struct}.${name} of ${d.template} is not an array`);
  return t.count;
}

/** Map names and limits shared by both templates (agg_common.h, filter.h). */
export const AGG = {
  program: aggTp.programs[0].name,
  /** The two generations of the aggregation map. */
  generations: ["pb_agg0", "pb_agg1"] as const satisfies readonly (keyof typeof aggTp.maps)[],
  zeroMap: "pb_zero" satisfies keyof typeof aggTp.maps,
  ctlMap: "pb_ctl" satisfies keyof typeof aggTp.maps,
  lostMap: "pb_lost" satisfies keyof typeof aggTp.maps,
  /** Events aggregated (agg_tp) or pairs measured (lat_pairs), per CPU. */
  hitsMap: "pb_hits" satisfies keyof typeof aggTp.maps,
  /** agg_tp only: stack ids of the kstack/ustack keys (1 entry unless a key uses it). */
  stacksMap: "pb_stacks" satisfies keyof typeof aggTp.maps,
  /** pb_ctl indexes (enum agg_ctl_index): the generation, and the in-flight counts of each. */
  ctl: { gen: 0, busy: [1, 2] as const },
  maxKeys: arrayCount(aggTp, "agg_plan", "keys"),
  maxPreds: arrayCount(aggTp, "pb_filter", "preds"),
  commLength: arrayCount(aggTp, "pb_filter", "comm"),
  valueHeaderSize: structSize(aggTp, "agg_value"),
  srcKinds: aggTp.enums.agg_src,
  histKinds: aggTp.enums.agg_hist,
  predOps: aggTp.enums.pb_pred_op,
} as const;

/** Bytes of a key: the largest key the BPF side builds (AGG_KEY_MAX, the size of lat_event.key). */
export const AGG_KEY_MAX = member(latPairs, "lat_event", "key").size;
/** Histogram slots at most (AGG_MAX_SLOTS in agg_common.h: keeps a value under the per-CPU limit). */
export const AGG_MAX_SLOTS = 2048;

export const LAT = {
  start: "pb_lat_start" satisfies (typeof latPairs.programs)[number]["name"],
  end: "pb_lat_end" satisfies (typeof latPairs.programs)[number]["name"],
  /** tp_btf variants of the block pair (kept by the loader where the kernel has tp_btf). */
  blockIssueBtf: "pb_lat_rq_issue" satisfies (typeof latPairs.programs)[number]["name"],
  blockDoneBtf: "pb_lat_rq_done" satisfies (typeof latPairs.programs)[number]["name"],
  /** A user function's entry and return (uprobe/uretprobe), by thread. */
  uprobeStart: "pb_lat_uprobe" satisfies (typeof latPairs.programs)[number]["name"],
  uprobeEnd: "pb_lat_uretprobe" satisfies (typeof latPairs.programs)[number]["name"],
  /** A kernel function's entry and return: kprobe/kretprobe, or fentry/fexit (BPF trampolines). */
  kprobeStart: "pb_lat_kprobe" satisfies (typeof latPairs.programs)[number]["name"],
  kprobeEnd: "pb_lat_kretprobe" satisfies (typeof latPairs.programs)[number]["name"],
  fentryStart: "pb_lat_fentry" satisfies (typeof latPairs.programs)[number]["name"],
  fentryEnd: "pb_lat_fexit" satisfies (typeof latPairs.programs)[number]["name"],
  /** Start times by pair identity (LRU). */
  startMap: "pb_start" satisfies keyof typeof latPairs.maps,
  /** Start times of a named syscall by thread (plain hash; cfg.start_by_tid). */
  startByTidMap: "pb_start_tid" satisfies keyof typeof latPairs.maps,
  ringMap: "pb_lat_events" satisfies keyof typeof latPairs.maps,
  dropsMap: "pb_drops" satisfies keyof typeof latPairs.maps,
  eventSize: structSize(latPairs, "lat_event"),
  eventKeyOffset: member(latPairs, "lat_event", "key").offset,
  matchKinds: latPairs.enums.lat_match,
} as const;

/** Where the native reader finds count, sum, min, max and the slots in one CPU's value. */
export function valueLayout(nslots: number): AggregateValueLayout {
  const at = (m: string) => member(aggTp, "agg_value", m).offset;
  return { count: at("count"), sum: at("sum"), min: at("min"), max: at("max"), slots: at("slots"), nslots };
}

export type AggSrc = keyof typeof aggTp.enums.agg_src;
export type AggHist = keyof typeof aggTp.enums.agg_hist;
export type PredOp = keyof typeof aggTp.enums.pb_pred_op;
export type LatMatch = keyof typeof latPairs.enums.lat_match;

// The structs the runtime writes into rodata, typed from the objects' BTF (bpf/generated/*.ts):
// a member renamed in C breaks the TypeScript build.
export type { AggKeyPart, AggPlan, AggTpConfig, PbFilter, PbPred } from "../../bpf/generated/agg_tp.js";
export type { AggFnConfig } from "../../bpf/generated/agg_fn.js";
export type { LatIdPlan, LatPairsConfig } from "../../bpf/generated/lat_pairs.js";
