// Plans a function-events declaration (uprobe, uretprobe, USDT, kprobe, fentry)
// onto the uprobe_events template: the hook (planner/function-hooks.ts), the
// values laid out after the header, and the program of the hook kind.
import type { HostFacts } from "../../host/facts.js";
import type { FunctionEventsDeclaration, ProbeValue, ProbeValueType } from "../../spec/declaration.js";
import type { FeatureSource } from "../../host/features.js";
import { probeFeature } from "../../host/features.js";
import { PlanError } from "../../spec/errors.js";
import type { PidNamespace } from "../../host/pid-namespace.js";
import type { TracefsSource } from "../../host/tracefs.js";
import type { OutputColumn } from "../columns.js";
import { columnType, integerKind } from "../columns.js";
import type { UprobeEventsConfig, UpValuePlan } from "./layout.js";
import { UPROBE_EVENTS, uprobeEventsDescriptor, uprobeHeaderColumns } from "./layout.js";
import { HEADER_COLUMN_NAMES } from "../probe-header.js";
import type { FunctionHook, FunctionHookKind } from "../../planner/function-hooks.js";
import { checkValue, functionHook, INT_TYPES, unknownValue, valueSlot } from "../../planner/function-hooks.js";
import { planFilter } from "../../planner/filter.js";
import { BATCH_ROWS, checkDuration, checkLimit, checkPidFilter, POLL_MS, ringSize, STRING_MAX } from "../../planner/checks.js";
import type { ProbeAttach } from "../attach-point.js";
import type { RingEventsInstance } from "../ring-spec.js";
export type { RingEventsInstance } from "../ring-spec.js";



export interface FunctionEventsInstance extends RingEventsInstance {
  template: "uprobe_events";
  rodata: { cfg: UprobeEventsConfig };
}


function bad(message: string, details: Record<string, unknown> = {}): PlanError {
  return new PlanError("BAD_DECLARATION", message, details);
}

function planValues(decl: FunctionEventsDeclaration, hook: FunctionHook) {
  if (!Array.isArray(decl.values)) throw bad(`values must be a list such as [{ name: "n", arg: 0, type: "long" }]`);
  if (decl.values.length > UPROBE_EVENTS.maxValues)
    throw bad(`at most ${UPROBE_EVENTS.maxValues} values per event, got ${decl.values.length}`);
  // a kernel function's char * may be a user or a kernel string: the program tells them apart by address
  const strKind = hook.kernel ? "UP_VALUE_ANY_STR" : "UP_VALUE_USER_STR";
  const values: UpValuePlan[] = [];
  const columns: OutputColumn[] = [];
  const seen = new Set(HEADER_COLUMN_NAMES);
  let dst = UPROBE_EVENTS.headerSize;
  for (const v of decl.values as ProbeValue[]) {
    checkValue(v, hook, seen, 5, true);
    const source = v.retval ? "UP_SRC_RETVAL" : "UP_SRC_ARG";
    const index = v.retval ? 0 : v.arg!;
    if (v.type === "string") {
      values.push({ dst_off: dst, max_len: STRING_MAX, source, kind: strKind, index });
      columns.push({ name: v.name, offset: dst, kind: "cstring", length: STRING_MAX, type: "string", origin: "char *" });
      dst += STRING_MAX;
      continue;
    }
    const int = INT_TYPES[v.type as Exclude<ProbeValueType, "string">];
    const kind = integerKind(int[0], int[1], v.type === "pointer")!;
    // Every integer gets an 8-byte slot (the whole register); the column reads its low bytes (little-endian).
    values.push({ dst_off: dst, max_len: 0, source, kind: "UP_VALUE_INT", index });
    columns.push({ name: v.name, offset: dst, kind, type: columnType(kind), origin: v.type });
    dst += 8;
  }
  return { values, columns, eventSize: Math.ceil(dst / 8) * 8 };
}

/** The entry half of a return probe that shows its call's arguments (cfg.entry_args). */
const ENTRY_PROGRAMS: Partial<Record<FunctionHookKind, string>> = {
  uretprobe: UPROBE_EVENTS.programs.uprobeEntry, kretprobe: UPROBE_EVENTS.programs.kprobeEntry,
};

