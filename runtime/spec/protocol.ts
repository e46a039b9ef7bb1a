// What the sandbox asks the host about probes, and what it gets back, as plain
// data (it crosses the isolate bridge as JSON). One request type per verb:
// run a declaration, start/snapshot/stop/list background runs, explain, the
// kernel's features.

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
  /** Why collection ended: the duration ran out, the row limit was reached, it was stopped, the
   *  kernel's memory budget was used up ("memory"), or what it traced went away: the process exited
   *  ("target-exited"), the traced file is no longer mapped by it ("target-unmapped"), or the file
   *  was replaced on disk ("target-replaced"; the probe stays on the old file). */
  stoppedBy?: "duration" | "limit" | "abort" | "memory" | "target-exited" | "target-unmapped" | "target-replaced";
  /** Set when an event stream stopped at the row cap (runs/row-cap.ts) rather than a limit of its own. */
  rowCap?: number;
  /** stoppedBy "target-unmapped" or "target-replaced": the file concerned. */
  targetFile?: string;
  /** Aggregations: updates lost because the map was full (more keys than maxKeys). */
  lost?: number;
  /** Events the kernel did not run the probe for because another BPF program was already running
   *  on that CPU (classic tracepoints, kprobes): the result is missing them. */
  missed?: number;
  /** Aggregations: the kernel's per-CPU hit counter as each CPU kept it, before the sum that is `events`. */
  eventsPerCpu?: number[];
  /** Runs with `{ bpfStats: true }`: what the kernel accounted to each of the run's programs
   *  (kernel.bpf_stats_enabled, held on for the run). */
  programs?: ProgramRunStats[];
}

/** One BPF program of a run as the kernel's run statistics saw it. */
export interface ProgramRunStats {
  name: string;
  /** Times the program ran. */
  runs: number;
  /** Time spent in it, over all runs, in nanoseconds. */
  runTimeNs: number;
}

/** What the running kernel can do: one feature probe's answer (runtime/host/features.ts). */
export interface FeatureInfo {
  feature: string;
  /** What people call it, e.g. "kprobes (kernel function entry)". */
  title: string;
  available: boolean;
  /** The step that failed: "load" (the verifier or the kernel refused the program), "attach", "create" (a map), "denied" (PROBEBOOK_DENY_FEATURES). */
  failedAt?: string;
  /** errno name of the failure ("EPERM", "ENOENT", ...). */
  code?: string;
  /** Why it can be missing, when it is. */
  missingBecause?: string;
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
  | { op: "run"; declaration: AnyDeclaration; bpfStats?: boolean }
  | { op: "start"; name: string; code: string; declaration: AnyDeclaration }
  | { op: "snapshot"; name: string }
  | { op: "stop"; name: string }
  | { op: "runs" }
  | { op: "explain"; declaration: AnyDeclaration; load: boolean; misconfigure?: string }
  | { op: "features" };

/** A failed request's error as data (runtime/spec/errors.ts: code, details, verifierLog). */
export type ProbeErrorData = ErrorData;

export type ProbeReply =
  | { ok: true; result: ResultPayload }
  | { ok: true; run: RunInfo }
  | { ok: true; runs: RunInfo[] }
  | { ok: true; explain: ExplainData }
  | { ok: true; features: FeatureInfo[] }
  | { ok: false; error: ProbeErrorData };
