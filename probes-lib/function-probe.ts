// Probes on functions: user-space functions (uprobe, uretprobe), USDT probes
// compiled into programs, and kernel functions (kprobe, kretprobe, fentry,
// where the kernel allows them). One row per call, with chosen arguments by
// position and, at a return, the return value; or aggregated in the kernel
// (.count(), .sum(v), .histogram(v), ... by keys); filtered in the kernel.

import type { AggregateValue, Filter, FunctionEventsDeclaration, FunctionSource, ProbeValue, ProbeValueType } from "../runtime/spec/declaration.js";
import { AggregationProbe, histogramValue, splitFor, type HistogramOptions } from "./aggregation.js";
import type { EventsTable } from "./events-table.js";
import { LatencyProbe } from "./latency.js";
import { Probe } from "./probe.js";
import { quote, quoteArgs } from "./quote.js";
import type { ProbeTable } from "./result-table.js";
import type { Duration, RunOptions } from "./run-options.js";
import { applyWhere, type Where } from "./where.js";

/** How to read an argument or return value. */
export type ValueType = ProbeValueType;

const VALUE_TYPES: readonly ValueType[] = ["int", "uint", "long", "ulong", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "pointer", "string"];
const RESERVED = ["time_ns", "time", "cpu", "pid", "tid", "uid", "gid", "comm", "cgroup"];

/**
 * Where a function probe fires, which decides what it can read: arguments at
 * an entry (and at a USDT probe), the return value at a return, and a latency
 * only from an entry (which pairs it with the return).
 */
export type FunctionHook = "entry" | "return" | "usdt";

/** Type-only: carries a probe's hook so that invalid calls fail to compile. */
declare const hookOf: unique symbol;

export interface FunctionState {
  code: string;
  source: FunctionSource;
  values: ProbeValue[];
  /** In-kernel filter: pid (also attaches to that process only), tid, comm, uid, cgroup, conditions on values. */
  filter: Filter;
  limit?: number;
}

/**
 * A function probe being built. Made by {@link uprobe}, {@link uretprobe}, {@link usdt}, {@link kprobe}, {@link kretprobe}, {@link fentry}.
 * `H` is where it fires: `.arg()` needs an entry or a USDT probe, `.returns()` a return, `.latency()` an entry.
 */
export class FunctionProbe<H extends FunctionHook = FunctionHook> extends Probe {
  declare readonly [hookOf]: H;
  readonly #state: FunctionState;

  /** @internal */
  constructor(state: FunctionState) {
    super(state.code);
    this.#state = state;
  }

  #next(call: string, change: Partial<FunctionState>): FunctionProbe<H> {
    return new FunctionProbe<H>({ ...this.#state, ...change, code: `${this.code}.${call}` });
  }

  /**
   * The time from the function's entry to its return, per thread, measured in
   * the kernel: a uprobe and a uretprobe on a user function, or on a kernel
   * function fentry/fexit where the kernel has BPF trampolines, else a kprobe
   * and a kretprobe. Start from uprobe(...), kprobe(...) or fentry(...).
   * Shape it with `.histogram()`, `.stats()`, `.by("comm")`… or get slow calls
   * with `.events({ over })`.
   *
   * @example
   * ```ts
   * await uprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "getaddrinfo").latency().by("comm").histogram({ for: "10s" })
   * await kprobe("vfs_fsync_range").latency().histogram({ for: "10s" })
   * ```
   */
  latency(this: FunctionProbe<"entry">): LatencyProbe {
    const s = this.#state, at = `${this.code}.latency()`;
    const src = s.source;
    if (src.type === "usdt" || ((src.type === "uprobe" || src.type === "kprobe") && src.retprobe))
      throw new TypeError(`${at}: a latency pairs a function's entry with its return: start from uprobe(binary, symbol), kprobe(name) or fentry(name)`);
    if (s.values.length > 0 || s.limit !== undefined)
      throw new TypeError(`${at}: .arg() and .limit() are for events; a latency's columns are its keys (.by(...)) and values`);
    const { pid, where, ...rest } = s.filter;
    if (where) throw new TypeError(`${at}: a latency compares no values: filter by pid, tid, comm, uid or cgroup`);
    if (src.type === "uprobe")
      return new LatencyProbe({
        code: at,
        pair: { type: "uprobe", binary: src.binary, symbol: src.symbol, ...(pid !== undefined ? { pid } : {}) },
        filter: rest,
        keys: [],
      });
    return new LatencyProbe({ code: at, pair: { type: src.type, function: src.function }, filter: { ...rest, ...(pid !== undefined ? { pid } : {}) }, keys: [] });
  }

  get #returns(): boolean {
    const s = this.#state.source;
    return (s.type === "uprobe" || s.type === "kprobe") && s.retprobe === true;
  }

