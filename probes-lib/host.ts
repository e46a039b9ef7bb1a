// The one door from probes-lib to whatever runs probes. Inside the notebook
// sandbox the prelude installs a host that forwards requests over the isolate
// bridge; tests install a fake. Builders never know which.

import type { ExplainData } from "../runtime/spec/explain-data.js";
import type { AnyDeclaration, FeatureInfo, ResultPayload, RunInfo, RunStats } from "../runtime/spec/protocol.js";

export type { AnyDeclaration, FeatureInfo, ResultPayload, RunInfo, RunStats, ExplainData };
/** What a finished events run sends back (the same shape as every result). */
export type EventsPayload = ResultPayload;

/** Runs declarations for probes-lib. */
export interface ProbeHost {
  /** Runs to the end of the declaration's duration (or its row limit); `bpfStats`: report each program's runs and run time. */
  run(declaration: AnyDeclaration, options?: { bpfStats?: boolean }): Promise<ResultPayload>;
  /** Starts a background run; resolves once it is attached. */
  start(name: string, code: string, declaration: AnyDeclaration): Promise<RunInfo>;
  /** The rows of a background run so far. */
  snapshot(name: string): Promise<ResultPayload>;
  /** Stops a background run and returns its final rows. */
  stop(name: string): Promise<ResultPayload>;
  /** The background runs the kernel holds. */
  runs(): Promise<RunInfo[]>;
  /** The plan of a declaration, explained; with `load`, loaded through the verifier (not attached). */
  explain(declaration: AnyDeclaration, options: { load: boolean; misconfigure?: string }): Promise<ExplainData>;
  /** What the running kernel can do, one feature probe each. */
  features(): Promise<FeatureInfo[]>;
}

let installed: ProbeHost | undefined;

/**
 * Installs the host that probe builders send their declarations to (or removes
 * it with `undefined`). The notebook sandbox does this once at start-up.
 */
export function setProbeHost(host: ProbeHost | undefined): void {
  installed = host;
}

/**
 * The installed probe host.
 *
 * @throws Error when none is installed, i.e. when probes-lib is used outside a
 * probebook kernel.
 */
export function probeHost(): ProbeHost {
  if (!installed) {
    throw new Error("probes can only run inside a probebook kernel: no probe host is installed (outside the notebook, build declarations with .toDeclaration() instead)");
  }
  return installed;
}
