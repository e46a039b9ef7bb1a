// What the runtime knows about the tp_events template (bpf/tp_events.bpf.c).
// Every name and layout here comes from the generated descriptor, so renaming
// a map or a struct member in the C header breaks this file at compile time.
import { descriptor } from "../../bpf/generated/tp_events.js";
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
  headerSize: structSize(descriptor, "tp_event_header"),
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
  target_tgid: number;
  event_size: number;
  nfields: number;
  wakeup_bytes: number;
  /** The reader's pid namespace (0, 0: the initial one). */
  pidns_dev: number;
  pidns_ino: number;
  fields: TpFieldPlan[];
}

/** Common columns: column name -> tp_event_header member. */
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
    const mem = member(descriptor, "tp_event_header", m);
    const t = mem.type;
    if (t.kind === "array" && t.of.kind === "char")
      return { name, offset: mem.offset, kind: "cstring", length: t.count, type: "string", origin: "header" };
    if (t.kind !== "int") throw new Error(`tp_event_header.${m} has an unexpected type`);
    const kind = integerKind(t.size, t.signed)!;
    return { name, offset: mem.offset, kind, type: columnType(kind), origin: "header" };
  });
}
