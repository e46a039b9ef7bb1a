// tracepoint("category:event") starts a probe on a classic kernel tracepoint.
// Builders are immutable: every step returns a new builder, so a half-built
// probe can be kept in a variable and finished in different ways.

import type { EventsDeclaration, Filter } from "../runtime/declaration.js";
import { parseDuration } from "./duration.js";
import { eventsTable, type EventsTable } from "./events-table.js";
import { probeHost } from "./host.js";

/** Options of {@link TracepointProbe.events}. */
export interface EventsOptions {
  /** How long to collect: `"500ms"`, `"5s"`, `"1m"`, or milliseconds. */
  for: string | number;
}

interface TracepointState {
  name: string;
  filter: Filter;
  fields: string[];
  limit?: number;
}

const FILTER_KEYS: readonly (keyof Filter)[] = ["pid"];

/**
 * Starts a probe on a kernel tracepoint, named `"category:event"` as in
 * `/sys/kernel/tracing/events/<category>/<event>`.
 *
 * @param name - e.g. `"syscalls:sys_enter_openat"` or `"sched:sched_switch"`.
 * @returns a builder: narrow it with `.where()`, `.fields()`, `.limit()`, then
 * collect with `.events({ for: "5s" })`.
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
  return new TracepointProbe({ name, filter: {}, fields: [] });
}

/** A tracepoint probe being built. Made by {@link tracepoint}. */
export class TracepointProbe {
  readonly #state: TracepointState;

  /** @internal use {@link tracepoint} */
  constructor(state: TracepointState) {
    this.#state = state;
  }

  /**
   * The builder as the code that makes it, e.g.
   * `tracepoint("sched:sched_switch").where({"pid":42}).limit(10)`.
   *
   * @example
   * ```ts
   * String(tracepoint("sched:sched_switch").limit(10))
   * ```
   */
  toString(): string {
    const { name, filter, fields, limit } = this.#state;
    let text = `tracepoint(${quote(name)})`;
    if (Object.keys(filter).length > 0) text += `.where(${quote(filter)})`;
    if (fields.length > 0) text += `.fields(${fields.map(quote).join(", ")})`;
    if (limit !== undefined) text += `.limit(${limit})`;
    return text;
  }

  /** How the notebook prints a builder: as the code that makes it. */
  [Symbol.for("probebook.inspect")](): string {
    return this.toString();
  }

  /** The tracepoint, `"category:event"`. */
  get name(): string {
    return this.#state.name;
  }

  /**
   * Keeps only events that match, filtered in the kernel (cheap: nothing else
   * is copied out). Keys present are ANDed; calling `.where()` again adds to
   * or replaces earlier keys.
   *
   * @param filter - `{ pid }`: the process id (tgid) the event must come from.
   *
   * @example
   * ```ts
   * tracepoint("syscalls:sys_enter_read").where({ pid: 4242 })
   * ```
   */
  where(filter: Filter): TracepointProbe {
    const at = `tracepoint(${quote(this.#state.name)}).where(...)`;
    if (filter === null || typeof filter !== "object" || Array.isArray(filter)) {
      throw new TypeError(`${at}: pass an object such as { pid: 1234 }`);
    }
    const next: Filter = { ...this.#state.filter };
    for (const [key, value] of Object.entries(filter)) {
      if (value === undefined) {
        delete next[key as keyof Filter];
        continue;
      }
      if (!(FILTER_KEYS as readonly string[]).includes(key)) {
        throw new TypeError(`${at}: unknown filter key "${key}"; the keys you can use are: ${FILTER_KEYS.join(", ")}`);
      }
      if (key === "pid") {
        if (!Number.isInteger(value) || (value as number) <= 0 || (value as number) > 0x7fffffff) {
          throw new RangeError(`${at}: pid must be a positive whole number, not ${quote(value)}`);
        }
        next.pid = value as number;
      }
    }
    return new TracepointProbe({ ...this.#state, filter: next });
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
  fields(...names: string[]): TracepointProbe {
    const at = `tracepoint(${quote(this.#state.name)}).fields(...)`;
    for (const name of names) {
      if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new TypeError(`${at}: ${quote(name)} is not a field name; pass names as strings, e.g. .fields("filename", "flags")`);
      }
    }
    const fields = [...this.#state.fields];
    for (const name of names) if (!fields.includes(name)) fields.push(name);
    return new TracepointProbe({ ...this.#state, fields });
  }

  /**
   * Stops collecting after this many rows, even before the duration is over.
   *
   * @param rows - a positive whole number.
   *
   * @example
   * ```ts
   * tracepoint("sched:sched_switch").limit(1000).events({ for: "10s" })
   * ```
   */
  limit(rows: number): TracepointProbe {
    if (!Number.isInteger(rows) || rows <= 0) {
      throw new RangeError(`tracepoint(${quote(this.#state.name)}).limit(${quote(rows)}): the limit must be a positive whole number of rows`);
    }
    return new TracepointProbe({ ...this.#state, limit: rows });
  }

  /**
   * The plain declaration this probe stands for: what `.events()` sends to the
   * runtime. Useful to look at, save, or test without a kernel.
   *
   * @example
   * ```ts
   * tracepoint("sched:sched_switch").limit(10).toDeclaration({ for: "1s" })
   * // { kind: "events", source: { type: "tracepoint", name: "sched:sched_switch" },
   * //   fields: [], filter: {}, durationMs: 1000, limit: 10 }
   * ```
   */
  toDeclaration(options: EventsOptions): EventsDeclaration {
    const at = `tracepoint(${quote(this.#state.name)}).events(...)`;
    if (options === null || typeof options !== "object" || !("for" in options)) {
      throw new TypeError(`${at}: say how long to collect, e.g. .events({ for: "5s" })`);
    }
    const declaration: EventsDeclaration = {
      kind: "events",
      source: { type: "tracepoint", name: this.#state.name },
      fields: [...this.#state.fields],
      filter: { ...this.#state.filter },
      durationMs: parseDuration(options.for, `${at}: for`),
    };
    if (this.#state.limit !== undefined) declaration.limit = this.#state.limit;
    return declaration;
  }

  /**
   * Attaches the probe, collects one row per event for the given time, and
   * resolves to an arquero table. The table's `meta` holds the counters:
   * `events`, `dropped` (lost to a full ring buffer) and `durationMs`.
   * Interrupting the kernel stops the run and detaches the probe.
   *
   * @example
   * ```ts
   * const t = await tracepoint("sched:sched_process_exec").events({ for: "5s" });
   * t.meta.dropped  // 0 when nothing was lost
   * ```
   */
  async events(options: EventsOptions): Promise<EventsTable> {
    const declaration = this.toDeclaration(options);
    const payload = await probeHost().runEvents(declaration);
    return eventsTable(payload, declaration);
  }
}

function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
