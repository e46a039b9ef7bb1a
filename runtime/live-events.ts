// An events run that can be read while it runs, for background runs: the same
// steps as run-events.ts / run-probe-events.ts (plan, load, open the ring
// reader, attach, wait, detach, final drain, close), with the batches kept
// where snapshot() can assemble the rows received so far. Foreground runs use
// those runners; this exists because a snapshot needs the batches mid-run.

import type { BpfLink, BpfObject, ColumnBatch } from "../native/surface.js";
import { attachOne } from "./attach.js";
import type { EventsDeclaration, FunctionEventsDeclaration, TcpDeclaration } from "./declaration.js";
import type { ProbeRunResult } from "./run.js";
import type { RunEventsOptions } from "./run-events.js";
import type { StackColumnsPlan } from "./stack-columns.js";

/** A run in progress: read it now, or wait for the end. */
export interface LiveRun {
  /** The rows received so far and the counters now. */
  snapshot(): ProbeRunResult;
  /** Resolves with the final result once the run ended (duration, limit or abort). */
  readonly done: Promise<ProbeRunResult>;
}

type RingDeclaration = EventsDeclaration | FunctionEventsDeclaration | TcpDeclaration;

interface RingPlan {
  columns: { name: string; offset: number; kind: string; length?: number; type: string }[];
  ring: { map: string; recordSize: number; pollMs: number; batchRows: number };
  counters: { drops: string; seen: string };
  durationMs: number;
  limit?: number;
}

/**
 * Plans, loads and attaches `decl`; resolves once attached (and
 * `opts.onAttached` resolved) with a LiveRun.
 *
 * @example
 * ```ts
 * const live = await startLiveEvents(decl, { signal });
 * live.snapshot().rowCount; // rows so far
 * controller.abort(); await live.done;
 * ```
 */
export async function startLiveEvents(decl: RingDeclaration, opts: RunEventsOptions = {}): Promise<LiveRun> {
  const { assemble, waitForEnd } = await import("./run-events.js");
  const { nameStackColumns } = await import("./stack-columns.js");
  const { withWallClock } = await import("./wall-clock.js");
  const { obj, plan, attach } = await loadRing(decl, opts);
  const batches: ColumnBatch[] = [];
  let received = 0;
  try {
    let limitReached = () => {};
    const limitHit = new Promise<void>((resolve) => (limitReached = resolve));
    const layout = plan.columns.map(({ name, offset, kind, length }) => ({ name, offset, kind, ...(length ? { length } : {}) }));
    const reader = obj.openRingReader(plan.ring.map, layout as Parameters<BpfObject["openRingReader"]>[1],
      { recordSize: plan.ring.recordSize, pollMs: plan.ring.pollMs, batchRows: plan.ring.batchRows },
      (batch) => {
        batches.push(batch);
        received += batch.rows;
        if (plan.limit !== undefined && received >= plan.limit) limitReached();
      });
    attach(); // the links belong to obj: detachAsync() below, or close() on error
    const attachedAt = performance.now();
    await opts.onAttached?.();
    const counters = () => ({ dropped: obj.percpuSum(plan.counters.drops, 0), seen: obj.percpuSum(plan.counters.seen, 0) });
    const result = (stoppedBy: "duration" | "limit" | "abort" | undefined, durationMs: number): ProbeRunResult => {
      const { dropped, seen } = counters();
      const table = assemble(plan as never, batches, plan.limit);
      // tracepoint events' kstack/ustack ids: named while the object (its stack map) is open
      const stacks = (plan as { stacks?: StackColumnsPlan }).stacks;
      if (stacks) nameStackColumns(obj, stacks, table.columns, table.columnTypes, table.rowCount);
      return {
        ...table,
        ...withWallClock(table.columns, table.columnTypes),
        stats: { events: received, dropped, seen, durationMs, ...(stoppedBy ? { stoppedBy } : {}) },
        plan,
      };
    };
    let finished: ProbeRunResult | undefined;
    const done = (async () => {
      try {
        const stoppedBy = await waitForEnd(plan.durationMs, limitHit, opts, () => ({
          elapsedMs: performance.now() - attachedAt, events: received, dropped: obj.percpuSum(plan.counters.drops, 0),
        }));
        await obj.detachAsync(); // off the JS thread; afterwards nothing fires, so the counts are final
        const durationMs = performance.now() - attachedAt;
        await reader.stop();
        finished = result(stoppedBy, durationMs);
        return finished;
      } finally {
        obj.close();
      }
    })();
    return {
      snapshot: () => finished ?? result(undefined, performance.now() - attachedAt),
      done,
    };
  } catch (error) {
    obj.close();
    throw error;
  }
}

async function loadRing(decl: RingDeclaration, opts: RunEventsOptions): Promise<{ obj: BpfObject; plan: RingPlan; attach: () => BpfLink[] }> {
  const planOpts = opts.tracefs ? { tracefs: opts.tracefs } : {};
  if (decl.kind === "events" && decl.source.type === "tracepoint") {
    const { plan } = await import("./planner.js");
    const { loadInstance } = await import("./templates/load-instance.js");
    const instance = plan(decl as EventsDeclaration, planOpts);
    const obj = loadInstance(instance);
    return {
      obj,
      plan: instance,
      attach: () => instance.attach.map((a) => attachOne(obj, { ...a, program: instance.program })),
    };
  }
  const { planProbe } = await import("./planner.js");
  const { descriptorOf } = await import("./run-probe-events.js");
  const { loadTemplate } = await import("./templates/load-template.js");
  const instance = planProbe(decl as FunctionEventsDeclaration | TcpDeclaration, planOpts) as unknown as
    RingPlan & Parameters<typeof loadTemplate>[0] & { attach: Parameters<typeof attachOne>[1][] };
  const obj = loadTemplate(instance, descriptorOf(instance.template));
  return { obj, plan: instance, attach: () => instance.attach.map((a) => attachOne(obj, a)) };
}
