// Runs a ring-buffer event instance of the templates beyond tp_events
// (uprobe_events: uprobes, uretprobes, USDT, kprobes, fentry; tcp_events):
// load it, attach every hook, drain the ring buffer for the duration (or until
// aborted or the row limit), detach, drain the rest and close - always, in a
// finally. Same result shape as runEvents().
import type { TemplateDescriptor } from "../bpf/descriptor.js";
import { descriptor as tcpEventsDescriptor } from "../bpf/generated/tcp_events.js";
import { descriptor as uprobeEventsDescriptor } from "../bpf/generated/uprobe_events.js";
import type { ColumnBatch } from "../native/surface.js";
import { attachOne } from "./attach.js";
import type { RingEventsInstance } from "./planner/function-events.js";
import type { EventsProgress, EventsStats, RunEventsOptions } from "./run-events.js";
import { assemble, waitForEnd } from "./run-events.js";
import type { EventColumn } from "./run-events.js";
import { loadTemplate } from "./templates/load-template.js";
import { readableTcpColumns } from "./tcp-columns.js";
import { withWallClock, type ResultColumnType } from "./wall-clock.js";

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
  const batches: ColumnBatch[] = [];
  let received = 0;
  try {
    let limitReached = () => {};
    const limitHit = new Promise<void>((resolve) => (limitReached = resolve));
    const layout = instance.columns.map(({ name, offset, kind, length }) => ({ name, offset, kind, ...(length ? { length } : {}) }));
    const reader = obj.openRingReader(instance.ring.map, layout,
      { recordSize: instance.ring.recordSize, pollMs: instance.ring.pollMs, batchRows: instance.ring.batchRows },
      (batch) => {
        batches.push(batch);
        received += batch.rows;
        if (instance.limit !== undefined && received >= instance.limit) limitReached();
      });
    instance.attach.forEach((a) => attachOne(obj, a)); // detached by closeAsync() in the finally
    const attachedAt = performance.now();
    await opts.onAttached?.();

    const stoppedBy = await waitForEnd(instance.durationMs, limitHit, opts, (): EventsProgress => ({
      elapsedMs: performance.now() - attachedAt,
      events: received,
      dropped: obj.percpuSum(instance.counters.drops, 0),
    }));
    const durationMs = performance.now() - attachedAt;
    // Detached before the counters and the final drain, except when aborted (as in run-events.ts).
    if (stoppedBy !== "abort" || opts.exactOnAbort) await obj.detachAsync();
    const dropped = obj.percpuSum(instance.counters.drops, 0);
    const seen = obj.percpuSum(instance.counters.seen, 0);
    const missed = [...new Set(instance.attach.map((a) => a.program))].reduce((n, p) => n + obj.programInfo(p).recursionMisses, 0);
    await reader.stop(); // the final drain
    const counted = Math.max(0, seen - dropped);
    const stats: EventsStats = { events: Math.min(received, counted), dropped, seen, missed, durationMs, stoppedBy };
    const cut = instance.limit !== undefined ? Math.min(instance.limit, counted) : counted;
    const table = assemble(instance, batches, cut);
    if (instance.template === "tcp_events") readableTcpColumns(table); // addresses as text, states as names
    return { ...table, ...withWallClock(table.columns, table.columnTypes), stats, plan: instance };
  } finally {
    void obj.closeAsync(); // detach and free off the JS thread; the exit hook finishes it if need be
  }
}
