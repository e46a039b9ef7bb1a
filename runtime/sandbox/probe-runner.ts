// How the session runs a declaration. The real runner (runtime/runs/run.ts:
// planner, BPF templates, the native addon) is imported on first use so the
// kernel starts without loading any of it; tests pass a fake.

import type { Run } from "../runs/run.js";
import type { AnyDeclaration } from "../spec/protocol.js";
import type { ProbeRunResult } from "../runs/run.js";

export type { RunProgress } from "../spec/protocol.js";
import type { RunProgress } from "../spec/protocol.js";

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Hold the kernel's BPF run statistics on for the run and report each program's runs and time. */
  bpfStats?: boolean;
}

export interface ProbeRunner {
  /** Runs any declaration to its end (runtime/runs/run.ts). */
  run(declaration: AnyDeclaration, options: RunOptions): Promise<ProbeRunResult>;
  /** Starts a run (background runs): resolves once attached with the Run (done, snapshot, stop). */
  start?(declaration: AnyDeclaration, options: RunOptions & { exactOnAbort?: boolean }): Promise<Run>;
}

/** The runner backed by runtime/runs/run.ts, loaded lazily. */
export const defaultProbeRunner: ProbeRunner = {
  async run(declaration, options) {
    const { runDeclaration } = await import("../runs/run.js");
    return runDeclaration(declaration, options);
  },
  async start(declaration, options) {
    const { startDeclaration } = await import("../runs/run.js");
    return startDeclaration(declaration, options);
  },
};
