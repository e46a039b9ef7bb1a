// What every probe builder shares: it prints as the code that made it, turns
// into a plain declaration, runs in the foreground for a duration or starts in
// the background. Builders are immutable: every step returns a new builder, so
// a half-built probe can be kept in a variable and finished in different ways.

import type { AnyDeclaration } from "../runtime/spec/protocol.js";
import { BackgroundRun } from "./background-run.js";
import { probeHost } from "./host.js";
import { resultTable, type ProbeTable } from "./result-table.js";
import { durationOf, type Duration, type StartOptions } from "./run-options.js";

/** Every probe builder made in this realm, so explain() can tell one from other values (no member shows in completion). */
const probes = new WeakSet<object>();

/** Reshapes a result table in the sandbox after the run (e.g. `.top(n)`). */
export type PostProcess = (table: ProbeTable) => ProbeTable;

/** A probe builder: anything that can become a declaration and run. */
export abstract class Probe {
  /** The builder as the code that makes it. */
  protected readonly code: string;

  protected constructor(code: string) {
    this.code = code;
    probes.add(this);
  }

  /** The declaration for a run of `durationMs` (checked, never partial). */
  protected abstract declare(durationMs: number, at: string): AnyDeclaration;

  /** Reshaping after the run; none by default. */
  protected postProcess(): PostProcess | undefined {
    return undefined;
  }

  /**
   * The builder as the code that makes it, e.g.
   * `tracepoint("sched:sched_switch").where({"pid":42}).limit(10)`.
   *
   * @example
   * ```ts
   * String(syscall("read").count().by("pid")) // 'syscall("read").count().by("pid")'
   * ```
   */
  toString(): string {
    return this.code;
  }

  /** How the notebook prints a builder: as the code that makes it. */
  [Symbol.for("probebook.inspect")](): string {
    return this.code;
  }

  /**
   * The plain declaration this probe stands for: what running it sends to the
   * runtime. Useful to look at, save, or test without a kernel. Without `for`,
   * the duration is the longest a run may last (24 h: "until stopped").
   *
   * @example
   * ```ts
   * tracepoint("sched:sched_switch").limit(10).toDeclaration({ for: "1s" })
   * // { kind: "events", source: { type: "tracepoint", name: "sched:sched_switch" },
   * //   fields: [], filter: {}, durationMs: 1000, limit: 10 }
   * ```
   */
  toDeclaration(options?: { for?: Duration }): AnyDeclaration {
    const at = `${this.code}.toDeclaration(...)`;
    return this.declare(durationOf(options, at, false), at);
  }

  /**
   * Starts the probe in the background and returns at once: keep working in
   * other cells, then `await run.snapshot()` for the rows so far and
   * `await run.stop()` to detach it and get the final table. Without `for`
   * it runs until stopped. Runs survive interrupts of other cells; they stop
   * when the kernel shuts down, and starting a run with the same name (by
   * default: the same probe code, as when a cell is run again) replaces it.
   *
   * @example
   * ```ts
   * const run = tracepoint("sched:sched_switch").count().by("cpu").every("1s").start();
   * // … other cells …
   * const series = await run.stop();
   * ```
   */
  start(options: StartOptions = {}): BackgroundRun {
    const at = `${this.code}.start(...)`;
    const declaration = this.declare(durationOf(options, at, false), at);
    const name = options.name ?? this.code;
    if (typeof name !== "string" || name.length === 0) throw new TypeError(`${at}: name must be a non-empty string`);
    return new BackgroundRun(name, this.code, declaration, probeHost().start(name, this.code, declaration), this.postProcess());
  }

  /** Runs for `options.for` and builds the table (the shape methods' `{ for }` form). */
  protected async runFor(options: { for?: Duration; bpfStats?: boolean } | undefined, at: string): Promise<ProbeTable> {
    const declaration = this.declare(durationOf(options, at, true), at);
    const bpfStats = options?.bpfStats;
    if (bpfStats !== undefined && typeof bpfStats !== "boolean") throw new TypeError(`${at}: bpfStats must be true or false`);
    const payload = await probeHost().run(declaration, bpfStats ? { bpfStats } : undefined);
    const table = resultTable(payload, declaration);
    const post = this.postProcess();
    return post ? post(table) : table;
  }
}

/**
 * Whether `value` is a probe builder (what explain() and the run helpers take).
 */
export function isProbe(value: unknown): value is Probe {
  return value !== null && typeof value === "object" && probes.has(value);
}