  /**
   * Adds a column read from argument `index` (0 = the first) of the function
   * (or of the USDT probe). Integers are read whole from the register;
   * `"string"` reads the C string the argument points to.
   *
   * On a return probe (uretprobe, kretprobe) the arguments are saved at the
   * call's entry and shown in the same row as the return value: a pointer is
   * followed at the return, so a buffer the function fills in is read filled.
   * Calls already running when the probe is attached are left out. (Events
   * only: aggregations of a return probe key by its return value.)
   *
   * @param name - the column's name.
   * @param index - argument position, 0 to 5.
   * @param type - `"long"` (default), `"int"`, `"u32"`, `"pointer"`, `"string"`…
   * @example
   * ```ts
   * uprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "lldiv").arg("numerator", 0, "long")
   * uretprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "strtol").arg("text", 0, "string").returns("n")
   * ```
   */
  arg<T extends "entry" | "return" | "usdt">(this: FunctionProbe<T>, name: string, index: number, type: ValueType = "long"): FunctionProbe<T> {
    const at = `${this.code}.arg(${quoteArgs([name, index, type])})`;
    this.#checkName(name, at);
    if (!Number.isInteger(index) || index < 0 || index > 5) throw new RangeError(`${at}: index must be an argument position from 0 to 5`);
    this.#checkType(type, at);
    return this.#next(`arg(${quoteArgs([name, index, type])})`, { values: [...this.#state.values, { name, arg: index, type }] });
  }

