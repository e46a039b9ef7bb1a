// Runs a ring-buffer event instance of the templates beyond tp_events
// (uprobe_events: uprobes, uretprobes, USDT, kprobes, fentry; tcp_events):
// load it, attach every hook, drain the ring buffer for the duration (or until
// aborted or the row limit), detach, drain the rest and close - always, in a
// finally. Same result shape as runEvents().
import type { TemplateDescriptor } from "../../bpf/descriptor.js";
import { descriptor as tcpEventsDescriptor } from "../../bpf/generated/tcp_events.js";
import { descriptor as uprobeEventsDescriptor } from "../../bpf/generated/uprobe_events.js";
import type { RingEventsInstance } from "../templates/uprobe_events/plan.js";
import type { EventColumn, EventsStats, RingRows, RunEventsOptions } from "./ring.js";
import { collectRing } from "./ring.js";
import { loadTemplate } from "../templates/load-template.js";
import { readableTcpColumns } from "../templates/tcp_events/columns.js";
import { withWallClock, type ResultColumnType } from "../host/wall-clock.js";

export interface ProbeEventsResult {
  /** The template's columns, and `time` (wall-clock epoch ms, type "date") right after `time_ns`. */
  columns: Record<string, EventColumn>;
  columnTypes: Record<string, ResultColumnType>;
  rowCount: number;
  stats: EventsStats;
  plan: RingEventsInstance;
}

const DESCRIPTORS: Record<string, TemplateDescriptor> = {
  uprobe_events: uprobeEventsDescriptor,
  tcp_events: tcpEventsDescriptor,
};

export function descriptorOf(template: string): TemplateDescriptor {
  const d = DESCRIPTORS[template];
  if (!d) throw new Error(`no descriptor for template ${template}`);
  return d;
}

export async function runProbeEvents(instance: RingEventsInstance, opts: RunEventsOptions = {}): Promise<ProbeEventsResult> {
  const obj = loadTemplate(instance, descriptorOf(instance.template));
  try {
    return probeEventsResult(instance, await collectRing(obj, instance, instance.attach, opts)) as ProbeEventsResult;
  } finally {
    void obj.closeAsync(); // detach and free off the JS thread; the exit hook finishes it if need be
  }
}

/** A function-probe or TCP run's rows as its result: TCP addresses as text and states as names, `time` added. */
export function probeEventsResult(instance: RingEventsInstance, { table, stats }: RingRows) {
  if (instance.template === "tcp_events") readableTcpColumns(table);
  return { ...table, ...withWallClock(table.columns, table.columnTypes), stats, plan: instance };
}
