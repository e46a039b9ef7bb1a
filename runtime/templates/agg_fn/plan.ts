// Plans an aggregate of a function probe (uprobe, uretprobe, USDT, kprobe,
// kretprobe, fentry) onto agg_fn: the hook (planner/function-hooks.ts), the
// declared values as the "fields" that are folded, compared and keyed by, and
// the same filter, key layout and value fold as agg_tp.
import type { AggregateDeclaration, FunctionSource, ProbeValue } from "../../spec/declaration.js";
import { PlanError } from "../../spec/errors.js";
import type { HostFacts } from "../../host/facts.js";
import type { AggFnConfig } from "../aggregation.js";
import { AGG, AGG_FN, aggFnDescriptor } from "../aggregation.js";
import { columnType, integerKind } from "../columns.js";
import { isStackName, STACK_MAP_ENTRIES, STACK_NAMES } from "../stack-columns.js";
import { checkPid } from "../../planner/checks.js";
import { FILTER_KEYS, planFilter } from "../../planner/filter.js";
import type { AggregationInstance, KeySpec } from "../../planner/aggregation.js";
import { aggPlan, keyedInstance, checkCommon, COMMON_KEYS, layoutKeys, planValue, stackKey, valueColumns } from "../../planner/aggregation.js";
import { checkValue, functionHook, unknownValue, valueSlot } from "../../planner/function-hooks.js";

function bad(message: string): PlanError {
  return new PlanError("BAD_DECLARATION", message);
}

export function planFunctionAggregate(decl: AggregateDeclaration, facts: HostFacts): AggregationInstance {
  const { tracefs, pidNamespace: pidns, features } = facts;
  const value = decl.value as AggregateDeclaration["value"] | undefined;
  if (!value || typeof value !== "object") throw bad(`value must be an object such as { op: "count" }`);
  const v = planValue(value, false);
  const maxKeys = checkCommon(decl, v.nslots, facts.possibleCpus);
  const filter = decl.filter ?? {};
  if (typeof filter !== "object" || filter === null) throw bad(`filter must be an object such as { pid: 1234 }`);
  const pid = checkPid(filter.pid);
  // agg_fn reads fentry's arguments from its array: an fentry entry serves every shape
  const hook = functionHook(decl.source as unknown as FunctionSource, pid, tracefs, features, true);
  const target = hook.target;
  const values = decl.values ?? [];
  if (!Array.isArray(values)) throw bad(`values must be a list such as [{ name: "size", arg: 0, type: "ulong" }]`);
  const seen = new Set<string>(Object.keys(COMMON_KEYS));
  for (const x of values as ProbeValue[]) checkValue(x, hook, seen);

  /** A declared value where the program reads it (an error for people otherwise). */
  const slot = (name: string, at: string, role: string) => {
    const x = values.find((y) => y.name === name);
    if (!x) throw unknownValue(name, at, values, target, role);
    const s = valueSlot(x, hook, true);
    if (!s)
      throw new PlanError("UNSUPPORTED_FIELD", `${at}: "${name}" is a string; aggregations fold, compare and key by integers ` +
        `(strings are for .events())`, { field: name });
    return { ...s, value: x };
  };

  let folded = { src_off: 0, size: 0, is_signed: 0 }, unit = "";
  if (value.op !== "count") {
    const field = (value as { field?: unknown }).field;
    if (typeof field !== "string")
      throw bad(`value.op "${value.op}" folds a value: give value.field, one of ${values.map((x) => x.name).join(", ") || "(none: declare one with .arg())"}`);
    const s = slot(field, "value.field", "aggregations fold");
    if (s.value.type === "pointer")
      throw new PlanError("UNSUPPORTED_FIELD", `value.field: ${field} is a pointer, not a quantity to ${value.op}; key by it instead`, { field });
    folded = { src_off: s.offset, size: s.size, is_signed: s.signed ? 1 : 0 };
    unit = s.value.type;
    if (v.buckets?.kind === "log2") v.buckets.nonNegative = !s.signed;
  }

  const keySpec = (name: string): KeySpec => {
    const common = COMMON_KEYS[name];
    if (common) return common;
    if (isStackName(name)) return stackKey(name);
    const s = slot(name, `key "${name}"`, `keys are ${Object.keys(COMMON_KEYS).join(", ")}, kstack, ustack or`);
    const kind = integerKind(s.size, s.signed, s.value.type === "pointer")!;
    return { column: name, src: "AGG_SRC_FIELD", srcOff: s.offset, size: s.size, align: s.size,
      decode: { kind, type: columnType(kind), origin: s.value.type } };
  };
  const keys = [...decl.keys];
  const stackNames = STACK_NAMES.filter((n) => keys.includes(n));
  // user frames are named through the process's memory maps: a user stack is keyed by its pid too
  if (stackNames.includes("ustack") && !keys.includes("pid")) keys.push("pid");
  const layout = layoutKeys(keys.map(keySpec));
  const snapshots = decl.everyMs !== undefined;
  const usdtArgs = hook.kind === "usdt" ? Math.max(0, ...values.filter((x) => !x.retval).map((x) => x.arg! + 1)) : 0;
  if (usdtArgs > AGG_FN.usdtArgs) throw bad(`a USDT aggregation reads arguments 0 to ${AGG_FN.usdtArgs - 1}`);
  const cfg: AggFnConfig = {
    filter: planFilter(filter, { supported: FILTER_KEYS, what: target, resolveField: (name, at) => slot(name, at, "where compares") }, pidns),
    agg: aggPlan(layout, v, folded, snapshots),
    usdt_nargs: usdtArgs,
    _pad: 0,
  };
  const program = AGG_FN.programs[hook.kind];
  return keyedInstance({
    template: "agg_fn", object: aggFnDescriptor.object, target: target, decl, value, v, layout, stackNames, maxKeys, unit, cfg,
    attach: [{ ...hook.attach, program }],
    ...(hook.fentryTarget ? { attachTargets: { [program]: hook.fentryTarget } } : {}),
  });
}
