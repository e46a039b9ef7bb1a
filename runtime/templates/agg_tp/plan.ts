// Plans an aggregate declaration onto agg_tp: the tracepoint, the filter, the
// key layout (task-derived keys and fields of the record) and the value fold.
import { join } from "node:path";
import { packageRoot } from "../../../native/load.js";
import type { AggregateDeclaration } from "../../spec/declaration.js";
import type { PidNamespace } from "../../host/pid-namespace.js";
import { PlanError } from "../../spec/errors.js";
import type { TracefsSource, TracepointFormat } from "../../host/tracefs.js";
import type { AggTpConfig } from "../aggregation.js";
import { AGG, aggTpDescriptor } from "../aggregation.js";
import { findField, intField, tracepointFormat } from "../../planner/fields.js";
import { FILTER_KEYS, planFilter } from "../../planner/filter.js";
import type { AggregationInstance, KeySpec } from "../../planner/aggregation.js";
import type { StackName } from "../stack-columns.js";
import { isStackName, STACK_MAP_ENTRIES, STACK_NAMES } from "../stack-columns.js";
import {
  aggMaps, aggPlan, arrayFieldKey, checkCommon, COMMON_KEYS, intFieldKey, layoutKeys, planValue, valueColumns,
} from "../../planner/aggregation.js";

/** A kernel or user stack as a key: its s32 id in pb_stacks, named by the runner. */
function stackKey(name: StackName): KeySpec {
  return { column: name, src: name === "kstack" ? "AGG_SRC_KSTACK" : "AGG_SRC_USTACK", srcOff: 0, size: 4, align: 4,
    decode: { kind: "s32", type: "int32", origin: "stack id" } };
}

/** A key name: a task-derived key, a stack, or a field of the record ("tp_<name>" for a field named like one). */
function keySpec(name: string, format: TracepointFormat): KeySpec {
  const common = COMMON_KEYS[name];
  if (common) return common;
  if (isStackName(name)) return stackKey(name);
  const fieldName = name.startsWith("tp_") && COMMON_KEYS[name.slice(3)] ? name.slice(3) : name;
  const where = `key "${name}"`;
  const f = findField(format, fieldName, `${where} (keys: ${Object.keys(COMMON_KEYS).join(", ")} or a field)`);
  if (f.isArray) {
    const spec = arrayFieldKey(name, f);
    if (!spec)
      throw new PlanError("UNSUPPORTED_FIELD", `${where}: ${f.name} (${f.cType}) has more than 16 bytes; keys hold arrays of up to 16`,
        { field: f.name, cType: f.cType });
    return spec;
  }
  if (f.isDataLoc || f.isRelLoc || f.stringPointer)
    throw new PlanError("UNSUPPORTED_FIELD",
      `${where}: ${f.name} (${f.cType}) is a string of variable length; keys hold integers and fixed arrays of up to 16 bytes`,
      { field: f.name, cType: f.cType });
  return intFieldKey(name, intField(format, fieldName, where));
}

export function planAggregate(decl: AggregateDeclaration, tracefs: TracefsSource, pidns: PidNamespace): AggregationInstance {
  const src = decl.source as { type?: unknown; name?: unknown } | undefined;
  if (!src || src.type !== "tracepoint" || typeof src.name !== "string")
    throw new PlanError("BAD_DECLARATION", `an aggregate reads a tracepoint: source must be { type: "tracepoint", name: "category:event" }`);
  const value = decl.value as AggregateDeclaration["value"] | undefined;
  if (!value || typeof value !== "object") throw new PlanError("BAD_DECLARATION", `value must be an object such as { op: "count" }`);
  const v = planValue(value, false);
  const maxKeys = checkCommon(decl, v.nslots);
  const format = tracepointFormat(src.name, tracefs);
  const tp = `${format.category}:${format.event}`;

  let folded = { src_off: 0, size: 0, is_signed: 0 }, unit = "";
  if (value.op !== "count") {
    const fieldName = (value as { field?: unknown }).field;
    if (typeof fieldName !== "string")
      throw new PlanError("BAD_DECLARATION", `value.op "${value.op}" folds a field: give value.field, one of ${format.fields.map((f) => f.name).join(", ")}`);
    const f = intField(format, fieldName, `value.field`);
    if (f.isPointer)
      throw new PlanError("UNSUPPORTED_FIELD", `value.field: ${f.name} (${f.cType}) of ${tp} is an address, not a quantity to ${value.op}; ` +
        `key by it instead (keys: [${JSON.stringify(f.name)}])`, { tracepoint: tp, field: f.name, cType: f.cType });
    folded = { src_off: f.offset, size: f.size, is_signed: f.signed ? 1 : 0 };
    unit = f.cType;
    if (v.buckets?.kind === "log2") v.buckets.nonNegative = !f.signed;
  }
  const keys = [...decl.keys];
  const stackNames = STACK_NAMES.filter((n) => keys.includes(n));
  // user frames are named through the process's memory maps: a user stack is keyed by its pid too
  if (stackNames.includes("ustack") && !keys.includes("pid")) keys.push("pid");
  const layout = layoutKeys(keys.map((k) => keySpec(k, format)));
  const snapshots = decl.everyMs !== undefined;
  const cfg: AggTpConfig = {
    filter: planFilter(decl.filter, { format, supported: FILTER_KEYS, what: `the aggregation of ${tp}` }, pidns),
    agg: aggPlan(layout, v, folded, snapshots),
  };
  const field = (value as { field?: string }).field;
  return {
    template: "agg_tp",
    object: join(packageRoot(), aggTpDescriptor.object),
    describe: `${value.op}${field ? ` of ${field}` : ""} of ${tp}${decl.keys.length ? ` by ${decl.keys.join(", ")}` : ""}`,
    rodata: { cfg },
    maps: {
      ...aggMaps(layout.keySize, v.nslots, maxKeys),
      ...(stackNames.length ? { [AGG.stacksMap]: { maxEntries: STACK_MAP_ENTRIES } } : {}),
    },
    ...(stackNames.length ? { stacks: { map: AGG.stacksMap, columns: stackNames, pidColumn: "pid" } } : {}),
    attach: [{ kind: "tracepoint", program: AGG.program, category: format.category, event: format.event }],
    keySize: layout.keySize,
    keyColumns: layout.columns,
    op: value.op,
    ...(v.buckets ? { buckets: v.buckets } : {}),
    nslots: v.nslots,
    valueColumns: valueColumns(value.op),
    unit,
    counters: { lost: AGG.lostMap },
    durationMs: decl.durationMs,
    ...(snapshots ? { everyMs: decl.everyMs } : {}),
  };
}
