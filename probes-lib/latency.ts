// The time between a start and an end event, measured in the kernel: a
// syscall's entry and exit (syscall("read").latency()), a block request's
// issue and completion (block()), a task's wakeup and its turn on a CPU
// (runqueue()), a user function's entry and return (uprobe(binary, symbol).latency()).
// Shapes fold the latency in nanoseconds; .events({ over })
// gives one row per slow pair instead.

import type { Filter, LatencyDeclaration, LatencyPair, LatencyValue } from "../runtime/spec/declaration.js";
import { AggregationProbe, checkKeys, histogramValue, splitFor, type AggregationKey, type HistogramOptions } from "./aggregation.js";
import { parseNanoseconds } from "./duration.js";
import { Probe } from "./probe.js";
import { quote, quoteArgs } from "./quote.js";
import type { ProbeTable } from "./result-table.js";
import { durationOf, type Duration, type RunOptions } from "./run-options.js";
import { applyWhere, type Where } from "./where.js";

export interface LatencyState {
  code: string;
  pair: LatencyPair;
  filter: Filter;
  keys: string[];
}

/** Options of {@link LatencyProbe.events}. */
export interface LatencyEventsOptions extends RunOptions {
  /** Only pairs at least this slow: `"1ms"`, `"250us"`, or nanoseconds (default 0: every pair). */
  over?: string | number;
}

/** A latency being built. Made by `syscall(name).latency()`, `uprobe(binary, symbol).latency()`, `kprobe(name).latency()`, `fentry(name).latency()`, {@link block} and {@link runqueue}. */
export class LatencyProbe extends Probe {
  readonly #state: LatencyState;

  /** @internal */
  constructor(state: LatencyState) {
    super(state.code);
    this.#state = state;
  }