  /**
   * Adds the function's return value as a column (uretprobe and kretprobe only).
   *
   * @example
   * ```ts
   * uretprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "getpid").returns("pid_returned", "int")
   * ```
   */
  returns(this: FunctionProbe<"return">, name = "ret", type: ValueType = "long"): FunctionProbe<"return"> {
    const at = `${this.code}.returns(${quoteArgs([name, type])})`;
    if (!this.#returns) throw new TypeError(`${at}: the return value exists only at a function's return: use uretprobe(...) (or kretprobe(...))`);
    this.#checkName(name, at);
    this.#checkType(type, at);
    const values = this.#state.values.filter((v) => !v.retval);
    return this.#next(`returns(${quoteArgs([name, type])})`, { values: [...values, { name, retval: true, type }] });
  }

  /**
   * Keeps only the calls that match, filtered in the kernel: `pid` (the probe
   * is then attached to that process alone), `tid`, `comm`, `uid`, `cgroup`,
   * and conditions on the integer values declared with `.arg()` / `.returns()`
   * (a value it must equal, or `{ gt, ge, lt, le, ne, eq, mask }`).
   *
   * @example
   * ```ts
   * uprobe("/usr/bin/bash", "readline").where({ pid: 4242 })
   * uretprobe(libc, "open").returns("fd", "int").where({ fd: { lt: 0 }, comm: "nginx" }).count().by("comm")
   * ```
   */
  where(filter: Where): FunctionProbe<H> {
    const at = `${this.code}.where(...)`;
    return this.#next(`where(${quote(filter)})`, { filter: applyWhere(this.#state.filter, filter, at) });
  }

  /**
   * Keeps one call in `n` (after the other filters), in the kernel.
   *
   * @example
   * ```ts
   * uprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc").sample(100).count().by("comm")
   * ```
   */
  sample(n: number): FunctionProbe<H> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${this.code}.sample(${quote(n)}): keep one call in n, with n a whole number from 1 up`);
    return this.#next(`sample(${n})`, { filter: { ...this.#state.filter, sample: n } });
  }

  /**
   * Counts calls in the kernel; add keys with `.by(...)`: `comm`, `pid`,
   * `tid`, `cpu`, `uid`, `cgroup`, `kstack`, `ustack` or a declared value.
   * With `{ for }` it runs at once; without, it returns the aggregation to
   * refine (`.by()`, `.every()`, `.top()`) and run with `.run({ for })`.
   *
   * @example
   * ```ts
   * await uretprobe(libc, "open").returns("fd", "int").where({ fd: { lt: 0 } }).count().by("comm").run({ for: "5s" })
   * ```
   */
  count(options: RunOptions): Promise<ProbeTable>;
  count(): AggregationProbe;
  count(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("count()", { op: "count" }, options);
  }

  /**
   * Sums a declared integer value in the kernel, per key.
   *
   * @example
   * ```ts
   * await usdt("/usr/bin/python3", "python", "function__entry").arg("line", 2, "int").sum("line").every("100ms").run({ for: "1s" })
   * ```
   */
  sum(value: string, options: RunOptions): Promise<ProbeTable>;
  sum(value: string): AggregationProbe;
  sum(value: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("sum", value, options);
  }

  /**
   * The smallest of a declared integer value, per key.
   *
   * @example
   * ```ts
   * await uprobe(libc, "malloc").arg("size", 0, "ulong").min("size").by("comm").run({ for: "1s" })
   * ```
   */
  min(value: string, options: RunOptions): Promise<ProbeTable>;
  min(value: string): AggregationProbe;
  min(value: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("min", value, options);
  }

  /**
   * The largest of a declared integer value, per key.
   *
   * @example
   * ```ts
   * await uprobe(libc, "malloc").arg("size", 0, "ulong").max("size").by("comm").run({ for: "1s" })
   * ```
   */
  max(value: string, options: RunOptions): Promise<ProbeTable>;
  max(value: string): AggregationProbe;
  max(value: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("max", value, options);
  }

  /**
   * The mean of a declared integer value, per key (columns `count`, `avg`).
   *
   * @example
   * ```ts
   * await uprobe(libc, "malloc").arg("size", 0, "ulong").avg("size").by("comm").run({ for: "1s" })
   * ```
   */
  avg(value: string, options: RunOptions): Promise<ProbeTable>;
  avg(value: string): AggregationProbe;
  avg(value: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("avg", value, options);
  }

  /**
   * Count, sum, min, max and mean of a declared integer value, per key.
   *
   * @example
   * ```ts
   * await uprobe(libc, "malloc").arg("size", 0, "ulong").stats("size").run({ for: "1s" })
   * ```
   */
  stats(value: string, options: RunOptions): Promise<ProbeTable>;
  stats(value: string): AggregationProbe;
  stats(value: string, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("stats", value, options);
  }

  /**
   * A histogram of a declared integer value, in the kernel: log2 buckets, or
   * linear ones with `{ linear: { min, max, step } }`. Columns: the keys, then
   * `lower`, `upper` and `count`.
   *
   * @example
   * ```ts
   * await uprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc").arg("size", 0, "ulong").histogram("size", { for: "5s" })
   * ```
   */
  histogram(value: string, options: HistogramOptions & { for: Duration }): Promise<ProbeTable>;
  histogram(value: string, options?: HistogramOptions): AggregationProbe;
  histogram(value: string, options?: HistogramOptions & { for?: Duration }): AggregationProbe | Promise<ProbeTable> {
    const { run, own } = splitFor(options);
    const call = `histogram(${quoteArgs([value, own && Object.keys(own).length ? own : undefined])})`;
    this.#checkValueName(value, call);
    return this.#shape(call, histogramValue(own, `${this.code}.${call}`, value) as AggregateValue, run);
  }

  #fold(op: "sum" | "min" | "max" | "avg" | "stats", value: string, options: RunOptions | undefined) {
    const call = `${op}(${quote(value)})`;
    this.#checkValueName(value, call);
    return this.#shape(call, { op, field: value }, options);
  }

  #checkValueName(value: unknown, call: string): void {
    const ints = this.#state.values.filter((v) => v.type !== "string").map((v) => v.name);
    if (typeof value !== "string" || !ints.includes(value))
      throw new TypeError(`${this.code}.${call}: name an integer value declared with .arg() or .returns() (${ints.length ? ints.join(", ") : "none declared yet"}), e.g. .arg("size", 0, "ulong").histogram("size")`);
  }

  #shape(call: string, value: AggregateValue, options: RunOptions | undefined): AggregationProbe | Promise<ProbeTable> {
    const s = this.#state;
    if (s.limit !== undefined)
      throw new TypeError(`${this.code}.${call}: .limit() is for events; an aggregation has one row per key (use .top(n) to keep the largest)`);
    const aggregation = new AggregationProbe({
      code: `${this.code}.${call}`,
      base: { kind: "aggregate", source: { ...s.source }, values: this.#values(), value },
      filter: { ...s.filter },
      keys: [],
    });
    return options === undefined ? aggregation : aggregation.run(options);
  }

  #values(): ProbeValue[] {
    const s = this.#state;
    return s.values.length === 0 && this.#returns ? [{ name: "ret", retval: true, type: "long" as const }] : s.values.map((v) => ({ ...v }));
  }

  /**
   * Stops after this many rows, even before the duration is over.
   *
   * @example
   * ```ts
   * uprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc").arg("size", 0, "ulong").limit(1000)
   * ```
   */
  limit(rows: number): FunctionProbe<H> {
    if (!Number.isInteger(rows) || rows <= 0) throw new RangeError(`${this.code}.limit(${quote(rows)}): the limit must be a positive whole number of rows`);
    return this.#next(`limit(${rows})`, { limit: rows });
  }

  /**
   * Attaches, collects one row per call for the given time and resolves to a
   * table: `time_ns`, `cpu`, `pid`, `tid`, `comm`… then the chosen values.
   * Without options it is the same probe, to run in the background:
   * `.events().start()`.
   *
   * @example
   * ```ts
   * const libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
   * const calls = await uprobe(libc, "lldiv").arg("n", 0).events({ for: "2s" });
   * ```
   */
  events(options: RunOptions): Promise<EventsTable>;
  events(): this;
  events(options?: RunOptions): this | Promise<EventsTable> {
    if (arguments.length === 0) return this; // a probe's declaration is its events: .events().start()
    return this.runFor(options, `${this.code}.events(...)`);
  }

  protected override declare(durationMs: number): FunctionEventsDeclaration {
    const s = this.#state;
    return {
      kind: "events",
      source: { ...s.source },
      values: this.#values(),
      filter: { ...s.filter },
      durationMs,
      ...(s.limit !== undefined ? { limit: s.limit } : {}),
    };
  }

  #checkName(name: unknown, at: string): void {
    if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`${at}: the column name must be an identifier such as "size"`);
    if (RESERVED.includes(name)) throw new TypeError(`${at}: "${name}" is already a column of every row (${RESERVED.join(", ")}); choose another name`);
    if (this.#state.values.some((v) => v.name === name)) throw new TypeError(`${at}: there is already a column "${name}"`);
  }

  #checkType(type: unknown, at: string): void {
    if (!VALUE_TYPES.includes(type as ValueType)) throw new TypeError(`${at}: unknown type ${quote(type)}; use one of ${VALUE_TYPES.join(", ")}`);
  }
}

/** Options of {@link uprobe}, {@link uretprobe} and {@link usdt}. */
export interface ProcessOptions {
  /** Only this process. */
  pid?: number;
}

function checkPath(fn: string, binary: unknown, rest: unknown[]): string {
  if (typeof binary !== "string" || !binary.startsWith("/")) {
    throw new TypeError(`${fn}(${quoteArgs([binary, ...rest])}): the binary must be an absolute path, e.g. "/usr/lib/x86_64-linux-gnu/libc.so.6"`);
  }
  return binary;
}

function checkPid(call: string, options: ProcessOptions | undefined): number | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object") throw new TypeError(`${call}: options must be an object such as { pid: 1234 }`);
  const pid = options.pid;
  if (pid !== undefined && (!Number.isInteger(pid) || pid <= 0)) throw new RangeError(`${call}: pid must be a positive whole number, not ${quote(pid)}`);
  return pid;
}

function userFunction<H extends "entry" | "return">(fn: "uprobe" | "uretprobe", binary: string, symbol: string, options?: ProcessOptions): FunctionProbe<H> {
  const call = `${fn}(${quoteArgs([binary, symbol, options])})`;
  checkPath(fn, binary, [symbol]);
  if (typeof symbol !== "string" || !/^[A-Za-z_.$][\w.$@]*$/.test(symbol)) throw new TypeError(`${call}: the symbol must be a function name such as "malloc"`);
  const pid = checkPid(call, options);
  return new FunctionProbe({
    code: call,
    source: { type: "uprobe", binary, symbol, ...(fn === "uretprobe" ? { retprobe: true } : {}) },
    values: [],
    filter: pid !== undefined ? { pid } : {},
  });
}

/**
 * A probe on a function of an executable or shared library, at its entry.
 * Add argument columns with `.arg(name, index, type)`, or time its calls with
 * `.latency()` (entry to return, per thread).
 *
 * @param binary - absolute path of the executable or library.
 * @param symbol - the function's name (from .symtab or .dynsym).
 * @param options - `{ pid }`: only that process.
 * @example
 * ```ts
 * const libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
 * await uprobe(libc, "lldiv").arg("numerator", 0, "long").events({ for: "2s" })
 * await uprobe(libc, "getaddrinfo", { pid: 4242 }).latency().histogram({ for: "10s" })
 * ```
 */
export function uprobe(binary: string, symbol: string, options?: ProcessOptions): FunctionProbe<"entry"> {
  return userFunction("uprobe", binary, symbol, options);
}

/**
 * A probe on a function's return: rows carry the return value (column `ret`,
 * or as named with `.returns(name, type)`).
 *
 * @example
 * ```ts
 * await uretprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "getpid").returns("ret", "int").events({ for: "1s" })
 * ```
 */
export function uretprobe(binary: string, symbol: string, options?: ProcessOptions): FunctionProbe<"return"> {
  return userFunction("uretprobe", binary, symbol, options);
}

/**
 * A USDT probe (a static tracepoint compiled into a program with
 * `<sys/sdt.h>` / DTRACE_PROBE): `provider:name` of `binary`. Its arguments
 * are read with `.arg(name, index, type)`; `readelf -n` lists a binary's probes.
 *
 * @example
 * ```ts
 * await usdt("/usr/bin/python3", "python", "function__entry").arg("fn", 1, "string").events({ for: "5s" })
 * ```
 */
export function usdt(binary: string, provider: string, name: string, options?: ProcessOptions): FunctionProbe<"usdt"> {
  const call = `usdt(${quoteArgs([binary, provider, name, options])})`;
  checkPath("usdt", binary, [provider, name]);
  for (const [what, v] of [["provider", provider], ["name", name]] as const) {
    if (typeof v !== "string" || !/^\w+$/.test(v)) throw new TypeError(`${call}: the ${what} must be letters, digits and _`);
  }
  const pid = checkPid(call, options);
  return new FunctionProbe({ code: call, source: { type: "usdt", binary, provider, name }, values: [], filter: pid !== undefined ? { pid } : {} });
}

function kernelFunction<H extends "entry" | "return">(fn: "kprobe" | "kretprobe" | "fentry", name: string): FunctionProbe<H> {
  const call = `${fn}(${quote(name)})`;
  if (typeof name !== "string" || !/^\w+$/.test(name)) throw new TypeError(`${call}: the name must be a kernel function such as "vfs_read"`);
  const source: FunctionSource = fn === "fentry" ? { type: "fentry", function: name } : { type: "kprobe", function: name, ...(fn === "kretprobe" ? { retprobe: true } : {}) };
  return new FunctionProbe({ code: call, source, values: [], filter: {} });
}

/**
 * A kprobe on a kernel function's entry. Needs a kernel with CONFIG_KPROBES:
 * where it is missing, running it fails with the tracepoint to use instead.
 * Where the kernel has BPF trampolines the entry is taken by fentry instead
 * (the same arguments, cheaper), unless `.where()` compares argument registers.
 *
 * @example
 * ```ts
 * await kprobe("vfs_read").events({ for: "1s" })
 * ```
 */
export function kprobe(name: string): FunctionProbe<"entry"> {
  return kernelFunction("kprobe", name);
}

/**
 * A kretprobe on a kernel function's return (column `ret`). Needs CONFIG_KPROBES.
 *
 * @example
 * ```ts
 * await kretprobe("vfs_read").events({ for: "1s" })
 * ```
 */
export function kretprobe(name: string): FunctionProbe<"return"> {
  return kernelFunction("kretprobe", name);
}

/**
 * An fentry probe (a BPF trampoline) on a kernel function: cheaper than a
 * kprobe where the kernel allows it; where it does not, running it fails with
 * the tracepoint to use instead.
 *
 * @example
 * ```ts
 * await fentry("vfs_read").events({ for: "1s" })
 * ```
 */
export function fentry(name: string): FunctionProbe<"entry"> {
  return kernelFunction("fentry", name);
}
