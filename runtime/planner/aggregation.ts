// The parts agg_tp and lat_pairs plan alike: the key layout (struct
// agg_key_part[]), the value and histogram (struct agg_plan), map sizes, and
// the instance both runners read. Pure data: no kernel is touched here.
import type { ProbeAttach } from "../templates/attach-point.js";
import type { AggregateValue, LatencyValue } from "../spec/declaration.js";
import { PlanError } from "../spec/errors.js";
import type { TracepointField } from "../host/tracefs.js";
import type { OutputColumn } from "../templates/columns.js";
import { columnType, integerKind } from "../templates/columns.js";
import type { AggFnConfig, AggKeyPart, AggPlan, AggregationTemplate, AggTpConfig, LatPairsConfig } from "../templates/aggregation.js";
import { AGG, AGG_KEY_MAX, AGG_MAX_SLOTS } from "../templates/aggregation.js";
import { checkDuration } from "./checks.js";
import type { IntField } from "./fields.js";
import type { StackColumnsPlan, StackName } from "../templates/stack-columns.js";
import { STACK_MAP_ENTRIES } from "../templates/stack-columns.js";
import type { TlsConfig } from "../templates/tls/layout.js";

export const DEFAULT_MAX_KEYS = 10240;
export const DEFAULT_MAX_KEYS_HIST = 1024;
const MAX_KEYS_LIMIT = 1 << 20;
const MIN_EVERY_MS = 10;

/** One key column: where its bytes come from and how they read back. */
export interface KeySpec {
  column: string;
  src: AggKeyPart["src"];
  /** AGG_SRC_FIELD: offset in the raw record. */
  srcOff: number;
  size: number;
  align: number;
  decode: Pick<OutputColumn, "kind" | "length" | "type" | "origin">;
}

/** The task-derived keys every aggregation offers. */
export const COMMON_KEYS: Record<string, KeySpec> = {
  pid: u32Key("pid", "AGG_SRC_PID"),
  tid: u32Key("tid", "AGG_SRC_TID"),
  uid: u32Key("uid", "AGG_SRC_UID"),
  gid: u32Key("gid", "AGG_SRC_GID"),
  cpu: u32Key("cpu", "AGG_SRC_CPU"),
  cgroup: {
    column: "cgroup", src: "AGG_SRC_CGROUP", srcOff: 0, size: 8, align: 8,
    decode: { kind: "u64_f64", type: "float64", origin: "current task" },
  },
  comm: {
    column: "comm", src: "AGG_SRC_COMM", srcOff: 0, size: 16, align: 1,
    decode: { kind: "cstring", length: 16, type: "string", origin: "current task" },
  },
};

function u32Key(column: string, src: AggKeyPart["src"]): KeySpec {
  return { column, src, srcOff: 0, size: 4, align: 4, decode: { kind: "u32", type: "uint32", origin: "current task" } };
}

/** A kernel or user stack as a key: its s32 id in pb_stacks, named by the runner. */
export function stackKey(name: StackName): KeySpec {
  return { column: name, src: name === "kstack" ? "AGG_SRC_KSTACK" : "AGG_SRC_USTACK", srcOff: 0, size: 4, align: 4,
    decode: { kind: "s32", type: "int32", origin: "stack id" } };
}

/** A key read from an integer field of the record. */
export function intFieldKey(column: string, f: IntField): KeySpec {
  const kind = integerKind(f.size, f.signed, f.isPointer)!; // addresses stay exact
  return { column, src: "AGG_SRC_FIELD", srcOff: f.offset, size: f.size, align: f.size,
    decode: { kind, type: columnType(kind), origin: f.cType } };
}

/** A key read from a fixed array of up to 16 bytes (char comm[16] as text, u8 addr[4] as hex). */
export function arrayFieldKey(column: string, f: TracepointField): KeySpec | undefined {
  if (!f.isArray || f.size > 16 || f.size < 1) return undefined;
  const text = /^(signed )?char$/.test(f.baseType.trim());
  return { column, src: "AGG_SRC_FIELD", srcOff: f.offset, size: f.size, align: 1,
    decode: text ? { kind: "cstring", length: f.size, type: "string", origin: f.cType }
      : { kind: "hex", length: f.size, type: "string", origin: f.cType } };
}

