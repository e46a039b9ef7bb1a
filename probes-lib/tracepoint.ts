// tracepoint("category:event") starts a probe on a classic kernel tracepoint:
// one row per event with .events(), or an in-kernel aggregation with .count(),
// .sum(field), .histogram(field) and the like.

import type { AggregateValue, EventsDeclaration, Filter } from "../runtime/spec/declaration.js";
import { AggregationProbe, histogramValue, splitFor, type HistogramOptions } from "./aggregation.js";
import type { EventsTable } from "./events-table.js";
import { Probe } from "./probe.js";
import { quote, quoteArgs } from "./quote.js";
import type { ProbeTable } from "./result-table.js";
import type { Duration, RunOptions } from "./run-options.js";
import { applyWhere, type Where } from "./where.js";

/** Options of {@link TracepointProbe.events}. */
export type EventsOptions = RunOptions;

export interface TracepointState {
  code: string;
  name: string;
  filter: Filter;
  fields: string[];
  /** Common columns to keep (all eight when absent). */
  columns?: string[];
  limit?: number;
  ringBytes?: number;
}

/**
 * Starts a probe on a kernel tracepoint, named `"category:event"` as in
 * `/sys/kernel/tracing/events/<category>/<event>`.
 *
 * @param name - e.g. `"syscalls:sys_enter_openat"` or `"sched:sched_switch"`.
 * @returns a builder: narrow it with `.where()`, `.fields()`, `.limit()`, then
 * collect with `.events({ for: "5s" })`, or aggregate in the kernel with
 * `.count()`, `.sum(field)`, `.histogram(field)`…
 *
 * @example
 * ```ts
 * const opens = await tracepoint("syscalls:sys_enter_openat")
 *   .where({ pid: 1234 })
 *   .fields("filename", "flags")
 *   .events({ for: "5s" });
 * opens.groupby("filename").count()
 * ```
 */
export function tracepoint(name: string): TracepointProbe {
  if (typeof name !== "string" || !/^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/.test(name)) {
    throw new TypeError(`tracepoint(${quote(name)}): the name must be "category:event", e.g. tracepoint("syscalls:sys_enter_openat") or tracepoint("sched:sched_switch")`);
  }
  return new TracepointProbe({ code: `tracepoint(${quote(name)})`, name, filter: {}, fields: [] });
}

/** A tracepoint probe being built. Made by {@link tracepoint} (and {@link syscall}). */
export class TracepointProbe extends Probe {
  protected readonly state: TracepointState;

  /** @internal use {@link tracepoint} */
  constructor(state: TracepointState) {
    super(state.code);
    this.state = state;
  }

  /** A builder of the same class with `change` applied and `call` appended to the code. */
  protected derive(call: string, change: Partial<TracepointState>): this {
    const Class = this.constructor as new (state: TracepointState) => this;
    return new Class({ ...this.state, ...change, code: `${this.code}.${call}` });
  }

  /**
   * The tracepoint, `"category:event"`.
   *
   * @example
   * ```ts
   * syscall("openat").name  // "syscalls:sys_enter_openat"
   * ```
   */
  get name(): string {
    return this.state.name;
  }

  /**
   * Keeps only events that match, filtered in the kernel (cheap: nothing else
   * is copied out). Keys present are ANDed; calling `.where()` again adds to
   * or replaces earlier keys. Task keys: `pid`, `tid`, `comm`, `uid`,
   * `cgroup`; any other key is a condition on a field of the tracepoint: a
   * value it must equal, or `{ gt, ge, lt, le, ne, eq, mask }`.
   *
   * @example
   * ```ts
   * tracepoint("syscalls:sys_enter_read").where({ pid: 4242, count: { gt: 4096 } })
   * ```
   */
  where(filter: Where): this {
    const at = `${this.code}.where(...)`;
    return this.derive(`where(${quote(filter)})`, { filter: applyWhere(this.state.filter, filter, at) });
  }

