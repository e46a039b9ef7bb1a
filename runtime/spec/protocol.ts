// What the sandbox asks the host about probes, and what it gets back, as plain
// data (it crosses the isolate bridge as JSON). One request type per verb:
// run a declaration, start/snapshot/stop/list background runs, explain.

import type { AnyDeclaration } from "./declaration.js";
import type { ErrorData } from "./errors.js";
import type { ExplainData } from "./explain-data.js";

export type { AnyDeclaration } from "./declaration.js";

/** A run's counters while it runs (the progress line). */
export interface RunProgress {
  elapsedMs: number;
  /** Events (rows, hits aggregated, samples) so far. */
  events: number;
  /** Events lost because the ring buffer was full. */
  dropped: number;
  /** Aggregations: updates lost because the map was full (more keys than maxKeys). */
  lost?: number;
}

/** Counters of one run, shown beside its table. */
export interface RunStats {
  /** Events the probe saw (for events: rows received, dropped ones aside). */
  events: number;
  /** Events lost because the ring buffer was full: the table is missing them. */
  dropped: number;
  /** How long the probe was attached, in milliseconds. */
  durationMs: number;
  /** Why collection ended: the duration ran out, the row limit was reached, or it was stopped. */
  stoppedBy?: "duration" | "limit" | "abort" | "target-exited";
  /** Set when an event stream stopped at the row cap (runs/row-cap.ts) rather than a limit of its own. */
  rowCap?: number;
  /** Aggregations: updates lost because the map was full (more keys than maxKeys). */
  lost?: number;
  /** Events the kernel did not run the probe for because another BPF program was already running
   *  on that CPU (classic tracepoints, kprobes): the result is missing them. */
  missed?: number;
}

/** A finished (or snapshotted) run: columns plus the run's counters. */
export interface ResultPayload {
  /** Column name -> values (typed arrays for numbers, arrays for strings). */
  columns: Record<string, ArrayLike<unknown>>;
  /** Column name -> the type the planner gave it, e.g. "uint32", "string". */
  columnTypes: Record<string, string>;
  rowCount: number;
  stats: RunStats;
  /** The plan that ran, explained (without load statistics). */
  explain?: ExplainData;
}

/** A background run as the host knows it. */
export interface RunInfo {
  name: string;
  /** The probe's code, e.g. `tracepoint("sched:sched_switch").count().by("cpu")`. */
  code: string;
  declaration: AnyDeclaration;
  /** When it was attached (ms since the epoch). */
  startedAt: number;
  state: "running" | "finished" | "failed" | "stopped";
  /** Why it failed, for "failed". */
  error?: string;
  /** Whether snapshot() can read it while it runs. */
  snapshots: boolean;
}

export type ProbeRequest =
  | { op: "run"; declaration: AnyDeclaration }
  | { op: "start"; name: string; code: string; declaration: AnyDeclaration }
  | { op: "snapshot"; name: string }
  | { op: "stop"; name: string }
  | { op: "runs" }
  | { op: "explain"; declaration: AnyDeclaration; load: boolean };

/** A failed request's error as data (runtime/spec/errors.ts: code, details, verifierLog). */
export type ProbeErrorData = ErrorData;

export type ProbeReply =
  | { ok: true; result: ResultPayload }
  | { ok: true; run: RunInfo }
  | { ok: true; runs: RunInfo[] }
  | { ok: true; explain: ExplainData }
  | { ok: false; error: ProbeErrorData };