/** Lays the keys out in the key bytes, in the order given. */
export function layoutKeys(specs: KeySpec[]): { parts: AggKeyPart[]; columns: OutputColumn[]; keySize: number } {
  if (specs.length > AGG.maxKeys)
    throw new PlanError("BAD_DECLARATION", `${specs.length} keys; an aggregation takes at most ${AGG.maxKeys}`);
  const seen = new Set<string>();
  let at = 0;
  const parts: AggKeyPart[] = [], columns: OutputColumn[] = [];
  for (const s of specs) {
    if (seen.has(s.column)) throw new PlanError("BAD_DECLARATION", `key "${s.column}" is listed twice`);
    seen.add(s.column);
    at = Math.ceil(at / s.align) * s.align;
    // agg_build_key() writes no part beyond AGG_KEY_MAX - 16 (its bound for the verifier)
    if (at > AGG_KEY_MAX - 16 || at + s.size > AGG_KEY_MAX)
      throw new PlanError("BAD_DECLARATION",
        `the keys ${specs.map((k) => k.column).join(", ")} need more than the ${AGG_KEY_MAX} key bytes: use fewer`);
    parts.push({ src_off: s.srcOff, size: s.size, dst_off: at, src: s.src });
    columns.push({ name: s.column, offset: at, ...s.decode });
    at += s.size;
  }
  return { parts, columns, keySize: Math.max(8, Math.ceil(at / 8) * 8) };
}

/** How histogram slots map to value ranges (for the bucket bounds of the result). */
export type BucketPlan =
  | { kind: "log2"; subBits: number; nslots: number; nonNegative: boolean }
  | { kind: "linear"; min: number; step: number; nslots: number };

export type ValueOp = AggregateValue["op"];

/** The fold of one value: which histogram, and its agg_plan members. */
export function planValue(value: AggregateValue | LatencyValue, nonNegative: boolean) {
  const op = value.op;
  if (op === "hist_log2") {
    const sub = (value as { subBuckets?: number }).subBuckets ?? 4;
    const subBits = [1, 2, 4, 8].indexOf(sub);
    if (subBits < 0) throw new PlanError("BAD_DECLARATION", `subBuckets must be 1, 2, 4 or 8 (buckets per power of two), got ${JSON.stringify(sub)}`);
    const nslots = 1 + (64 << subBits);
    return { hist: "AGG_HIST_LOG2" as const, sub_bits: subBits, lin_min: 0, lin_step: 0, nslots,
      buckets: { kind: "log2", subBits, nslots, nonNegative } as BucketPlan };
  }
  if (op === "hist_linear") {
    const { min, max, step } = value as { min: number; max: number; step: number };
    for (const [k, v] of [["min", min], ["max", max], ["step", step]] as const)
      if (typeof v !== "number" || !Number.isSafeInteger(v))
        throw new PlanError("BAD_DECLARATION", `hist_linear.${k} must be a whole number, got ${JSON.stringify(v)}`);
    if (step <= 0 || max <= min || (max - min) % step !== 0)
      throw new PlanError("BAD_DECLARATION",
        `hist_linear needs min < max and a positive step that divides max - min; got min ${min}, max ${max}, step ${step}`);
    const nslots = (max - min) / step + 2; // + the buckets below min and from max on
    if (nslots > AGG_MAX_SLOTS)
      throw new PlanError("BAD_DECLARATION",
        `hist_linear would have ${nslots - 2} buckets; at most ${AGG_MAX_SLOTS - 2} fit: use a larger step`);
    return { hist: "AGG_HIST_LINEAR" as const, sub_bits: 0, lin_min: min, lin_step: step, nslots,
      buckets: { kind: "linear", min, step, nslots } as BucketPlan };
  }
  if (!["count", "sum", "min", "max", "avg", "stats"].includes(op))
    throw new PlanError("BAD_DECLARATION",
      `value.op must be one of count, sum, min, max, avg, stats, hist_log2, hist_linear; got ${JSON.stringify(op)}`);
  return { hist: "AGG_HIST_NONE" as const, sub_bits: 0, lin_min: 0, lin_step: 0, nslots: 0, buckets: undefined };
}

