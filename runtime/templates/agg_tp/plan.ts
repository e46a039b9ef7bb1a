// Plans an aggregate declaration onto agg_tp: the tracepoint, the filter, the
// key layout (task-derived keys and fields of the record) and the value fold.
import type { HostFacts } from "../../host/facts.js";
import type { AggregateDeclaration } from "../../spec/declaration.js";
import type { PidNamespace } from "../../host/pid-namespace.js";
import { PlanError } from "../../spec/errors.js";
import type { TracefsSource, TracepointFormat } from "../../host/tracefs.js";
import type { AggTpConfig } from "../aggregation.js";
import { AGG, aggTpDescriptor } from "../aggregation.js";
import { findField, intField, tracepointFormat } from "../../planner/fields.js";
import { FILTER_KEYS, planFilter } from "../../planner/filter.js";
import { TCP_STATE_NAMES } from "../tcp_events/layout.js";
import type { AggregationInstance, KeySpec } from "../../planner/aggregation.js";
import type { StackName } from "../stack-columns.js";
import { isStackName, STACK_MAP_ENTRIES, STACK_NAMES } from "../stack-columns.js";
import {
  aggPlan, keyedInstance, arrayFieldKey, checkCommon, COMMON_KEYS, intFieldKey, layoutKeys, planValue, stackKey, valueColumns,
} from "../../planner/aggregation.js";

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

export function planAggregate(decl: AggregateDeclaration, facts: HostFacts): AggregationInstance {
  const { tracefs, pidNamespace: pidns } = facts;
  const src = decl.source as { type?: unknown; name?: unknown } | undefined;
  if (!src || src.type !== "tracepoint" || typeof src.name !== "string")
    throw new PlanError("BAD_DECLARATION", `an aggregate reads a tracepoint: source must be { type: "tracepoint", name: "category:event" }`);
  const value = decl.value as AggregateDeclaration["value"] | undefined;
  if (!value || typeof value !== "object") throw new PlanError("BAD_DECLARATION", `value must be an object such as { op: "count" }`);
  const v = planValue(value, false);
  const maxKeys = checkCommon(decl, v.nslots, facts.possibleCpus);
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
  return keyedInstance({
    template: "agg_tp", object: aggTpDescriptor.object, target: tp, decl, value, v, layout, stackNames, maxKeys, unit, cfg,
    attach: [{ kind: "tracepoint", program: AGG.program, category: format.category, event: format.event }],
  });
}

const TCP_FAMILIES = { ipv4: 2, ipv6: 10 } as const;
const IPPROTO_TCP = 6;
/** tcp() keys named as in tcp().events(), and the tracepoint fields they are. */
const TCP_KEY_FIELDS: Readonly<Record<string, string>> = { new_state: "newstate", old_state: "oldstate" };

/**
 * TCP state changes aggregated: agg_tp on sock:inet_sock_set_state, its
 * non-TCP changes (SCTP, MPTCP) left out in the kernel, keys new_state and
 * old_state shown as state names ("ESTABLISHED").
 */
export function planTcpAggregate(decl: AggregateDeclaration, facts: HostFacts): AggregationInstance {
  const src = decl.source as { type: "tcp"; family?: unknown; port?: unknown };
  if ("port" in src && src.port !== undefined)
    throw new PlanError("UNSUPPORTED_FILTER", `a TCP aggregation can't filter by port (either end): key by it instead with .by("sport") or .by("dport")`,
      { filter: "port", supported: ["family"] });
  if (src.family !== undefined && !(typeof src.family === "string" && src.family in TCP_FAMILIES))
    throw new PlanError("BAD_DECLARATION", `family must be "ipv4" or "ipv6", got ${JSON.stringify(src.family)}`);
  const family = src.family ? TCP_FAMILIES[src.family as keyof typeof TCP_FAMILIES] : undefined;
  const where = [
    { field: "protocol", op: "==" as const, value: IPPROTO_TCP },
    ...(family !== undefined ? [{ field: "family", op: "==" as const, value: family }] : []),
    ...(decl.filter?.where ?? []),
  ];
  const keys = decl.keys.map((k) => TCP_KEY_FIELDS[k] ?? k);
  const instance = planAggregate({
    ...decl, source: { type: "tracepoint", name: "sock:inet_sock_set_state" }, keys, filter: { ...decl.filter, where },
  }, facts);
  const names: Record<string, Readonly<Record<number, string>>> = {};
  for (const [column, field] of Object.entries(TCP_KEY_FIELDS)) {
    const key = instance.keyColumns.find((c) => c.name === field);
    if (!key || !decl.keys.includes(column)) continue;
    key.name = column;
    names[column] = TCP_STATE_NAMES;
  }
  const field = (decl.value as { field?: string }).field;
  return {
    ...instance,
    describe: `${decl.value.op}${field ? ` of ${field}` : ""} of TCP state changes${decl.keys.length ? ` by ${decl.keys.join(", ")}` : ""}`,
    ...(Object.keys(names).length ? { keyNames: names } : {}),
  };
}
