// How the session runs a declaration. The real runner (runtime/run-events.ts:
// planner, BPF templates, the native addon) is imported on first use so the
// kernel starts without loading any of it; tests pass a fake.

import type { EventsDeclaration } from "../declaration.js";

export interface RunProgress {
  elapsedMs: number;
  events: number;
  dropped: number;
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
}

/** The runner backed by runtime/run-events.ts, loaded lazily. */
export const defaultProbeRunner: ProbeRunner = {
  async runEvents(declaration, options) {
    const { runEvents } = await import("../run-events.js");
    return (await runEvents(declaration, options)) as EventsRunResult;
  },
};
