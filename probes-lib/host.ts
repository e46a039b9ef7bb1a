// The one door from probes-lib to whatever runs probes. Inside the notebook
// sandbox the prelude installs a host that forwards declarations over the
// isolate bridge; tests install a fake. Builders never know which.

import type { EventsDeclaration } from "../runtime/declaration.js";

/** What a finished events run sends back: columns plus the run's counters. */
export interface EventsPayload {
  /** Column name -> values (typed arrays for numbers, arrays for strings). */
  columns: Record<string, ArrayLike<unknown>>;
  /** Column name -> the type the planner gave it, e.g. "u32", "string". */
  columnTypes: Record<string, string>;
  rowCount: number;
  stats: RunStats;
}

/** Counters of one run, shown beside its table. */
export interface RunStats {
  /** Events the probe saw (including dropped ones). */
  events: number;
  /** Events lost because the ring buffer was full: the table is missing them. */
  dropped: number;
  /** How long the probe was attached, in milliseconds. */
  durationMs: number;
  /** Why collection ended, when the runner says: the duration ran out, the row limit was reached, or it was aborted. */
  stoppedBy?: "duration" | "limit" | "abort";
}

/** Runs declarations for probes-lib. */
export interface ProbeHost {
  runEvents(declaration: EventsDeclaration): Promise<EventsPayload>;
}

let installed: ProbeHost | undefined;

/**
 * Installs the host that probe builders send their declarations to (or removes
 * it with `undefined`). The notebook sandbox does this once at start-up.
 *
 * @example
 * ```ts
 * setProbeHost({ runEvents: async (decl) => ({ columns: { pid: [1] }, columnTypes: { pid: "u32" }, rowCount: 1, stats: { events: 1, dropped: 0, durationMs: 5 } }) });
 * ```
 */
export function setProbeHost(host: ProbeHost | undefined): void {
  installed = host;
}

/**
 * The installed probe host.
 *
 * @throws Error when none is installed, i.e. when probes-lib is used outside a
 * probebook kernel.
 *
 * @example
 * ```ts
 * const payload = await probeHost().runEvents(declaration);
 * ```
 */
export function probeHost(): ProbeHost {
  if (!installed) {
    throw new Error("probes can only run inside a probebook kernel: no probe host is installed (outside the notebook, build declarations with .toDeclaration() instead)");
  }
  return installed;
}