/** [lower, upper) of histogram slot `s`. */
export function bucketBounds(b: BucketPlan, s: number): [number, number] {
  if (b.kind === "linear") {
    if (s === 0) return [-Infinity, b.min];
    if (s === b.nslots - 1) return [b.min + (s - 1) * b.step, Infinity];
    return [b.min + (s - 1) * b.step, b.min + s * b.step];
  }
  if (s === 0) return [b.nonNegative ? 0 : -Infinity, 1];
  const k = b.subBits, e = (s - 1) >> k, sub = (s - 1) & ((1 << k) - 1);
  const p = 2 ** e, per = 2 ** k;
  // integers only: a bucket narrower than 1 holds the integers from its ceiling
  return [Math.ceil(p + (p * sub) / per), Math.ceil(p + (p * (sub + 1)) / per)];
}

/** Output column names of each scalar op (histograms: lower, upper, count). */
export function valueColumns(op: ValueOp): string[] {
  switch (op) {
    case "count": return ["count"];
    case "sum": return ["sum"];
    case "min": return ["min"];
    case "max": return ["max"];
    case "avg": return ["count", "avg"];
    case "stats": return ["count", "sum", "min", "max", "avg"];
    default: return ["lower", "upper", "count"];
  }
}

export interface MapSizes {
  maxEntries?: number;
  keySize?: number;
  valueSize?: number;
}

/** An instance of agg_tp or lat_pairs: everything needed to load and read it. */
export interface AggregationInstance {
  template: AggregationTemplate;
  /** The compiled object, relative to the package root (as its descriptor says; the loader resolves it). */
  object: string;
  /** For people and errors: "count of syscalls:sys_enter_getppid by pid". */
  describe: string;
  rodata: { cfg: AggTpConfig | AggFnConfig | LatPairsConfig | TlsConfig };
  maps: Record<string, MapSizes>;
  attach: ProbeAttach[];
  /** fentry/fexit programs' kernel functions, named before load. */
  attachTargets?: Record<string, string>;
  /** The same instance on BTF tracepoints: the loader uses it where the kernel has tp_btf. */
  btfVariant?: { attach: ProbeAttach[] };
  keySize: number;
  /** Key columns, offsets in the key bytes. */
  keyColumns: OutputColumn[];
  op: ValueOp;
  /** Histograms: how slots map to ranges. */
  buckets?: BucketPlan;
  nslots: number;
  /** Output columns after the keys (and the time columns of a series). */
  valueColumns: string[];
  /** "ns" for latencies; the field's C type otherwise. */
  unit: string;
  /** Threshold mode (lat_pairs): one row per slow pair from the ring buffer. */
  events?: { ringMap: string; recordSize: number; pollMs: number; batchRows: number; columns: OutputColumn[] };
  counters: { lost: string; drops?: string };
  /** Key columns whose integers read as names (a TCP state: "ESTABLISHED"), by value. */
  keyNames?: Record<string, Readonly<Record<number, string>>>;
  /** agg_tp keyed by kstack/ustack: key columns holding stack ids, named by the runner before closing. */
  stacks?: StackColumnsPlan;
  durationMs: number;
  everyMs?: number;
}

/** The spec of a keyed aggregation (agg_tp, agg_fn) from its parts: maps sized, stack keys
 *  named, the value columns and the time series. */
