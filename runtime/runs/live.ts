// An events run that can be read while it runs, for background runs: the
// ring-buffer run of run-events.ts (startRing), kept open so that snapshot()
// can assemble the rows received so far, shaped as the foreground runners
// shape theirs (ringResult).

import type { BpfObject } from "../../native/surface.js";
import type { ProbeAttach } from "./attach.js";
import type { EventsDeclaration, FunctionEventsDeclaration, TcpDeclaration } from "../spec/declaration.js";
import type { RingEventsInstance } from "../templates/ring-spec.js";
import type { ProbeRunResult } from "./run.js";
import type { RingPlan, RingRows, RingSpec, RunEventsOptions } from "./ring.js";

/** A run in progress: read it now, or wait for the end. */
export interface LiveRun {
  /** The rows received so far and the counters now. */
  snapshot(): ProbeRunResult;
  /** Resolves with the final result once the run ended (duration, limit or abort). */
  readonly done: Promise<ProbeRunResult>;
}

type RingDeclaration = EventsDeclaration | FunctionEventsDeclaration | TcpDeclaration;

/**
 * Plans, loads and attaches `decl`; resolves once attached (and
 * `opts.onAttached` resolved) with a LiveRun. An aborted run still detaches
 * before its last count, so its final rows are exact.
 *
 * @example
 * ```ts
 * const live = await startLiveEvents(decl, { signal });
 * live.snapshot().rowCount; // rows so far
 * controller.abort(); await live.done;
 * ```
 */
export async function startLiveEvents(decl: RingDeclaration, opts: RunEventsOptions = {}): Promise<LiveRun> {
  const { startRing } = await import("./ring.js");
  const { obj, plan, attach, result } = await loadRing(decl, opts);
  try {
    const run = await startRing(obj, plan, attach, { ...opts, exactOnAbort: true });
    let finished: ProbeRunResult | undefined;
    // shaped before close: stack ids are named from the object's stack map
    const done = run.done.then((rows) => (finished = result(rows))).finally(() => obj.close());
    return { snapshot: () => finished ?? result(run.snapshot()), done };
  } catch (error) {
    obj.close();
    throw error;
  }
}

interface LoadedRing {
  obj: BpfObject;
  plan: RingPlan;
  attach: ProbeAttach[];
  /** The rows as the foreground runner of this template returns them. */
  result: (rows: RingRows) => ProbeRunResult;
}

async function loadRing(decl: RingDeclaration, _opts: RunEventsOptions): Promise<LoadedRing> {
  const { plan } = await import("../planner/plan.js");
  const { load } = await import("../templates/load.js");
  const { ringResult } = await import("./ring.js");
  const spec = plan(decl) as RingSpec;
  const { obj, attach, variant } = load(spec);
  return { obj, plan: spec, attach, result: (rows) => ringResult(obj, spec, variant, rows) as ProbeRunResult };
}
