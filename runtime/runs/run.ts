// Runs any declaration a cell can build, top to bottom: plan it once
// (runtime/planner/plan.ts), then the reader of its template runs the spec
// (ring.ts, aggregate.ts, templates/profile/run.ts: each loads, attaches,
// reads and shapes). Every run, foreground or background, is one Run (done,
// snapshot, stop), and every result comes back in the same shape for the sandbox.

import type { AggregationInstance } from "../planner/aggregation.js";
import type { Spec } from "../planner/plan.js";
import type { ProfileInstance } from "../templates/profile/plan.js";
import type { AnyDeclaration, RunStats } from "../spec/protocol.js";
import type { AggregateResult, AggregateSnapshot, RunAggregateOptions } from "./aggregate.js";
import type { RingSpec, RunEventsOptions } from "./ring.js";
import type { MemoryStop } from "../host/memory-budget.js";
import { targetOf, watchTarget, type TargetGone, type TargetWatch } from "./target-watch.js";

/** Options of runDeclaration() and startDeclaration(): signal, onProgress, onAttached, exactOnAbort, bpfStats, and for time series onInterval. */
export type RunDeclarationOptions = RunEventsOptions & Pick<RunAggregateOptions, "onInterval">;

/** A run once attached, whatever its template's reader: foreground runs wait for `done`,
 *  background runs also read it while it runs and stop it. */
export interface Run {
  /** The final result: the duration ran out, the row limit was reached, the signal aborted or stop() was called. */
  readonly done: Promise<ProbeRunResult>;
  /** The table so far, the run going on (a time series: its completed intervals; ring runs: the rows received). */
  snapshot(): Promise<ProbeRunResult>;
  /** Ends the run now (detach, last read); resolves with the final result. */
  stop(): Promise<ProbeRunResult>;
}

/** What every run returns: columns, their types, the counters and the plan that ran. */
export interface ProbeRunResult {
  columns: Record<string, ArrayLike<unknown>>;
  columnTypes: Record<string, string>;
  rowCount: number;
  /** `memory`: what held the memory budget when a stream stopped at it (host/memory-budget.ts). */
  stats: RunStats & { seen?: number; memory?: MemoryStop; targetFile?: string };
  /** The spec that ran (for explain). */
  plan?: Spec;
}

/**
 * Plans and runs `decl` until its duration ends, its row limit is reached or
 * `opts.signal` aborts (then it returns what it collected).
 *
 * @example
 * ```ts
 * const r = await runDeclaration({ kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
 *   value: { op: "count" }, keys: ["pid"], filter: {}, durationMs: 1000 });
 * r.columns.count
 * ```
 */
export async function runDeclaration(decl: AnyDeclaration, opts: RunDeclarationOptions = {}): Promise<ProbeRunResult> {
  return (await startDeclaration(decl, opts)).done;
}

/**
 * Plans `decl` once, then the reader of its template (ring.ts, aggregate.ts,
 * templates/profile/run.ts) loads, attaches and reads the spec; resolves with
 * the Run once every probe is attached (and opts.onAttached resolved), so a
 * plan, load or attach error is the caller's.
 *
 * @example
 * ```ts
 * const run = await startDeclaration(decl, { exactOnAbort: true });
 * (await run.snapshot()).rowCount; // so far
 * await run.stop();
 * ```
 */
export async function startDeclaration(decl: AnyDeclaration, opts: RunDeclarationOptions = {}): Promise<Run> {
  const { plan } = await import("../planner/plan.js");
  const spec = plan(decl);
  const stopper = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stopper.signal]) : stopper.signal;
  // A run ends when what it traces has gone: its process, or the file its uprobes are on (target-watch.ts).
  const target = spec.template === "profile" ? undefined : targetOf((decl as { filter?: { pid?: unknown } }).filter?.pid, spec.attach);
  const watch = target ? watchTarget(target) : undefined;
  const own = { ...opts, signal, ...(watch ? { targetGone: watch.gone } : {}) };
  // The kernel's run statistics count only while held on: from before attach to after the last read.
  const stats = opts.bpfStats ? (await import("./program-stats.js")).holdRunStats() : undefined;
  let run: Omit<Run, "stop">;
  try {
    run = await startReader(spec, own);
  } catch (e) {
    stats?.close();
    watch?.stop();
    throw e;
  }
  if (stats) run = { ...run, done: run.done.finally(() => stats.close()) };
  if (watch) run = { ...run, done: withTargetFile(run.done, watch) };
  return { ...run, stop: () => (stopper.abort(), run.done) };
}