export function keyedInstance(p: {
  template: "agg_tp" | "agg_fn" | "tls"; object: string; target: string;
  decl: { keys: string[]; durationMs: number; everyMs?: number }; value: AggregateValue;
  v: ReturnType<typeof planValue>; layout: ReturnType<typeof layoutKeys>; stackNames: StackName[]; maxKeys: number; unit: string;
  cfg: AggTpConfig | AggFnConfig | TlsConfig; attach: ProbeAttach[]; attachTargets?: Record<string, string>;
}): AggregationInstance {
  const { decl, value, v, layout, stackNames } = p;
  const field = (value as { field?: string }).field;
  const snapshots = decl.everyMs !== undefined;
  return {
    template: p.template,
    object: p.object,
    describe: `${value.op}${field ? ` of ${field}` : ""} of ${p.target}${decl.keys.length ? ` by ${decl.keys.join(", ")}` : ""}`,
    rodata: { cfg: p.cfg },
    maps: {
      ...aggMaps(layout.keySize, v.nslots, p.maxKeys),
      ...(stackNames.length ? { [AGG.stacksMap]: { maxEntries: STACK_MAP_ENTRIES } } : {}),
    },
    ...(stackNames.length ? { stacks: { map: AGG.stacksMap, columns: stackNames, pidColumn: "pid" } } : {}),
    attach: p.attach,
    ...(p.attachTargets ? { attachTargets: p.attachTargets } : {}),
    keySize: layout.keySize,
    keyColumns: layout.columns,
    op: value.op,
    ...(v.buckets ? { buckets: v.buckets } : {}),
    nslots: v.nslots,
    valueColumns: valueColumns(value.op),
    unit: p.unit,
    counters: { lost: AGG.lostMap },
    durationMs: decl.durationMs,
    ...(snapshots ? { everyMs: decl.everyMs } : {}),
  };
}

/** The agg_plan for the keys and value. */
export function aggPlan(layout: ReturnType<typeof layoutKeys>, v: ReturnType<typeof planValue>,
  value: { src_off: number; size: number; is_signed: number }, snapshots: boolean): AggPlan {
  return {
    key_size: layout.keySize, nkeys: layout.parts.length, nslots: v.nslots, snapshots: snapshots ? 1 : 0,
    hist: v.hist, sub_bits: v.sub_bits, lin_min: v.lin_min, lin_step: v.lin_step, value, keys: layout.parts,
  };
}

/** Sizes of the aggregation maps: key and value bytes, and the key budget. */
export function aggMaps(keySize: number, nslots: number, maxKeys: number): Record<string, MapSizes> {
  const valueSize = AGG.valueHeaderSize + 8 * nslots;
  const out: Record<string, MapSizes> = { [AGG.zeroMap]: { valueSize } };
  for (const g of AGG.generations) out[g] = { maxEntries: maxKeys, keySize, valueSize };
  return out;
}

/** Bytes the default key budget may preallocate (both generations, every CPU). */
const DEFAULT_MAP_BUDGET = 64 << 20;

/** The default key budget: DEFAULT_MAX_KEYS(_HIST), fewer when per-CPU values would exceed DEFAULT_MAP_BUDGET. */
export function defaultMaxKeys(nslots: number, ncpu: number): number {
  const perKey = 2 * ncpu * (AGG.valueHeaderSize + 8 * nslots); // two generations
  const cap = nslots ? DEFAULT_MAX_KEYS_HIST : DEFAULT_MAX_KEYS;
  return Math.max(64, Math.min(cap, Math.floor(DEFAULT_MAP_BUDGET / perKey)));
}

/** Checks the settings aggregations share; returns the key budget. */
export function checkCommon(d: { durationMs: unknown; everyMs?: unknown; maxKeys?: unknown; keys: unknown }, nslots: number, ncpu: number): number {
  checkDuration(d.durationMs);
  if (d.everyMs !== undefined && (typeof d.everyMs !== "number" || !Number.isFinite(d.everyMs) || d.everyMs < MIN_EVERY_MS))
    throw new PlanError("BAD_DECLARATION", `every must be at least ${MIN_EVERY_MS} ms, got ${JSON.stringify(d.everyMs)}`);
  if (!Array.isArray(d.keys) || d.keys.some((k) => typeof k !== "string"))
    throw new PlanError("BAD_DECLARATION", `keys must be a list of key names such as ["pid", "comm"], got ${JSON.stringify(d.keys)}`);
  const max = d.maxKeys ?? defaultMaxKeys(nslots, ncpu);
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > MAX_KEYS_LIMIT)
    throw new PlanError("BAD_DECLARATION", `maxKeys must be a whole number from 1 to ${MAX_KEYS_LIMIT}, got ${JSON.stringify(max)}`);
  return max;
}
