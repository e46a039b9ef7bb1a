// What a spec of a ring-buffer template beyond tp_events carries (uprobe_events,
// tcp_events): plain data the one loader and the ring reader take.
import type { ProbeAttach } from "./attach-point.js";
import type { OutputColumn } from "./columns.js";
import type { TemplateDescriptor } from "../../bpf/descriptor.js";

/** A ring template's switch: the u32 `pb_stopped` of its .bss (bpf/common.bpf.h, PB_RUN_SWITCH).
 *  Storing 1 there ends the run in the kernel: every program returns before it counts anything. */
export interface RunSwitch {
  section: ".bss";
  offset: number;
}

/** The switch of a ring template, from its generated descriptor. */
export function runSwitchOf(descriptor: TemplateDescriptor): RunSwitch {
  const v = descriptor.sections[".bss"]?.vars.find((x) => x.name === "pb_stopped");
  if (!v || v.size !== 4) throw new Error(`${descriptor.template} has no u32 pb_stopped in .bss (PB_RUN_SWITCH)`);
  return { section: ".bss", offset: v.offset };
}

/** A ring-buffer template's spec: object, configuration, attach points, the ring and its columns. */
export interface RingEventsInstance {
  template: string;
  object: string;
  /** For messages: "uprobe /usr/lib/x86_64-linux-gnu/libc.so.6:lldiv". */
  target: string;
  /** The programs to load (default: those the attach points name). */
  programs?: string[];
  attachTargets?: Record<string, string>;
  rodata: Record<string, unknown>;
  maps: Record<string, { maxEntries: number }>;
  attach: ProbeAttach[];
  ring: { map: string; recordSize: number; pollMs: number; batchRows: number };
  /** Reservations a full ring refused; events that passed the filters = rows + these. */
  counters: { drops: string };
  runSwitch: RunSwitch;
  columns: OutputColumn[];
  durationMs: number;
  limit?: number;
}
