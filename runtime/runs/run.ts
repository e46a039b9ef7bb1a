// Runs any declaration a cell can build, top to bottom: plan it once
// (runtime/planner/plan.ts), then the reader of its template runs the spec
// (ring.ts, aggregate.ts, templates/profile/run.ts: each loads, attaches,
// reads and shapes), and every result comes back in the same shape for the
// sandbox.

import type { AggregationInstance } from "../planner/aggregation.js";
import type { Spec } from "../planner/plan.js";
import type { ProfileInstance } from "../templates/profile/plan.js";
import type { AnyDeclaration, RunStats } from "../spec/protocol.js";
import type { AggregateResult, AggregateRun, AggregateSnapshot, RunAggregateOptions } from "./aggregate.js";
import type { RingSpec, RunEventsOptions } from "./ring.js";

/** Options of runDeclaration(): those of run-events.ts (signal, onProgress, onAttached, tracefs), and for time series onInterval. */
export type RunDeclarationOptions = RunEventsOptions & Pick<RunAggregateOptions, "onInterval"> & {
  /** Called once attached when the run can be read while it runs (aggregations and latencies):
   *  `read()` gives the table so far without disturbing the run (background runs' snapshot). */
  onReadable?: (read: () => Promise<ProbeRunResult>) => void;
};

/** What every run returns: columns, their types, the counters and the plan that ran. */
export interface ProbeRunResult {
  columns: Record<string, ArrayLike<unknown>>;
  columnTypes: Record<string, string>;
  rowCount: number;
  stats: RunStats & { seen?: number };
  /** The spec that ran (for explain). */
  plan?: Spec;
}

/**
 * Plans and runs `decl` with the runner for its kind, until its duration ends,
 * its row limit is reached or `opts.signal` aborts (then it returns what it
 * collected).
 *
 * @example
 * ```ts
 * const r = await runDeclaration({ kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
 *   value: { op: "count" }, keys: ["pid"], filter: {}, durationMs: 1000 });
 * r.columns.count
 * ```
 */
export async function runDeclaration(decl: AnyDeclaration, opts: RunDeclarationOptions = {}): Promise<ProbeRunResult> {
  const [{ plan }, { templateNamed }] = await Promise.all([import("../planner/plan.js"), import("../templates/registry.js")]);
  const spec = plan(decl);
  // the template's reader, not the declaration's kind, decides how the run is read
  switch (templateNamed(spec.template).reader) {
    case "ring": {
      const { runRing } = await import("./ring.js");
      // A stream filtered to one process ends when that process has gone (runs/ring.ts).
      const pid = (decl as { filter?: { pid?: unknown } }).filter?.pid;
      if (decl.kind === "events" && opts.targetPid === undefined && typeof pid === "number" && Number.isInteger(pid)) opts = { ...opts, targetPid: pid };
      return (await runRing(spec as RingSpec, opts)) as ProbeRunResult;
    }
    case "aggregate":
      return runAggregation(spec as AggregationInstance, opts);
    case "profile": {
      const { runProfile } = await import("../templates/profile/run.js");
      const result = await runProfile(spec as ProfileInstance, opts);
      // A profile counts samples: they are its events.
      const { samples, dropped, durationMs, stoppedBy, seen } = result.stats;
      return { columns: result.columns, columnTypes: result.columnTypes, rowCount: result.rowCount, stats: { events: samples, dropped, durationMs, stoppedBy, seen }, plan: result.plan };
    }
  }
}

async function runAggregation(spec: AggregationInstance, opts: RunDeclarationOptions): Promise<ProbeRunResult> {
  const { runAggregateInstance } = await import("./aggregate.js");
  const { onReadable, ...rest } = opts;
  const result = await runAggregateInstance(spec, {
    ...rest,
    ...(onReadable ? { onStarted: (run: AggregateRun) => onReadable(async () => aggregationResult(await run.read())) } : {}),
  });
  return aggregationResult(result);
}

/** An aggregation's result (or snapshot) in the shape every run shares. `events` is the
 *  kernel's per-CPU hit counter: every event aggregated, whatever the value folded. */
function aggregationResult(r: AggregateSnapshot & { stats: { stoppedBy?: AggregateResult["stats"]["stoppedBy"] } }): ProbeRunResult {
  const { events, lost, dropped, missed, durationMs, stoppedBy } = r.stats;
  return {
    columns: r.columns, columnTypes: r.columnTypes, rowCount: r.rowCount,
    stats: { events, dropped, lost, missed, durationMs, ...(stoppedBy ? { stoppedBy: stoppedBy === "stop" ? "abort" as const : stoppedBy } : {}) },
    plan: r.plan,
  };
}