  /**
   * Keeps one event in `n` (after the other filters), in the kernel: for
   * very frequent events, to see their shape at a fraction of the cost.
   *
   * @example
   * ```ts
   * tracepoint("sched:sched_switch").sample(100).count().by("cpu")
   * ```
   */
  sample(n: number): this {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${this.code}.sample(${quote(n)}): keep one event in n, with n a whole number from 1 up`);
    return this.derive(`sample(${n})`, { filter: { ...this.state.filter, sample: n } });
  }

  /**
   * Chooses which tracepoint fields become columns (besides the common ones
   * the runtime always adds). Without `.fields()`, every field of the
   * tracepoint's format is kept.
   *
   * @param names - field names from the tracepoint's format, e.g. `"filename"`.
   *
   * @example
   * ```ts
   * tracepoint("syscalls:sys_enter_openat").fields("filename", "flags")
   * ```
   */
  fields(...names: string[]): this {
    const at = `${this.code}.fields(...)`;
    for (const name of names) {
      if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new TypeError(`${at}: ${quote(name)} is not a field name; pass names as strings, e.g. .fields("filename", "flags")`);
      }
    }
    const fields = [...this.state.fields];
    for (const name of names) if (!fields.includes(name)) fields.push(name);
    return this.derive(`fields(${quoteArgs(names)})`, { fields });
  }

  /**
   * Keeps only these common columns (of time_ns, cpu, pid, tid, uid, gid,
   * cgroup, comm) instead of all eight. The kernel then fills only those: a
   * leaner record costs less per event, which matters at high event rates.
   *
   * `time` is the wall-clock time of `time_ns` as a Date (milliseconds, shown
   * in UTC): the two come together, so asking for either records time_ns and
   * the table has both (time_ns is the precise one, in ns since boot).
   *
   * Two more are opt-in, never kept by default: `kstack` and `ustack`, the
   * kernel and user stack of each event as folded text
   * (`"outermost;...;innermost"`). The kernel records a stack id per event;
   * the frames are named when the run ends. `ustack` also keeps `pid`, whose
   * memory maps name the user frames (a process that exited by then shows
   * `[unknown [exited]]`).
   *
   * @param names - common column names, e.g. `"time"`, `"time_ns"`, `"pid"`, `"kstack"`.
   *
   * @example
   * ```ts
   * tracepoint("syscalls:sys_enter_getppid").columns("time", "pid", "cpu").events({ for: "5s" })
   * // columns: time_ns, time, cpu, pid
   * tracepoint("syscalls:sys_enter_getppid").columns("time_ns", "pid", "kstack", "ustack").events({ for: "1s" })
   * ```
   */
  columns(...names: string[]): this {
    for (const name of names) {
      if (typeof name !== "string" || !/^[a-z_]+$/.test(name)) {
        throw new TypeError(`${this.code}.columns(...): ${quote(name)} is not a column name; pass names as strings, e.g. .columns("time", "pid")`);
      }
    }
    const columns = [...(this.state.columns ?? [])];
    // `time` is computed from time_ns when the run ends: the kernel records time_ns.
    for (const name of names.map((n) => (n === "time" ? "time_ns" : n))) if (!columns.includes(name)) columns.push(name);
    return this.derive(`columns(${quoteArgs(names)})`, { columns });
  }

  /**
   * Stops collecting events after this many rows, even before the duration is over.
   *
   * @param rows - a positive whole number.
   *
   * @example
   * ```ts
   * tracepoint("sched:sched_switch").limit(1000).events({ for: "10s" })
   * ```
   */
  limit(rows: number): this {
    if (!Number.isInteger(rows) || rows <= 0) {
      throw new RangeError(`${this.code}.limit(${quote(rows)}): the limit must be a positive whole number of rows`);
    }
    return this.derive(`limit(${rows})`, { limit: rows });
  }

  /**
   * Sizes the ring buffer the events travel through (bytes: a power of two
   * from 4096 to 64 MiB; default room for about 16 000 events). A ring too
   * small for the rate fills up: events that find it full are dropped in the
   * kernel, counted, and shown as `table.meta.dropped`.
   *
   * @param bytes - a power of two from 4096 (one page) to 67108864.
   *
   * @example
   * ```ts
   * const t = await syscall("getppid").where({ pid: 4242 }).ringBytes(4096).events({ for: "1s" });
   * t.meta.dropped >= 0  // true
   * ```
   */
  ringBytes(bytes: number): this {
    if (!Number.isInteger(bytes) || bytes < 4096 || bytes > 64 * 1024 * 1024 || (bytes & (bytes - 1)) !== 0) {
      throw new RangeError(`${this.code}.ringBytes(${quote(bytes)}): the size must be a power of two from 4096 (a page) to 67108864 (64 MiB) bytes`);
    }
    return this.derive(`ringBytes(${bytes})`, { ringBytes: bytes });
  }

  /**
   * Attaches the probe, collects one row per event for the given time, and
   * resolves to an arquero table. The table's `meta` holds the counters:
   * `events`, `dropped` (lost to a full ring buffer) and `durationMs`.
   * Interrupting the kernel stops the run and detaches the probe. Without
   * options it is the same probe, to run in the background: `.events().start()`.
   *
   * @example
   * ```ts
   * const t = await tracepoint("sched:sched_process_exec").events({ for: "5s" });
   * t.meta.dropped  // 0 when nothing was lost
   * const run = tracepoint("sched:sched_switch").events().start();
   * await run.stop()
   * ```
   */
  events(options: EventsOptions): Promise<EventsTable>;
  events(): this;
  events(options?: EventsOptions): this | Promise<EventsTable> {
    if (arguments.length === 0) return this; // a probe's declaration is its events: .events().start()
    return this.runFor(options, `${this.code}.events(...)`);
  }

  /**
   * Counts events in the kernel; add keys with `.by(...)`. With `{ for }` it
   * runs at once; without, it returns the aggregation to refine
   * (`.by()`, `.every()`, `.top()`) and run with `.run({ for })` or `.start()`.
   *
   * @example
   * ```ts
   * await tracepoint("syscalls:sys_enter_getppid").count().by("pid").run({ for: "1s" })
   * await tracepoint("sched:sched_switch").count({ for: "1s" })
   * ```
   */
  count(options: RunOptions): Promise<ProbeTable>;
  count(): AggregationProbe;
  count(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("count()", { op: "count" }, options);
  }

  /**
   * Sums an integer field in the kernel (e.g. bytes). See {@link TracepointProbe.count} for the two forms.
   *
   * @example
   * ```ts
   * await syscall("read").sum("count").by("comm").run({ for: "5s" })
   * ```
   */
  sum(field: string, options: RunOptions): Promise<ProbeTable>;
  sum(field: string): AggregationProbe;
  sum(field: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("sum", field, options);
  }

  /**
   * The smallest value of an integer field, per key.
   *
   * @example
   * ```ts
   * await syscall("read").min("count").by("comm").run({ for: "5s" })
   * ```
   */
  min(field: string, options: RunOptions): Promise<ProbeTable>;
  min(field: string): AggregationProbe;
  min(field: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("min", field, options);
  }

  /**
   * The largest value of an integer field, per key.
   *
   * @example
   * ```ts
   * await syscall("read").max("count").by("comm").run({ for: "5s" })
   * ```
   */
  max(field: string, options: RunOptions): Promise<ProbeTable>;
  max(field: string): AggregationProbe;
  max(field: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("max", field, options);
  }

  /**
   * The mean of an integer field, per key (columns `count`, `avg`).
   *
   * @example
   * ```ts
   * await syscall("write").avg("count").by("comm").run({ for: "5s" })
   * ```
   */
  avg(field: string, options: RunOptions): Promise<ProbeTable>;
  avg(field: string): AggregationProbe;
  avg(field: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("avg", field, options);
  }

  /**
   * Count, sum, min, max and mean of an integer field, per key, in one pass.
   *
   * @example
   * ```ts
   * await syscall("read").stats("count").by("comm").run({ for: "5s" })
   * ```
   */
  stats(field: string, options: RunOptions): Promise<ProbeTable>;
  stats(field: string): AggregationProbe;
  stats(field: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("stats", field, options);
  }

  /**
   * A histogram of an integer field, in the kernel: log2 buckets (with
   * `subBuckets` per power of two), or linear ones with `{ linear: { min, max, step } }`.
   * Columns: the keys, then `lower`, `upper` (the bucket is [lower, upper)) and `count`.
   *
   * @example
   * ```ts
   * await syscall("read").histogram("count", { for: "5s" })
   * await tracepoint("kmem:kmalloc").histogram("bytes_req", { linear: { min: 0, max: 1024, step: 64 }, for: "5s" })
   * ```
   */
  histogram(field: string, options: HistogramOptions & { for: Duration }): Promise<ProbeTable>;
  histogram(field: string, options?: HistogramOptions): AggregationProbe;
  histogram(field: string, options?: HistogramOptions & { for?: Duration }): AggregationProbe | Promise<ProbeTable> {
    const { run, own } = splitFor(options);
    const call = `histogram(${quoteArgs([field, own && Object.keys(own).length ? own : undefined])})`;
    this.#checkField(field, call);
    return this.#shape(call, histogramValue(own, `${this.code}.${call}`, field) as AggregateValue, run);
  }

  protected override declare(durationMs: number): EventsDeclaration {
    const declaration: EventsDeclaration = {
      kind: "events",
      source: { type: "tracepoint", name: this.state.name },
      fields: [...this.state.fields],
      filter: { ...this.state.filter },
      durationMs,
    };
    if (this.state.columns) declaration.columns = [...this.state.columns];
    if (this.state.limit !== undefined) declaration.limit = this.state.limit;
    if (this.state.ringBytes !== undefined) declaration.ringBytes = this.state.ringBytes;
    return declaration;
  }

  #fold(op: "sum" | "min" | "max" | "avg" | "stats", field: string, options: RunOptions | undefined) {
    const call = `${op}(${quote(field)})`;
    this.#checkField(field, call);
    return this.#shape(call, { op, field }, options);
  }

  #checkField(field: unknown, call: string): void {
    if (typeof field !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
      throw new TypeError(`${this.code}.${call}: name the integer field to fold, e.g. .sum("count") or .histogram("bytes_req")`);
    }
  }

  #shape(call: string, value: AggregateValue, options: RunOptions | undefined): AggregationProbe | Promise<ProbeTable> {
    if (this.state.ringBytes !== undefined) {
      throw new TypeError(`${this.code}.${call}: .ringBytes() sizes an event stream's ring buffer; an aggregation keeps its values in a map (use .maxKeys(n) to size it)`);
    }
    if (this.state.limit !== undefined) {
      throw new TypeError(`${this.code}.${call}: .limit() is for events; an aggregation has one row per key (use .top(n) to keep the largest)`);
    }
    if (this.state.fields.length > 0 || this.state.columns) {
      throw new TypeError(`${this.code}.${call}: .fields() and .columns() choose event columns; an aggregation's columns are its keys (.by(...)) and values`);
    }
    const aggregation = new AggregationProbe({
      code: `${this.code}.${call}`,
      base: { kind: "aggregate", source: { type: "tracepoint", name: this.state.name }, value },
      filter: { ...this.state.filter },
      keys: [],
    });
    return options === undefined ? aggregation : aggregation.run(options);
  }
}
