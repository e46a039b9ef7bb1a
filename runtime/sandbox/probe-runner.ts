// How the session runs a declaration. The real runner (runtime/run.ts:
// planner, BPF templates, the native addon) is imported on first use so the
// kernel starts without loading any of it; tests pass a fake.

import type { LiveRun } from "../live-events.js";
import type { AnyDeclaration } from "../probe-protocol.js";
import type { ProbeRunResult } from "../run.js";

export interface RunProgress {
  elapsedMs: number;
  events: number;
  /** Events lost to a full ring buffer. */
  dropped: number;
  /** Aggregation updates lost to a full map. */
  lost?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

export interface ProbeRunner {
  /** Runs any declaration to its end (runtime/run.ts). */
  run(declaration: AnyDeclaration, options: RunOptions): Promise<ProbeRunResult>;
  /** A background run readable while it runs (runtime/live-events.ts); undefined for declarations it can't serve. */
  live?(declaration: AnyDeclaration, options: RunOptions): Promise<LiveRun> | undefined;
}

/** The runner backed by runtime/run-events.ts, loaded lazily. */
export const defaultProbeRunner: ProbeRunner = {
  async run(declaration, options) {
    const { runDeclaration } = await import("../run.js");
    return runDeclaration(declaration, options);
  },
  live(declaration, options) {
    if (declaration.kind !== "events") return undefined;
    return import("../live-events.js").then(({ startLiveEvents }) => startLiveEvents(declaration, options));
  },
};
