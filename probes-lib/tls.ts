// tls(): the plaintext of TLS traffic, read where OpenSSL has it in the clear:
// at the return of SSL_read/SSL_write and SSL_read_ex/SSL_write_ex in the
// libssl each process maps (or a binary that links OpenSSL statically).

import type { AggregateValue, Filter, TlsEventsDeclaration, TlsSource } from "../runtime/spec/declaration.js";
import { AggregationProbe, histogramValue, splitFor, type HistogramOptions } from "./aggregation.js";
import type { EventsTable } from "./events-table.js";
import { Probe } from "./probe.js";
import { quote, quoteArgs } from "./quote.js";
import type { ProbeTable } from "./result-table.js";
import type { Duration, RunOptions } from "./run-options.js";
import { applyWhere, type Where } from "./where.js";

/** Options of {@link tls}. */
export interface TlsOptions {
  /** A library or an executable (OpenSSL linked in statically) to probe, instead of the libssl the processes map. */
  binary?: string;
  /** Bytes of plaintext kept per call (default 16384, a TLS record's most; up to 1048576). Longer calls keep their
   *  first `cap` bytes: `captured` = cap, `len` = the real size, `truncated` = true. */
  cap?: number;
}

/** What tls() folds and compares: bytes the call moved, bytes kept, and its return value. */
export type TlsValue = "len" | "captured" | "ret";

/** `.where()` of tls(): the task clauses, the call's direction, and conditions on `len`, `captured`, `ret`. */
export type TlsWhere = Omit<Where, "direction"> & {
  /** "read" (SSL_read, SSL_read_ex) or "write". */
  direction?: "read" | "write";
};

interface TlsState {
  code: string;
  source: TlsSource;
  filter: Filter;
  limit?: number;
}

const VALUES: readonly TlsValue[] = ["len", "captured", "ret"];

/**
 * The plaintext of TLS traffic: one row per call of OpenSSL's `SSL_read` /
 * `SSL_write` (and `SSL_read_ex` / `SSL_write_ex`, which Python, curl and
 * OpenSSL 3 programs use) that moved bytes, read when the call returns.
 * Columns: the common ones (`time`, `pid`, `tid`, `comm`, `uid`, `cgroup`...),
 * `direction` ("read" or "write"), `len` (the bytes the call moved),
 * `captured` (the bytes kept, at most the cap), `truncated`, `text` (the bytes
 * as text: printable characters as they are, `\r`, `\n`, `\t`, `\\` and
 * `\xNN` for the rest), `data` (the bytes, a `Uint8Array` per row),
 * `function` and `library` (which one fired), `ret` (its return value).
 *
 * The probes go on every libssl the target processes map (`.where({ pid })`
 * or `.where({ comm })`: those processes, read from /proc/PID/maps, through
 * /proc/PID/root for a process in another mount namespace; neither: every
 * libssl mapped now and the system's, as the dynamic loader finds it), and on
 * a target's own executable when it links OpenSSL statically and keeps the
 * symbols. `tls({ binary })` names a library or binary instead. A process
 * without OpenSSL gets an error that says so, and what it uses instead (Go's
 * crypto/tls, GnuTLS, NSS) where that can be seen.
 *
 * **This captures secrets in plaintext**: passwords, session cookies, API
 * tokens and personal data cross SSL_write unencrypted. Whoever runs the
 * notebook sees them, and so does anyone who reads it if the table is left in
 * its outputs or saved: filter to the process you are debugging, keep `cap`
 * small, aggregate (`.sum("len")`) when sizes are enough, and clear outputs
 * before sharing.
 *
 * @example
 * ```ts
 * const t = await tls().where({ comm: "curl" }).events({ for: "10s" });
 * t.select("time", "comm", "pid", "direction", "len", "text")
 * ```
 */