/** The run's result once it ended, the watch stopped; a run ended by its target's going names the file concerned. */
async function withTargetFile(done: Promise<ProbeRunResult>, watch: TargetWatch): Promise<ProbeRunResult> {
  try {
    const result = await done;
    const gone = await Promise.race([watch.gone, Promise.resolve(undefined)]);
    if (gone?.file && result.stats.stoppedBy === gone.why) result.stats.targetFile = gone.file;
    return result;
  } finally {
    watch.stop();
  }
}

/** The reader of the spec's template, started. */
async function startReader(spec: Spec, own: RunDeclarationOptions): Promise<Omit<Run, "stop">> {
  const [{ templateNamed }, { readerOf }] = await Promise.all([import("../templates/registry.js"), import("../templates/template.js")]);
  let run: Omit<Run, "stop">;
  // the template's reader, not the declaration's kind, decides how the run is read
  switch (readerOf(templateNamed(spec.template), spec)) {
    case "ring": {
      const { startRingRun } = await import("./ring.js");
      const r = await startRingRun(spec as RingSpec, own);
      run = { done: r.done as Promise<ProbeRunResult>, snapshot: async () => r.snapshot() as ProbeRunResult };
      break;
    }
    case "aggregate":
      run = await startAggregation(spec as AggregationInstance, own);
      break;
    case "profile":
      run = await startProfile(spec as ProfileInstance, own);
      break;
  }
  return run;
}

/** An aggregation until its duration ends or the signal aborts; read() is its snapshot. */
async function startAggregation(spec: AggregationInstance, opts: RunDeclarationOptions): Promise<Omit<Run, "stop">> {
  const { startAggregateInstance } = await import("./aggregate.js");
  const run = await startAggregateInstance(spec, opts);
  const done = (async () => {
    const why = await new Promise<"duration" | "abort" | TargetGone>((resolve) => {
      const end = (w: "duration" | "abort" | TargetGone) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        resolve(w);
      };
      const onAbort = () => end("abort");
      const timer = setTimeout(() => end("duration"), spec.durationMs);
      if (opts.signal?.aborted) return end("abort");
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      void opts.targetGone?.then((gone) => end(gone.why));
    });
    const result = await run.stop();
    result.stats.stoppedBy = why;
    return aggregationResult(result);
  })();
  return { done, snapshot: async () => aggregationResult(await run.read()) };
}

/** A CPU profile: read when it ends (its stacks are symbolised then). */
async function startProfile(spec: ProfileInstance, opts: RunDeclarationOptions): Promise<Omit<Run, "stop">> {
  const { runProfile } = await import("../templates/profile/run.js");
  let attached = () => {};
  const whenAttached = new Promise<void>((resolve) => (attached = resolve));
  const done = runProfile(spec, { ...opts, onAttached: async () => { await opts.onAttached?.(); attached(); } }).then((result) => {
    // A profile counts samples: they are its events.
    const { samples, dropped, durationMs, stoppedBy, seen } = result.stats;
    return { columns: result.columns, columnTypes: result.columnTypes, rowCount: result.rowCount,
      stats: { events: samples, dropped, durationMs, stoppedBy, seen }, plan: result.plan } as ProbeRunResult;
  });
  await Promise.race([whenAttached, done]);
  return {
    done,
    snapshot: () => Promise.reject(new Error("a CPU profile is read when it ends (its stacks are named then): stop() returns it")),
  };
}

/** An aggregation's result (or snapshot) in the shape every run shares. `events` is the
 *  kernel's per-CPU hit counter: every event aggregated, whatever the value folded. */
function aggregationResult(r: AggregateSnapshot & { stats: { stoppedBy?: AggregateResult["stats"]["stoppedBy"] } }): ProbeRunResult {
  const { events, lost, dropped, missed, durationMs, stoppedBy, eventsPerCpu, programs } = r.stats;
  return {
    columns: r.columns, columnTypes: r.columnTypes, rowCount: r.rowCount,
    stats: { events, dropped, lost, missed, durationMs, eventsPerCpu, ...(programs ? { programs } : {}),
      ...(stoppedBy ? { stoppedBy: stoppedBy === "stop" ? "abort" as const : stoppedBy } : {}) },
    plan: r.plan,
  };
}
