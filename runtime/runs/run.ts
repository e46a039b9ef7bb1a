// Runs any declaration a cell can build: the one switch from a declaration's
// kind (and source) to the runner that serves it. Planning stays in the
// planner and running in the runners (run-events.ts, run-probe-events.ts,
// run-aggregate.ts, run-probe.ts); this file only dispatches, and
// gives every result the same shape for the sandbox.

import type { AggregateDeclaration, FunctionEventsDeclaration, LatencyDeclaration, ProfileDeclaration, TcpDeclaration } from "../spec/declaration.js";
import type { AnyDeclaration, RunStats } from "../spec/protocol.js";
import type { AggregateResult, AggregateRun, AggregateSnapshot, RunAggregateOptions } from "./aggregate.js";
import type { RunEventsOptions } from "./ring.js";

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
  /** The template instance that ran (for explain). */
  plan: unknown;
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
  if (!decl || typeof decl !== "object") throw new TypeError("a probe declaration must be an object");
  switch (decl.kind) {
    case "events": {
      if (decl.source?.type === "tracepoint") {
        const { runEvents } = await import("./ring.js");
        return (await runEvents(decl as Extract<AnyDeclaration, { kind: "events"; fields: string[] }>, opts)) as ProbeRunResult;
      }
      return runRingProbe(decl as FunctionEventsDeclaration, opts);
    }
    case "tcp":
    case "profile":
      return runRingProbe(decl, opts);
    case "aggregate":
    case "latency":
      return runAggregation(decl, opts);
    default:
      throw new TypeError(`unknown declaration kind ${JSON.stringify((decl as { kind?: unknown }).kind)} (known: events, aggregate, latency, profile, tcp)`);
  }
}

/** Function events (uprobe, uretprobe, USDT, kprobe, fentry), TCP and profiles: run-probe.ts picks the runner. */
async function runRingProbe(decl: FunctionEventsDeclaration | TcpDeclaration | ProfileDeclaration, opts: RunDeclarationOptions): Promise<ProbeRunResult> {
  const { runProbe } = await import("./probe.js");
  const result = await runProbe(decl, opts);
  if ("rows" in result) {
    // A profile counts samples: they are its events.
    const { samples, dropped, durationMs, stoppedBy, seen } = result.stats;
    return { columns: result.columns, columnTypes: result.columnTypes, rowCount: result.rowCount, stats: { events: samples, dropped, durationMs, stoppedBy, seen }, plan: result.plan };
  }
  return result as ProbeRunResult;
}

async function runAggregation(decl: AggregateDeclaration | LatencyDeclaration, opts: RunDeclarationOptions): Promise<ProbeRunResult> {
  const { runAggregate } = await import("./aggregate.js");
  const { onReadable, ...rest } = opts;
  const result = await runAggregate(decl, {
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
