// What the runtime knows about the tp_events template (bpf/tp_events.bpf.c).
// Every name and layout here comes from the generated descriptor, so renaming
// a map or a struct member in the C header breaks this file at compile time.
import { descriptor } from "../../../bpf/generated/tp_events.js";
import type * as GeneratedTpEvents from "../../../bpf/generated/tp_events.js";
import type { PbFilter } from "../aggregation.js";
import type { OutputColumn } from "../columns.js";
import { columnType, integerKind } from "../columns.js";
import { member, structSize } from "../struct-codec.js";
import { runSwitchOf } from "../ring-spec.js";

export { descriptor as tpEventsDescriptor };

export const TP_EVENTS = {
  template: descriptor.template,
  program: descriptor.programs[0].name,
  ringMap: "pb_events" satisfies keyof typeof descriptor.maps,
  dropsMap: "pb_drops" satisfies keyof typeof descriptor.maps,
  /** The run's switch in .bss (bpf/common.bpf.h, PB_RUN_SWITCH): stored to end a run. */
  runSwitch: runSwitchOf(descriptor),
  /** Stack ids of the opt-in kstack/ustack columns (1 entry unless one is kept). */
  stacksMap: "pb_stacks" satisfies keyof typeof descriptor.maps,
  configVar: "cfg",
  headerSize: structSize(descriptor, "pb_event_header"),
  maxFields: (() => {
    const t = member(descriptor, "tp_events_config", "fields").type;
    if (t.kind !== "array") throw new Error("tp_events_config.fields is not an array");
    return t.count;
  })(),
  fieldKinds: descriptor.enums.tp_field_kind,
} as const;

export type TpFieldKind = keyof typeof descriptor.enums.tp_field_kind;

/** One entry of the field plan: struct tp_field_plan (generated from the object's BTF). */
export type { TpFieldPlan, TpStackPlan } from "../../../bpf/generated/tp_events.js";

/** Offset in the record of each header member, or HEADER_SKIP: struct pb_header_plan (common.bpf.h). */
export type PbHeaderPlan = GeneratedTpEvents.PbHeaderPlan;

/** The `cfg` rodata: struct tp_events_config, as generated; `stacks` may be left out (all zero: no stack columns). */
export type TpEventsConfig = Omit<GeneratedTpEvents.TpEventsConfig, "stacks"> & { stacks?: GeneratedTpEvents.TpStackPlan };

/** PB_HDR_SKIP (bpf/common.bpf.h): a header member the record does not carry. */
export const HEADER_SKIP = 0xffff;

type HeaderMember = Exclude<keyof PbHeaderPlan, `_${string}`>;

/** Common columns, in output order: column name -> pb_event_header member (bpf/common.bpf.h). */
const HEADER_COLUMNS: readonly [string, HeaderMember][] = [
  ["time_ns", "ts_ns"],
  ["cpu", "cpu"],
  ["pid", "pid"],
  ["tid", "tid"],
  ["uid", "uid"],
  ["gid", "gid"],
  ["cgroup", "cgroup_id"],
  ["comm", "comm"],
];

export const COMMON_COLUMN_NAMES: readonly string[] = HEADER_COLUMNS.map(([c]) => c);

/** The header part of a record: where each member goes, the columns, and the bytes it takes. */
export interface HeaderLayout {
  plan: PbHeaderPlan;
  columns: OutputColumn[];
  /** Bytes before the payload (a multiple of 8). */
  size: number;
}

/**
 * The common columns `keep` (default: all of them) packed in the order of
 * struct pb_event_header, each at its natural alignment: all of them give that
 * struct's layout exactly; time_ns, pid and cpu a 16-byte header. Members not
 * kept are HEADER_SKIP, which the template never writes.
 */
export function headerLayout(keep: readonly string[] = COMMON_COLUMN_NAMES): HeaderLayout {
  const wanted = new Set(HEADER_COLUMNS.filter(([c]) => keep.includes(c)).map(([, m]) => m));
  const plan = Object.fromEntries(HEADER_COLUMNS.map(([, m]) => [m, HEADER_SKIP])) as unknown as PbHeaderPlan; // every member of HEADER_COLUMNS
  const at = new Map<string, number>();
  let end = 0;
  for (const mem of descriptor.structs.pb_event_header.members) { // in the struct's order
    if (!wanted.has(mem.name as HeaderMember)) continue;
    const align = mem.type.kind === "int" ? mem.type.size : 1;
    const offset = Math.ceil(end / align) * align;
    plan[mem.name as HeaderMember] = offset;
    at.set(mem.name, offset);
    end = offset + mem.size;
  }
  const columns = HEADER_COLUMNS.filter(([, m]) => wanted.has(m)).map(([name, m]): OutputColumn => {
    const mem = member(descriptor, "pb_event_header", m);
    const offset = at.get(m)!;
    const t = mem.type;
    if (t.kind === "array" && t.of.kind === "char")
      return { name, offset, kind: "cstring", length: t.count, type: "string", origin: "header" };
    if (t.kind !== "int") throw new Error(`pb_event_header.${m} has an unexpected type`);
    const kind = integerKind(t.size, t.signed)!;
    return { name, offset, kind, type: columnType(kind), origin: "header" };
  });
  return { plan, columns, size: Math.ceil(end / 8) * 8 };
}
