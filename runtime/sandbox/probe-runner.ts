// How the session runs a declaration. The real runner (runtime/run-events.ts:
// planner, BPF templates, the native addon) is imported on first use so the
// kernel starts without loading any of it; tests pass a fake.

import type { EventsDeclaration } from "../declaration.js";
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

/** What a finished events run returns (the shape of run-events.ts's EventsResult). */
export interface EventsRunResult {
  columns: Record<string, ArrayLike<unknown>>;
  columnTypes: Record<string, string>;
  rowCount: number;
  stats: { events: number; dropped: number; durationMs: number };
  plan?: unknown;
}

export interface ProbeRunner {
  runEvents(declaration: EventsDeclaration, options: RunOptions): Promise<EventsRunResult>;
  /** Any declaration (runtime/run.ts). Without it, only tracepoint events run (through runEvents). */
  run?(declaration: AnyDeclaration, options: RunOptions): Promise<ProbeRunResult>;
  /** A background run readable while it runs (runtime/live-events.ts); undefined for declarations it can't serve. */
  live?(declaration: AnyDeclaration, options: RunOptions): Promise<LiveRun> | undefined;
}

/** The runner backed by runtime/run-events.ts, loaded lazily. */
export const defaultProbeRunner: ProbeRunner = {
  async runEvents(declaration, options) {
    const { runEvents } = await import("../run-events.js");
    return (await runEvents(declaration, options)) as EventsRunResult;
  },
  async run(declaration, options) {
    const { runDeclaration } = await import("../run.js");
    return runDeclaration(declaration, options);
  },
  live(declaration, options) {
    if (declaration.kind !== "events") return undefined;
    return import("../live-events.js").then(({ startLiveEvents }) => startLiveEvents(declaration, options));
  },
};
