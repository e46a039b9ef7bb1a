// An in-kernel aggregation being built: made by a shape method (.count(),
// .sum(f), .histogram(...)) of a tracepoint, syscall or latency probe. Keys,
// a time series interval, a key budget and top-N are set here; it runs with
// .run({ for }) or in the background with .start().

import { desc, op } from "arquero";
import type { AggregateDeclaration, AggregateValue, Filter, LatencyPair, LatencyValue, ProbeValue } from "../runtime/spec/declaration.js";
import type { AnyDeclaration } from "../runtime/spec/protocol.js";
import { parseDuration } from "./duration.js";
import { Probe, type PostProcess } from "./probe.js";
import { quote, quoteArgs } from "./quote.js";
import { withMeta, type ProbeTable } from "./result-table.js";
import type { Duration, RunOptions } from "./run-options.js";

/** Keys every aggregation offers; sources add their own fields (and `syscall` for every-syscall latency). */
export type AggregationKey = "pid" | "tid" | "comm" | "cpu" | "uid" | "gid" | "cgroup" | "kstack" | "ustack" | (string & {});

/** What an aggregation folds: a source's hits (a tracepoint, a function probe with its declared values, TCP), or a latency pair. */
export type AggregationBase =
  | { kind: "aggregate"; source: AggregateDeclaration["source"]; values?: ProbeValue[]; value: AggregateValue }
  | { kind: "latency"; pair: LatencyPair; value: LatencyValue };

export interface AggregationState {
  code: string;
  base: AggregationBase;
  filter: Filter;
  keys: string[];
  everyMs?: number;
  maxKeys?: number;
  top?: number;
}

const KEY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks key names; `at` is the call, for messages. */
export function checkKeys(keys: readonly unknown[], at: string): string[] {
  if (keys.length === 0) throw new TypeError(`${at}: name at least one key, e.g. .by("pid") or .by("comm", "cpu")`);
  for (const k of keys) {
    if (typeof k !== "string" || !KEY_NAME.test(k)) {
      throw new TypeError(`${at}: ${quote(k)} is not a key; keys are names such as "pid", "tid", "comm", "cpu", "uid", "cgroup" or a field of the source`);
    }
  }
  return keys as string[];
}

/** An in-kernel aggregation. Made by `.count()`, `.sum(field)`, `.histogram(...)` and the like. */
export class AggregationProbe extends Probe {
  readonly #state: AggregationState;

  /** @internal made by shape methods */
  constructor(state: AggregationState) {
    super(state.code);
    this.#state = state;
  }

