// The cell's handle on a background run: snapshot it, stop it, ask how it is.
// The run itself lives in the kernel (runtime/runs/background.ts); a handle is
// only its name, so runs() can hand out handles again after a sandbox restart.

import type { AnyDeclaration, RunInfo } from "../runtime/spec/protocol.js";
import { probeHost } from "./host.js";
import type { PostProcess } from "./probe.js";
import { resultTable, type ProbeTable } from "./result-table.js";

/** A probe running in the background. Made by `.start()` on any probe, or by {@link runs}. */
export class BackgroundRun {
  /** The run's name (by default the probe's code). */
  readonly name: string;
  /** The probe's code. */
  readonly code: string;
  /** The declaration that runs. */
  readonly declaration: AnyDeclaration;
  /** Resolves once the probe is attached; rejects if it could not start. */
  readonly started: Promise<RunInfo>;
  readonly #post: PostProcess | undefined;
  #state = "starting";

  /** @internal made by `.start()` */
  constructor(name: string, code: string, declaration: AnyDeclaration, started: Promise<RunInfo>, post?: PostProcess) {
    this.name = name;
    this.code = code;
    this.declaration = declaration;
    this.#post = post;
    this.started = started.then(
      (info) => {
        this.#state = "running";
        return info;
      },
      (error: unknown) => {
        this.#state = `failed to start: ${(error as Error)?.message ?? String(error)}`;
        throw error;
      },
    );
    // The failure is reported by the kernel in the cell's output and thrown by snapshot()/stop().
    this.started.catch(() => undefined);
  }

  /**
   * The table so far, without stopping the run (for aggregations: the values
   * so far; for a time series: the intervals completed so far).
   *
   * @example
   * ```ts
   * const run = tracepoint("sched:sched_switch").events().start();
   * (await run.snapshot()).numRows()
   * await run.stop();
   * ```
   */
  async snapshot(): Promise<ProbeTable> {
    await this.started;
    const payload = await probeHost().snapshot(this.name);
    return this.#table(resultTable(payload, this.declaration, { partial: payload.stats.stoppedBy === undefined }));
  }

  /**
   * Detaches the probe and returns the final table. The run is then gone from
   * the kernel (a second stop() is an error).
   *
   * @example
   * ```ts
   * const run = syscall("openat").count().by("comm").start();
   * await sleep(500);
   * const counts = await run.stop();
   * counts.orderby(aq.desc("count"))
   * ```
   */
  async stop(): Promise<ProbeTable> {
    await this.started;
    const payload = await probeHost().stop(this.name);
    this.#state = "stopped";
    return this.#table(resultTable(payload, this.declaration));
  }

  /**
   * How the kernel sees the run now: running, finished (its duration ran
   * out), failed, or gone.
   *
   * @example
   * ```ts
   * const run = tracepoint("sched:sched_switch").count().start();
   * (await run.status()).state // "running"
   * await run.stop();
   * ```
   */
  async status(): Promise<RunInfo | undefined> {
    await this.started.catch(() => undefined);
    return (await probeHost().runs()).find((r) => r.name === this.name);
  }

  /**
   * A short description.
   *
   * @example
   * ```ts
   * const run = tracepoint("sched:sched_switch").count().start({ name: "switches" });
   * await run.started;
   * String(run) // 'background run "switches" (running): tracepoint("sched:sched_switch").count()'
   * await run.stop();
   * ```
   */
  toString(): string {
    return `background run ${JSON.stringify(this.name)} (${this.#state})${this.name === this.code ? "" : `: ${this.code}`}`;
  }

  /** How the notebook prints a run. */
  [Symbol.for("probebook.inspect")](): string {
    return this.toString();
  }

  #table(table: ProbeTable): ProbeTable {
    return this.#post ? this.#post(table) : table;
  }
}

/**
 * The background runs the kernel holds (running, or finished and not yet
 * stopped), as handles: useful when the variable holding one is gone.
 *
 * @example
 * ```ts
 * for (const run of await runs()) await run.stop();
 * ```
 */
export async function runs(): Promise<BackgroundRun[]> {
  const infos = await probeHost().runs();
  return infos.map((info) => new BackgroundRun(info.name, info.code, info.declaration, Promise.resolve(info)));
}