export function tls(options: TlsOptions = {}): TlsProbe {
  const at = `tls(${options && Object.keys(options).length ? quote(options) : ""})`;
  if (options === null || typeof options !== "object") throw new TypeError(`${at}: pass options such as { binary: "/usr/lib/x86_64-linux-gnu/libssl.so.3" }`);
  for (const key of Object.keys(options))
    if (key !== "binary" && key !== "cap") throw new TypeError(`${at}: unknown option "${key}"; tls() takes binary and cap`);
  if (options.binary !== undefined && (typeof options.binary !== "string" || !options.binary.startsWith("/")))
    throw new TypeError(`${at}: binary must be an absolute path such as "/usr/lib/x86_64-linux-gnu/libssl.so.3", not ${quote(options.binary)}`);
  if (options.cap !== undefined && (!Number.isInteger(options.cap) || options.cap < 1 || options.cap > 1 << 20))
    throw new RangeError(`${at}: cap must be a whole number of bytes from 1 to 1048576, not ${quote(options.cap)}`);
  const source: TlsSource = { type: "tls", ...(options.binary !== undefined ? { binary: options.binary } : {}),
    ...(options.cap !== undefined ? { capBytes: options.cap } : {}) };
  return new TlsProbe({ code: at, source, filter: {} });
}

/** TLS plaintext being built. Made by {@link tls}. */
export class TlsProbe extends Probe {
  readonly #state: TlsState;

  /** @internal use {@link tls} */
  constructor(state: TlsState) {
    super(state.code);
    this.#state = state;
  }

