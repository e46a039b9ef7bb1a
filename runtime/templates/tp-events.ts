// What the runtime knows about the tp_events template (bpf/tp_events.bpf.c).
// Every name and layout here comes from the generated descriptor, so renaming
// a map or a struct member in the C header breaks this file at compile time.
import { descriptor } from "../../bpf/generated/tp_events.js";
import type { PbFilter } from "./aggregation.js";
import type { OutputColumn } from "./columns.js";
import { columnType, integerKind } from "./columns.js";
import { member, structSize } from "./struct-codec.js";

export { descriptor as tpEventsDescriptor };

export const TP_EVENTS = {
  template: descriptor.template,
  program: descriptor.programs[0].name,
  ringMap: "pb_events" satisfies keyof typeof descriptor.maps,
  dropsMap: "pb_drops" satisfies keyof typeof descriptor.maps,
  seenMap: "pb_seen" satisfies keyof typeof descriptor.maps,
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

/** One entry of the field plan; names as in struct tp_field_plan. */
export interface TpFieldPlan {
  src_off: number;
  size: number;
  dst_off: number;
  max_len: number;
  kind: TpFieldKind;
}

/** The `cfg` rodata; names as in struct tp_events_config. */
export interface TpEventsConfig {
  event_size: number;
  nfields: number;
  wakeup_bytes: number;
  /** Which events to keep (process, thread, uid, cgroup, comm, field predicates, sampling)
   *  and the reader's pid namespace: struct pb_filter of bpf/filter.h. */
  filter: PbFilter;
  fields: TpFieldPlan[];
}

/** Common columns: column name -> pb_event_header member (bpf/common.bpf.h). */
const HEADER_COLUMNS: readonly [string, string][] = [
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

/** The common columns, laid out as the compiled header says. */
export function headerColumns(): OutputColumn[] {
  return HEADER_COLUMNS.map(([name, m]) => {
    const mem = member(descriptor, "pb_event_header", m);
    const t = mem.type;
    if (t.kind === "array" && t.of.kind === "char")
      return { name, offset: mem.offset, kind: "cstring", length: t.count, type: "string", origin: "header" };
    if (t.kind !== "int") throw new Error(`pb_event_header.${m} has an unexpected type`);
    const kind = integerKind(t.size, t.signed)!;
    return { name, offset: mem.offset, kind, type: columnType(kind), origin: "header" };
  });
}
