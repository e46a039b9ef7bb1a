// What the runtime knows about the uprobe_events template (bpf/uprobe_events.bpf.c),
// all from its generated descriptor.
import { descriptor } from "../../../bpf/generated/uprobe_events.js";
import type { PbFilter } from "../aggregation.js";
import type { OutputColumn } from "../columns.js";
import { structColumns } from "../probe-header.js";
import { member, structSize } from "../struct-codec.js";
import { runSwitchOf } from "../ring-spec.js";

export { descriptor as uprobeEventsDescriptor };

type Program = (typeof descriptor.programs)[number]["name"];

export const UPROBE_EVENTS = {
  template: descriptor.template,
  programs: {
    uprobe: "pb_uprobe", uretprobe: "pb_uretprobe", usdt: "pb_usdt",
    kprobe: "pb_kprobe", kretprobe: "pb_kretprobe", fentry: "pb_fentry",
    uprobeEntry: "pb_uprobe_entry", kprobeEntry: "pb_kprobe_entry",
  } satisfies Record<string, Program>,
  ringMap: "pb_events" satisfies keyof typeof descriptor.maps,
  dropsMap: "pb_drops" satisfies keyof typeof descriptor.maps,
  /** The run's switch in .bss (bpf/common.bpf.h, PB_RUN_SWITCH): stored to end a run. */
  runSwitch: runSwitchOf(descriptor),
  headerSize: structSize(descriptor, "pb_event_header"),
  maxValues: (() => {
    const t = member(descriptor, "uprobe_events_config", "values").type;
    if (t.kind !== "array") throw new Error("uprobe_events_config.values is not an array");
    return t.count;
  })(),
} as const;

export type UpValueSource = keyof typeof descriptor.enums.up_value_source;
export type UpValueKind = keyof typeof descriptor.enums.up_value_kind;

/** The value plan and the `cfg` rodata: struct up_value_plan and struct uprobe_events_config, generated from the object's BTF. */
export type { UpValuePlan, UprobeEventsConfig } from "../../../bpf/generated/uprobe_events.js";

export function uprobeHeaderColumns(): OutputColumn[] {
  return structColumns(descriptor, "pb_event_header");
}
