// How the session runs a declaration. The real runner (runtime/runs/run.ts:
// planner, BPF templates, the native addon) is imported on first use so the
// kernel starts without loading any of it; tests pass a fake.

import type { LiveRun } from "../runs/live.js";
import type { AnyDeclaration } from "../spec/protocol.js";
import type { ProbeRunResult } from "../runs/run.js";

export type { RunProgress } from "../spec/protocol.js";
import type { RunProgress } from "../spec/protocol.js";

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

export interface ProbeRunner {
  /** Runs any declaration to its end (runtime/runs/run.ts). */
  run(declaration: AnyDeclaration, options: RunOptions): Promise<ProbeRunResult>;
  /** A background run readable while it runs (runtime/runs/live.ts); undefined for declarations it can't serve. */
  live?(declaration: AnyDeclaration, options: RunOptions): Promise<LiveRun> | undefined;
}

/** The runner backed by runtime/runs/ring.ts, loaded lazily. */
export const defaultProbeRunner: ProbeRunner = {
  async run(declaration, options) {
    const { runDeclaration } = await import("../runs/run.js");
    return runDeclaration(declaration, options);
  },
  live(declaration, options) {
    if (declaration.kind !== "events") return undefined;
    return import("../runs/live.js").then(({ startLiveEvents }) => startLiveEvents(declaration, options));
  },
};
