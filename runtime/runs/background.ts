// Background runs: probes a cell started with .start() that keep running while
// other cells execute. The session owns them (one registry per kernel), so:
// - an interrupt of another cell does not stop them (they listen to their own
//   AbortController, not to the interrupt epoch);
// - starting a run under the name of one still registered stops the old one
//   first, so re-running a cell replaces its run rather than adding another;
// - stop() detaches and hands over the final result; a run that ended by
//   itself (its duration ran out) keeps its result until stop() collects it,
//   and meanwhile it counts in the kernel's memory budget (host/memory-budget.ts);
// - kernel shutdown stops every run (stopAll), and the kernel process dying
//   releases its fds, which detaches everything (nothing is pinned).

import type { AnyDeclaration, RunInfo } from "../spec/protocol.js";
import type { ProbeRunResult, Run, RunDeclarationOptions } from "./run.js";
import { columnsBytes, memoryBudget, type Hold } from "../host/memory-budget.js";

/** How the registry runs declarations: the session's probe runner (runtime/sandbox/probe-runner.ts). */
export interface BackgroundRunner {
  /** Runs to the end (or until aborted): what a runner without start() offers (test stand-ins). */
  run(declaration: AnyDeclaration, options: RunDeclarationOptions): Promise<ProbeRunResult>;
  /** Starts a run; resolves once attached with the Run (runtime/runs/run.ts: done, snapshot, stop). */
  start?(declaration: AnyDeclaration, options: RunDeclarationOptions): Promise<Run>;
}

/** Runs kept at most at once (default): each holds kernel memory and an attachment. */
export const MAX_BACKGROUND_RUNS = 16;
export const MAX_BACKGROUND_RUNS_ENV = "PROBEBOOK_MAX_BACKGROUND_RUNS";

/** The cap on registered background runs: $PROBEBOOK_MAX_BACKGROUND_RUNS or MAX_BACKGROUND_RUNS. */
export function maxBackgroundRuns(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_BACKGROUND_RUNS_ENV];
  if (raw === undefined || raw === "") return MAX_BACKGROUND_RUNS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${MAX_BACKGROUND_RUNS_ENV}=${JSON.stringify(raw)} is not a positive whole number of runs (default ${MAX_BACKGROUND_RUNS})`);
  return n;
}

interface Entry {
  info: RunInfo;
  controller: AbortController;
  /** The run, when the runner starts runs (one that only runs them can't be read while it runs). */
  run?: Run;
  done: Promise<ProbeRunResult>;
  result?: ProbeRunResult;
  /** A result that waits for stop() counts in the kernel's memory budget until then. */
  resultMemory?: Hold;
  error?: Error;
}

export class BackgroundRuns {
  readonly #runner: () => BackgroundRunner;
  readonly #entries = new Map<string, Entry>();
  readonly #log: (message: string) => void;

  constructor(runner: () => BackgroundRunner, log: (message: string) => void = () => {}) {
    this.#runner = runner;
    this.#log = log;
  }

  /**
   * Starts `declaration` as run `name`, replacing a run of that name. Resolves
   * once the probe is attached (so a plan or attach error is the caller's).
   */
  async start(name: string, code: string, declaration: AnyDeclaration): Promise<RunInfo> {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("a background run needs a name");
    if (this.#entries.has(name)) await this.stop(name).catch(() => undefined);
    const cap = maxBackgroundRuns();
    if (this.#entries.size >= cap) {
      throw new RangeError(`${this.#entries.size} background runs are registered, the cap of one kernel (${cap}): stop one first ` +
        `(runs() lists them: ${[...this.#entries.keys()].map((n) => JSON.stringify(n)).join(", ")}), or set ${MAX_BACKGROUND_RUNS_ENV} in the kernel's environment to raise the cap`);
    }
    const controller = new AbortController();
    const runner = this.#runner();
    const info: RunInfo = { name, code, declaration, startedAt: Date.now(), state: "running", snapshots: false };
    // An aborted background run still detaches before its last count: its final rows are exact.
    const options: RunDeclarationOptions = { signal: controller.signal, exactOnAbort: true };
    let entry: Entry;
    if (runner.start) {
      // Resolves once attached, so a plan or attach error is start()'s, and
      // what the caller does next is seen by the probe.
      const run = await runner.start(declaration, options);
      entry = { info, controller, run, done: run.done };
      info.snapshots = declaration.kind !== "profile";
    } else {
      let attached = () => {};
      const whenAttached = new Promise<void>((resolve) => (attached = resolve));
      entry = { info, controller, done: runner.run(declaration, { ...options, onAttached: () => attached() }) };
      await Promise.race([whenAttached, entry.done.then(() => undefined)]).catch((error: unknown) => {
        controller.abort();
        throw error;
      });
    }
    info.startedAt = Date.now();
    this.#entries.set(name, entry);
    entry.done.then(
      (result) => {
        entry.result = result;
        if (this.#entries.get(name) === entry) entry.resultMemory = memoryBudget.hold("result", columnsBytes(result.columns));
        if (entry.info.state === "running") entry.info.state = "finished";
      },
      (error: unknown) => {
        entry.error = error instanceof Error ? error : new Error(String(error));
        entry.info.state = "failed";
        entry.info.error = entry.error.message;
        this.#log(`background run ${JSON.stringify(name)} failed: ${entry.error.message}`);
      },
    );
    return { ...info };
  }

  /** The result so far (or the final one, when the run already ended). */
  async snapshot(name: string): Promise<ProbeRunResult> {
    const entry = this.#get(name, "snapshot");
    if (entry.error) throw entry.error;
    if (entry.result) return entry.result;
    if (entry.run && entry.info.snapshots) return entry.run.snapshot();
    throw new Error(`background run ${JSON.stringify(name)}: this kind of run (${entry.info.declaration.kind}) can't be read while it runs yet; run.stop() returns its result`);
  }

  /** Detaches the run (if it still runs), forgets it and returns its final result. */
  async stop(name: string): Promise<ProbeRunResult> {
    const entry = this.#get(name, "stop");
    if (entry.info.state === "running") entry.info.state = "stopped";
    entry.controller.abort(new Error("stopped"));
    try {
      return await entry.done;
    } finally {
      if (this.#entries.get(name) === entry) this.#entries.delete(name);
      entry.resultMemory?.release();
    }
  }

  /** Every registered run, running or ended but not yet collected. */
  list(): RunInfo[] {
    return [...this.#entries.values()].map((e) => ({ ...e.info }));
  }

  /** Stops every run (kernel shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((name) => this.stop(name).catch(() => undefined)));
  }

  #get(name: string, verb: string): Entry {
    const entry = this.#entries.get(name);
    if (!entry) {
      const names = [...this.#entries.keys()];
      throw new Error(`can't ${verb} background run ${JSON.stringify(name)}: there is no such run${names.length ? ` (running: ${names.map((n) => JSON.stringify(n)).join(", ")})` : " (none is running)"}; it may have been stopped already`);
    }
    return entry;
  }
}