  #next(call: string, change: Partial<LatencyState>): LatencyProbe {
    return new LatencyProbe({ ...this.#state, ...change, code: `${this.code}.${call}` });
  }

  /**
   * Keeps only pairs whose start matches, filtered in the kernel (see
   * `tracepoint(...).where()`). For run-queue latency, `tid` is the task switched in.
   *
   * @example
   * ```ts
   * syscall("read").latency().where({ comm: "postgres" })
   * ```
   */
  where(filter: Where): LatencyProbe {
    return this.#next(`where(${quote(filter)})`, { filter: applyWhere(this.#state.filter, filter, `${this.code}.where(...)`) });
  }

  /**
   * Measures one pair in `n`, in the kernel.
   *
   * @example
   * ```ts
   * runqueue().sample(10).histogram({ for: "5s" })
   * ```
   */
  sample(n: number): LatencyProbe {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${this.code}.sample(${quote(n)}): keep one pair in n, with n a whole number from 1 up`);
    return this.#next(`sample(${n})`, { filter: { ...this.#state.filter, sample: n } });
  }

  /**
   * Groups the latency by keys (`pid`, `tid`, `comm`, `cpu`… ; `syscall`
   * for every-syscall latency; block: `dev`, `rwbs`…; run queue: `tid`, `comm`, `prio`, `cpu`;
   * a user function: the calling task's `pid`, `tid`, `comm`, `uid`, `gid`, `cpu`, `cgroup`).
   *
   * @example
   * ```ts
   * await syscall("read").latency().by("comm").histogram({ for: "10s" })
   * ```
   */
  by(...keys: AggregationKey[]): LatencyProbe {
    const at = `${this.code}.by(${quoteArgs(keys)})`;
    const all = [...this.#state.keys];
    for (const k of checkKeys(keys, at)) if (!all.includes(k)) all.push(k);
    return this.#next(`by(${quoteArgs(keys)})`, { keys: all });
  }

  /**
   * A histogram of the latency in nanoseconds: log2 buckets by default, or
   * `{ linear: { min, max, step } }` (in ns). With `{ for }` it runs at once.
   *
   * @example
   * ```ts
   * const lat = await syscall("read").latency().by("comm").histogram({ for: "10s" });
   * ```
   */
  histogram(options: HistogramOptions & { for: Duration }): Promise<ProbeTable>;
  histogram(options?: HistogramOptions): AggregationProbe;
  histogram(options?: HistogramOptions & { for?: Duration }): AggregationProbe | Promise<ProbeTable> {
    const { run, own } = splitFor(options);
    const call = `histogram(${own && Object.keys(own).length ? quote(own) : ""})`;
    return this.#shape(call, histogramValue(own, `${this.code}.${call}`) as LatencyValue, run);
  }

  /**
   * How many pairs completed, per key.
   *
   * @example
   * ```ts
   * await syscall("read").latency().count({ for: "1s" })
   * ```
   */
  count(options: RunOptions): Promise<ProbeTable>;
  count(): AggregationProbe;
  count(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("count()", { op: "count" }, options);
  }

  /**
   * Total latency (ns), per key.
   *
   * @example
   * ```ts
   * await syscall("fsync").latency().sum().by("comm").run({ for: "10s" })
   * ```
   */
  sum(options: RunOptions): Promise<ProbeTable>;
  sum(): AggregationProbe;
  sum(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("sum()", { op: "sum" }, options);
  }

  /**
   * Shortest latency (ns), per key.
   *
   * @example
   * ```ts
   * await syscall("read").latency().min({ for: "1s" })
   * ```
   */
  min(options: RunOptions): Promise<ProbeTable>;
  min(): AggregationProbe;
  min(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("min()", { op: "min" }, options);
  }

  /**
   * Longest latency (ns), per key.
   *
   * @example
   * ```ts
   * await runqueue().max().by("comm").run({ for: "5s" })
   * ```
   */
  max(options: RunOptions): Promise<ProbeTable>;
  max(): AggregationProbe;
  max(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("max()", { op: "max" }, options);
  }

  /**
   * Mean latency (ns), per key (columns `count`, `avg`).
   *
   * @example
   * ```ts
   * await block().avg({ for: "5s" })
   * ```
   */
  avg(options: RunOptions): Promise<ProbeTable>;
  avg(): AggregationProbe;
  avg(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("avg()", { op: "avg" }, options);
  }

  /**
   * Count, sum, min, max and mean latency (ns), per key.
   *
   * @example
   * ```ts
   * await syscall("read").latency().stats().by("comm").run({ for: "5s" })
   * ```
   */
  stats(options: RunOptions): Promise<ProbeTable>;
  stats(): AggregationProbe;
  stats(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("stats()", { op: "stats" }, options);
  }

  /**
   * One row per pair at least `over` slow (default: every pair): `time_ns`
   * (the end), `latency_ns` and the keys chosen with `.by()`.
   *
   * @example
   * ```ts
   * await syscall("fsync").latency().by("pid", "comm").events({ over: "10ms", for: "30s" })
   * ```
   */
  async events(options: LatencyEventsOptions): Promise<ProbeTable> {
    const at = `${this.code}.events(...)`;
    const thresholdNs = parseNanoseconds(options?.over ?? 0, `${at}: over`);
    const declaration: LatencyDeclaration = { ...this.#declareValue({ op: "count" }, durationOf(options, at, true)), thresholdNs };
    return new PairEvents(`${this.code}.events(${quote({ over: options.over })})`, declaration).runFor(options, at);
  }

  /** Without a shape: a log2 histogram (what explain() and start() use). */
  protected override declare(durationMs: number): LatencyDeclaration {
    return this.#declareValue({ op: "hist_log2" }, durationMs);
  }

  #declareValue(value: LatencyValue, durationMs: number): LatencyDeclaration {
    return { kind: "latency", pair: { ...this.#state.pair }, value, filter: { ...this.#state.filter }, keys: [...this.#state.keys], durationMs };
  }

  #shape(call: string, value: LatencyValue, options: RunOptions | undefined): AggregationProbe | Promise<ProbeTable> {
    const aggregation = new AggregationProbe({
      code: `${this.code}.${call}`,
      base: { kind: "latency", pair: { ...this.#state.pair }, value },
      filter: { ...this.#state.filter },
      keys: [...this.#state.keys],
    });
    return options === undefined ? aggregation : aggregation.run(options);
  }
}

/** Slow-pair events of a latency: a fixed declaration with its duration replaced. */
class PairEvents extends Probe {
  readonly #declaration: LatencyDeclaration;
  constructor(code: string, declaration: LatencyDeclaration) {
    super(code);
    this.#declaration = declaration;
  }
  protected override declare(durationMs: number): LatencyDeclaration {
    return { ...this.#declaration, durationMs };
  }
  override runFor(options: { for?: Duration } | undefined, at: string): Promise<ProbeTable> {
    return super.runFor(options, at);
  }
}

/**
 * Block I/O latency: from a request's issue to the device to its completion
 * (block:block_rq_issue → block:block_rq_complete, matched by device and sector).
 *
 * @example
 * ```ts
 * await block().by("dev").histogram({ for: "10s" })
 * await block().events({ over: "10ms", for: "30s" })
 * ```
 */
export function block(): LatencyProbe {
  return new LatencyProbe({ code: "block()", pair: { type: "block" }, filter: {}, keys: [] });
}

/**
 * Run-queue latency: how long runnable tasks waited for a CPU, from
 * sched_wakeup (or a preempted task going back in the queue) to sched_switch.
 *
 * @example
 * ```ts
 * await runqueue().by("comm").histogram({ for: "5s" })
 * ```
 */
export function runqueue(): LatencyProbe {
  return new LatencyProbe({ code: "runqueue()", pair: { type: "runqueue" }, filter: {}, keys: [] });
}