const PROGRAMS: Record<FunctionHookKind, string> = {
  uprobe: UPROBE_EVENTS.programs.uprobe, uretprobe: UPROBE_EVENTS.programs.uretprobe, usdt: UPROBE_EVENTS.programs.usdt,
  kprobe: UPROBE_EVENTS.programs.kprobe, kretprobe: UPROBE_EVENTS.programs.kretprobe, fentry: UPROBE_EVENTS.programs.fentry,
};

export function planFunctionEvents(decl: FunctionEventsDeclaration, facts: HostFacts): FunctionEventsInstance {
  const { tracefs, pidNamespace: pidns, features } = facts;
  checkDuration(decl.durationMs);
  checkLimit(decl.limit);
  // pid as before (its message and range); the rest in the kernel through bpf/filter.h
  const pid = checkPidFilter(decl.filter && { pid: decl.filter.pid }, "function events");
  // a where compares the kprobe's pt_regs: fentry's arguments are elsewhere
  const hook = functionHook(decl.source, pid, tracefs, features, !decl.filter?.where);
  const program = PROGRAMS[hook.kind];
  const target = hook.target;
  const attach = { ...hook.attach, program } as ProbeAttach;
  const attachTargets: Record<string, string> = hook.fentryTarget ? { [program]: hook.fentryTarget } : {};
  const { values, columns, eventSize } = planValues(decl, hook);
  // a return probe that shows arguments: its entry half saves them per thread
  const entryProgram = hook.atReturn && decl.values.some((v) => !v.retval) ? ENTRY_PROGRAMS[hook.kind] : undefined;
  const entryAttach = entryProgram ? { ...hook.attach, program: entryProgram, retprobe: false } as ProbeAttach : undefined;
  // predicates read the program's ctx: struct pt_regs of uprobes and kprobes
  const registers = hook.kind !== "usdt" && hook.kind !== "fentry";
  const filter = planFilter(decl.filter, {
    supported: registers ? ["pid", "tid", "comm", "uid", "cgroup", "where", "sample"] : ["pid", "tid", "comm", "uid", "cgroup", "sample"],
    what: registers ? `${target}` : `${target} (where compares argument registers of uprobes and kprobes only)`,
    resolveField: (name, at) => {
      const v = decl.values.find((x) => x.name === name);
      if (!v) throw unknownValue(name, at, decl.values, target, "where compares");
      const slot = valueSlot(v, hook, false);
      if (!slot) throw new PlanError("UNSUPPORTED_FIELD", `${at}: "${name}" is a string; where compares integers`, { field: name });
      return slot;
    },
  }, pidns);
  const ringBytes = ringSize(eventSize, facts.possibleCpus);
  const cfg: UprobeEventsConfig = {
    event_size: eventSize,
    nvalues: values.length,
    wakeup_bytes: ringBytes / 4,
    filter,
    values,
    entry_args: entryProgram ? 1 : 0,
    _pad3: [0, 0, 0, 0, 0, 0, 0],
  };
  return {
    template: "uprobe_events",
    object: uprobeEventsDescriptor.object,
    target,
    programs: entryProgram ? [entryProgram, program] : [program],
    ...(Object.keys(attachTargets).length ? { attachTargets } : {}),
    rodata: { cfg },
    maps: { [UPROBE_EVENTS.ringMap]: { maxEntries: ringBytes } },
    attach: entryAttach ? [entryAttach, attach] : [attach],
    ring: { map: UPROBE_EVENTS.ringMap, recordSize: eventSize, pollMs: POLL_MS, batchRows: BATCH_ROWS },
    counters: { drops: UPROBE_EVENTS.dropsMap },
    runSwitch: UPROBE_EVENTS.runSwitch,
    columns: [...uprobeHeaderColumns(), ...columns],
    durationMs: decl.durationMs,
    ...(decl.limit !== undefined ? { limit: decl.limit } : {}),
  };
}