  #next(call: string, change: Partial<AggregationState>): AggregationProbe {
    return new AggregationProbe({ ...this.#state, ...change, code: `${this.code}.${call}` });
  }

  /**
   * Groups the aggregation by keys: one row per distinct combination. Keys are
   * `pid`, `tid`, `comm`, `cpu`, `uid`, `gid`, `cgroup`, or integer fields of
   * the tracepoint (fixed arrays up to 16 bytes too). Calling it again adds keys.
   *
   * Tracepoint aggregations also take `kstack` and `ustack`: the kernel or user
   * stack of each event, recorded in the kernel as a stack id and shown as
   * folded text (`"outermost;...;innermost"`, as flame graphs use). A `ustack`
   * key also keys by `pid`, whose memory maps name the user frames (read at the
   * end of the run: a process that exited by then shows `[unknown [exited]]`).
   *
   * @example
   * ```ts
   * await syscall("read").count().by("comm", "pid").run({ for: "5s" })
   * await tracepoint("syscalls:sys_enter_getppid").count().by("ustack").run({ for: "1s" })
   * ```
   */
  by(...keys: AggregationKey[]): AggregationProbe {
    const at = `${this.code}.by(${quoteArgs(keys)})`;
    const all = [...this.#state.keys];
    for (const k of checkKeys(keys, at)) if (!all.includes(k)) all.push(k);
    return this.#next(`by(${quoteArgs(keys)})`, { keys: all });
  }

  /**
   * Makes a time series: the aggregation is read and reset every `interval`,
   * exactly (updates made while it is read go to the next interval). The
   * table gets `interval` (0, 1, …) and `time` columns.
   *
   * @param interval - `"1s"`, `"500ms"`…, at least 10 ms.
   * @example
   * ```ts
   * await tracepoint("sched:sched_switch").count().by("cpu").every("1s").run({ for: "10s" })
   * ```
   */
  every(interval: Duration): AggregationProbe {
    const at = `${this.code}.every(${quote(interval)})`;
    const ms = parseDuration(interval, `${at}: the interval`);
    if (ms < 10) throw new RangeError(`${at}: the interval must be at least "10ms"`);
    return this.#next(`every(${quote(interval)})`, { everyMs: ms });
  }

  /**
   * Keeps the `n` keys with the largest values (histograms: the most events),
   * read from the whole map and sorted in the notebook.
   *
   * @example
   * ```ts
   * await syscall("openat").count().by("comm").top(5).run({ for: "5s" })
   * ```
   */
  top(n: number): AggregationProbe {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${this.code}.top(${quote(n)}): n must be a positive whole number`);
    return this.#next(`top(${n})`, { top: n });
  }

  /**
   * How many distinct keys the kernel keeps (default 10240; histograms 1024).
   * Updates for keys beyond it are counted in `meta.lost`, not silently lost.
   *
   * @example
   * ```ts
   * tracepoint("syscalls:sys_enter_openat").count().by("pid").maxKeys(65536)
   * ```
   */
  maxKeys(n: number): AggregationProbe {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${this.code}.maxKeys(${quote(n)}): n must be a positive whole number`);
    return this.#next(`maxKeys(${n})`, { maxKeys: n });
  }

  /**
   * Attaches, aggregates in the kernel for `for`, detaches and resolves to a
   * table: the key columns, then the values (`count`; `sum`; `min`; `max`;
   * `count, avg`; `count, sum, min, max, avg`; histograms: `lower, upper, count`).
   * `t.meta.eventsPerCpu` holds the kernel's per-CPU hit counters before their
   * sum (`t.meta.events`); with `bpfStats: true`, `t.meta.programs` gives each
   * program's runs and nanoseconds in the kernel.
   *
   * @example
   * ```ts
   * const t = await syscall("getppid").count().by("pid").run({ for: "1s" });
   * const c = await syscall("getppid").where({ pid: 4242 }).count().run({ for: "1s", bpfStats: true });
   * c.meta.programs[0].name  // "pb_agg_tp"
   * c.meta.eventsPerCpu.reduce((a, b) => a + b) === c.meta.events  // true
   * ```
   */
  run(options: RunOptions): Promise<ProbeTable> {
    return this.runFor(options, `${this.code}.run(...)`);
  }

  protected override declare(durationMs: number): AnyDeclaration {
    const s = this.#state;
    const common = {
      filter: { ...s.filter },
      keys: [...s.keys],
      durationMs,
      ...(s.everyMs !== undefined ? { everyMs: s.everyMs } : {}),
      ...(s.maxKeys !== undefined ? { maxKeys: s.maxKeys } : {}),
    };
    if (s.base.kind === "aggregate")
      return {
        kind: "aggregate", source: { ...s.base.source }, ...(s.base.values ? { values: s.base.values.map((v) => ({ ...v })) } : {}),
        value: { ...s.base.value }, ...common,
      };
    return { kind: "latency", pair: { ...s.base.pair }, value: { ...s.base.value }, ...common };
  }

  protected override postProcess(): PostProcess | undefined {
    const { top, keys } = this.#state;
    if (top === undefined || keys.length === 0) return undefined;
    const value = rankingColumn(this.#state.base.value.op);
    return (table) => {
      if (!table.columnNames().includes(value)) return table;
      const totals = table
        .groupby(...keys)
        .rollup({ __rank: value === "count" || value === "sum" ? op.sum(value) : op.max(value) })
        .orderby(desc("__rank"))
        .slice(0, top)
        .select(...keys);
      return withMeta(table.semijoin(totals, keys as never), table.meta);
    };
  }
}

function rankingColumn(valueOp: string): string {
  if (valueOp === "hist_log2" || valueOp === "hist_linear" || valueOp === "count") return "count";
  if (valueOp === "stats") return "sum";
  return valueOp;
}

/** Options of `.histogram(...)`. */
export interface HistogramOptions {
  /**
   * Linear buckets `[min + i*step, min + (i+1)*step)` up to `max`, plus one
   * bucket below `min` and one from `max` on. Without it: log2 buckets.
   */
  linear?: { min: number; max: number; step: number };
  /** Log2 buckets: buckets per power of two (1, 2, 4 or 8; default 4). */
  subBuckets?: 1 | 2 | 4 | 8;
}

const HISTOGRAM_OPTIONS = ["linear", "subBuckets"];

/** The histogram value of `options`, checked; `of` is the field (tracepoints) or undefined (latencies). */
export function histogramValue(options: HistogramOptions | undefined, at: string, field?: string): AggregateValue | LatencyValue {
  const o = options ?? {};
  if (typeof o !== "object") throw new TypeError(`${at}: options must be an object such as { linear: { min: 0, max: 100, step: 10 } }`);
  for (const key of Object.keys(o)) {
    if (key === "every") throw new TypeError(`${at}: a histogram series is .histogram().every(${quote((o as { every?: unknown }).every)}).run({ for }), not an option`);
    if (!HISTOGRAM_OPTIONS.includes(key)) throw new TypeError(`${at}: unknown option ${quote(key)} (a histogram takes ${HISTOGRAM_OPTIONS.join(", ")} and for)`);
  }
  if (o.linear !== undefined) {
    if (o.subBuckets !== undefined) throw new TypeError(`${at}: subBuckets are for log2 histograms; a linear histogram has step instead`);
    const { min, max, step } = o.linear;
    for (const [k, v] of [["min", min], ["max", max], ["step", step]] as const) {
      if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new TypeError(`${at}: linear.${k} must be a whole number, not ${quote(v)}`);
    }
    if (step <= 0 || max <= min || (max - min) % step !== 0) {
      throw new RangeError(`${at}: linear needs min < max and a positive step that divides max - min (got min ${min}, max ${max}, step ${step})`);
    }
    return field === undefined ? { op: "hist_linear", min, max, step } : { op: "hist_linear", field, min, max, step };
  }
  if (o.subBuckets !== undefined && ![1, 2, 4, 8].includes(o.subBuckets)) {
    throw new RangeError(`${at}: subBuckets must be 1, 2, 4 or 8, not ${quote(o.subBuckets)}`);
  }
  const sub = o.subBuckets !== undefined ? { subBuckets: o.subBuckets } : {};
  return field === undefined ? { op: "hist_log2", ...sub } : { op: "hist_log2", field, ...sub };
}

/** `{ for, ...rest }` split: the run options and the shape's own options. */
export function splitFor<T extends object>(options: (T & { for?: Duration }) | undefined): { run: { for: Duration } | undefined; own: T | undefined } {
  if (!options || typeof options !== "object" || !("for" in options) || options.for === undefined) return { run: undefined, own: options as T | undefined };
  const { for: duration, ...own } = options;
  return { run: { for: duration }, own: own as T };
}