  #next(call: string, change: Partial<TlsState>): TlsProbe {
    return new TlsProbe({ ...this.#state, ...change, code: `${this.code}.${call}` });
  }

  /**
   * Keeps only the calls that match, in the kernel: `pid` (the probes then go
   * on that process's libssl alone), `tid`, `comm` (the libssl of the
   * processes of that name, and the system's for those that start later),
   * `uid`, `cgroup`; and the call's `direction` ("read" or "write"), `len`,
   * `captured`, `ret` (a value, or `{ gt, ge, lt, le, ne, eq }`).
   *
   * @example
   * ```ts
   * tls().where({ comm: "python3", direction: "write", len: { ge: 1024 } })
   * ```
   */
  where(filter: TlsWhere): TlsProbe {
    const at = `${this.code}.where(...)`;
    const d = filter?.direction;
    if (d !== undefined && d !== "read" && d !== "write") throw new TypeError(`${at}: direction must be "read" or "write", not ${quote(d)}`);
    // the kernel compares enum tls_direction: read 0, write 1
    const where = d === undefined ? filter : { ...filter, direction: d === "write" ? 1 : 0 };
    return this.#next(`where(${quote(filter)})`, { filter: applyWhere(this.#state.filter, where as Where, at) });
  }

  /**
   * Keeps one call in `n` (after the other filters), in the kernel.
   *
   * @example
   * ```ts
   * tls().sample(10).where({ comm: "nginx" })
   * ```
   */
  sample(n: number): TlsProbe {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${this.code}.sample(${quote(n)}): keep one call in n, with n a whole number from 1 up`);
    return this.#next(`sample(${n})`, { filter: { ...this.#state.filter, sample: n } });
  }

  /**
   * Stops after this many rows, even before the duration is over.
   *
   * @example
   * ```ts
   * tls().where({ comm: "curl" }).limit(100)
   * ```
   */
  limit(rows: number): TlsProbe {
    if (!Number.isInteger(rows) || rows <= 0) throw new RangeError(`${this.code}.limit(${quote(rows)}): the limit must be a positive whole number of rows`);
    return this.#next(`limit(${rows})`, { limit: rows });
  }

  /**
   * Collects one row per call that moved bytes for the given time. Without
   * options it is the same probe, to run in the background: `.events().start()`.
   *
   * @example
   * ```ts
   * const t = await tls({ cap: 256 }).where({ comm: "python3" }).events({ for: "5s" });
   * t.filter((d) => d.truncated).select("pid", "direction", "len", "captured")
   * ```
   */
  events(options: RunOptions): Promise<EventsTable>;
  events(): this;
  events(options?: RunOptions): this | Promise<EventsTable> {
    if (arguments.length === 0) return this; // a probe's declaration is its events: .events().start()
    return this.runFor(options, `${this.code}.events(...)`);
  }

  /**
   * Counts calls in the kernel; keys with `.by(...)`: `direction`,
   * `function`, `library` (shown as names) and `comm`, `pid`, `tid`, `uid`,
   * `gid`, `cpu`, `cgroup`. No bytes are copied.
   *
   * @example
   * ```ts
   * await tls().count().by("comm", "function").run({ for: "5s" })
   * ```
   */
  count(options: RunOptions): Promise<ProbeTable>;
  count(): AggregationProbe;
  count(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#shape("count()", { op: "count" }, options);
  }

  /**
   * Sums bytes in the kernel: `len` (what the calls moved), `captured` or `ret`.
   *
   * @example
   * ```ts
   * await tls().sum("len").by("comm", "direction").run({ for: "5s" })
   * ```
   */
  sum(value: TlsValue, options: RunOptions): Promise<ProbeTable>;
  sum(value: TlsValue): AggregationProbe;
  sum(value: TlsValue, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("sum", value, options);
  }

  /**
   * The smallest call, per key.
   *
   * @example
   * ```ts
   * await tls().min("len").by("direction").run({ for: "1s" })
   * ```
   */
  min(value: TlsValue, options: RunOptions): Promise<ProbeTable>;
  min(value: TlsValue): AggregationProbe;
  min(value: TlsValue, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("min", value, options);
  }

  /**
   * The largest call, per key.
   *
   * @example
   * ```ts
   * await tls().max("len").by("direction").run({ for: "1s" })
   * ```
   */
  max(value: TlsValue, options: RunOptions): Promise<ProbeTable>;
  max(value: TlsValue): AggregationProbe;
  max(value: TlsValue, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("max", value, options);
  }

  /**
   * The mean size of a call, per key (columns `count`, `avg`).
   *
   * @example
   * ```ts
   * await tls().avg("len").by("comm").run({ for: "1s" })
   * ```
   */
  avg(value: TlsValue, options: RunOptions): Promise<ProbeTable>;
  avg(value: TlsValue): AggregationProbe;
  avg(value: TlsValue, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("avg", value, options);
  }

  /**
   * Count, sum, min, max and mean, per key.
   *
   * @example
   * ```ts
   * await tls().stats("len").by("direction").run({ for: "1s" })
   * ```
   */
  stats(value: TlsValue, options: RunOptions): Promise<ProbeTable>;
  stats(value: TlsValue): AggregationProbe;
  stats(value: TlsValue, options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    return this.#fold("stats", value, options);
  }

  /**
   * A histogram of call sizes in the kernel: log2 buckets, or linear ones with
   * `{ linear: { min, max, step } }`.
   *
   * @example
   * ```ts
   * await tls().histogram("len", { for: "5s" })
   * ```
   */
  histogram(value: TlsValue, options: HistogramOptions & { for: Duration }): Promise<ProbeTable>;
  histogram(value: TlsValue, options?: HistogramOptions): AggregationProbe;
  histogram(value: TlsValue, options?: HistogramOptions & { for?: Duration }): AggregationProbe | Promise<ProbeTable> {
    const { run, own } = splitFor(options);
    const call = `histogram(${quoteArgs([value, own && Object.keys(own).length ? own : undefined])})`;
    this.#checkValue(value, call);
    return this.#shape(call, histogramValue(own, `${this.code}.${call}`, value) as AggregateValue, run);
  }

  #fold(op: "sum" | "min" | "max" | "avg" | "stats", value: TlsValue, options: RunOptions | undefined) {
    const call = `${op}(${quote(value)})`;
    this.#checkValue(value, call);
    return this.#shape(call, { op, field: value }, options);
  }

  #checkValue(value: unknown, call: string): void {
    if (!VALUES.includes(value as TlsValue)) throw new TypeError(`${this.code}.${call}: tls() folds ${VALUES.map((v) => `"${v}"`).join(", ")}`);
  }

  #shape(call: string, value: AggregateValue, options: RunOptions | undefined): AggregationProbe | Promise<ProbeTable> {
    const s = this.#state;
    if (s.limit !== undefined)
      throw new TypeError(`${this.code}.${call}: .limit() is for events; an aggregation has one row per key (use .top(n) to keep the largest)`);
    if (s.source.capBytes !== undefined)
      throw new TypeError(`${this.code}.${call}: cap is for events; an aggregation copies no bytes (tls() without cap)`);
    const aggregation = new AggregationProbe({
      code: `${this.code}.${call}`, base: { kind: "aggregate", source: { ...s.source }, value }, filter: { ...s.filter }, keys: [],
    });
    return options === undefined ? aggregation : aggregation.run(options);
  }

  protected override declare(durationMs: number): TlsEventsDeclaration {
    const s = this.#state;
    return { kind: "events", source: { ...s.source }, filter: { ...s.filter }, durationMs, ...(s.limit !== undefined ? { limit: s.limit } : {}) };
  }
}
