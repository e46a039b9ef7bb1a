// What the sandbox asks the host about workloads, and what it gets back, as
// plain data (JSON across the isolate bridge): start one from the catalog
// (held until "go"), let it go, wait for its end, stop it.

import type { ErrorData } from "./errors.js";
import type { WorkloadName } from "./workload-catalog.js";

/** A workload as the host started it: held (ready, not yet working) until "go". */
export interface WorkloadInfo {
  /** The kernel's id of this workload (for go/wait/stop). */
  id: number;
  name: WorkloadName;
  /** Every parameter, defaults filled in. */
  params: Record<string, number>;
  /** The process: filter probes on it (`where({ pid: w.pid })`). */
  pid: number;
  /** Its threads when it became ready (the main thread's tid is the pid). */
  tids: number[];
  /** Its comm (what probes show in `comm`). */
  comm: string;
  /** The program's path (for uprobe() and usdt() on it). */
  binary: string;
  /** What the catalog says the handle holds (paths, addresses, function names). */
  info: Record<string, string | number>;
}

/** How a workload ended. */
export interface WorkloadEnd {
  /** The exit status, or null when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended it (e.g. "SIGKILL" after an interrupt), or null. */
  signal: string | null;
  /** Why it ended: by itself, stopped (stop(), interrupt, re-run, shutdown) or over its time cap. */
  endedBy: "exit" | "stopped" | "time-cap";
  /** The program's own counts of what it did (empty when killed before it reported them). */
  counts: Record<string, number>;
  /** From "go" to the end, in ms (0 when it never went). */
  durationMs: number;
}

export type WorkloadRequest =
  | { op: "start"; name: string; params?: unknown }
  | { op: "go"; id: number }
  | { op: "wait"; id: number }
  | { op: "stop"; id: number };

export type WorkloadReply =
  | { ok: true; workload: WorkloadInfo }
  | { ok: true; end: WorkloadEnd }
  | { ok: true }
  | { ok: false; error: ErrorData };
