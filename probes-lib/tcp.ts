// tcp(): TCP connections as they change state (connect, accept, close, with
// the time spent in each state and the connection's age and bytes) and
// retransmissions, from sock:inet_sock_set_state and tcp:tcp_retransmit_skb.

import type { TcpDeclaration } from "../runtime/spec/declaration.js";
import { AggregationProbe } from "./aggregation.js";
import type { EventsTable } from "./events-table.js";
import type { ProbeTable } from "./result-table.js";
import { Probe } from "./probe.js";
import { quote } from "./quote.js";
import type { RunOptions } from "./run-options.js";

/** Filters of {@link TcpProbe.where}. */
export interface TcpWhere {
  /** Only connections with this local or remote port. */
  port?: number;
  /** Only IPv4 or only IPv6. */
  family?: "ipv4" | "ipv6";
}

interface TcpState {
  code: string;
  port?: number;
  family?: "ipv4" | "ipv6";
  retransmits?: boolean;
  limit?: number;
}

/**
 * TCP events: one row per state change of a connection (`oldstate` →
 * `newstate`, with `state_ns` spent in the old state, `age_ns` since it
 * began, bytes acked and received) and per retransmitted segment (`kind`).
 * Connect latency is the SYN_SENT → ESTABLISHED row's `state_ns`; a
 * connection's lifetime is its → CLOSE row's `age_ns`.
 *
 * @example
 * ```ts
 * const t = await tcp().where({ port: 5432 }).events({ for: "10s" });
 * ```
 */
export function tcp(): TcpProbe {
  return new TcpProbe({ code: "tcp()" });
}

/** TCP events being built. Made by {@link tcp}. */
export class TcpProbe extends Probe {
  readonly #state: TcpState;

  /** @internal use {@link tcp} */
  constructor(state: TcpState) {
    super(state.code);
    this.#state = state;
  }

  #next(call: string, change: Partial<TcpState>): TcpProbe {
    return new TcpProbe({ ...this.#state, ...change, code: `${this.code}.${call}` });
  }

  /**
   * Only connections on a port (local or remote) and/or of one family, filtered in the kernel.
   *
   * @example
   * ```ts
   * tcp().where({ port: 443, family: "ipv6" })
   * ```
   */
  where(filter: TcpWhere): TcpProbe {
    const at = `${this.code}.where(...)`;
    if (filter === null || typeof filter !== "object") throw new TypeError(`${at}: pass an object such as { port: 443 }`);
    for (const key of Object.keys(filter)) if (key !== "port" && key !== "family") throw new TypeError(`${at}: unknown filter key "${key}"; TCP events filter by port and family`);
    if (filter.port !== undefined && (!Number.isInteger(filter.port) || filter.port < 1 || filter.port > 65535)) throw new RangeError(`${at}: port must be a TCP port from 1 to 65535, not ${quote(filter.port)}`);
    if (filter.family !== undefined && filter.family !== "ipv4" && filter.family !== "ipv6") throw new TypeError(`${at}: family must be "ipv4" or "ipv6", not ${quote(filter.family)}`);
    return this.#next(`where(${quote(filter)})`, { ...filter });
  }

  /**
   * Whether retransmissions are included (default true).
   *
   * @example
   * ```ts
   * tcp().retransmits(false)
   * ```
   */
  retransmits(include: boolean): TcpProbe {
    if (typeof include !== "boolean") throw new TypeError(`${this.code}.retransmits(${quote(include)}): pass true or false`);
    return this.#next(`retransmits(${include})`, { retransmits: include });
  }

  /**
   * Stops after this many rows.
   *
   * @example
   * ```ts
   * tcp().limit(100).events({ for: "1m" })
   * ```
   */
  limit(rows: number): TcpProbe {
    if (!Number.isInteger(rows) || rows <= 0) throw new RangeError(`${this.code}.limit(${quote(rows)}): the limit must be a positive whole number of rows`);
    return this.#next(`limit(${rows})`, { limit: rows });
  }

  /**
   * Counts TCP state changes in the kernel (sock:inet_sock_set_state, TCP
   * only); add keys with `.by(...)`: `new_state` and `old_state` (shown as
   * names, "ESTABLISHED"), `sport`, `dport`, `family`, or the task keys (the
   * task a change happens in: often not the connection's owner). A port
   * filter is for events; key by `sport` or `dport` instead.
   *
   * @example
   * ```ts
   * await tcp().count().by("new_state").run({ for: "5s" })
   * ```
   */
  count(options: RunOptions): Promise<ProbeTable>;
  count(): AggregationProbe;
  count(options?: RunOptions): AggregationProbe | Promise<ProbeTable> {
    const s = this.#state, at = `${this.code}.count()`;
    if (s.port !== undefined) throw new TypeError(`${at}: a port filter is for events (either end); key the aggregation by "sport" or "dport" instead`);
    if (s.limit !== undefined) throw new TypeError(`${at}: .limit() is for events; an aggregation has one row per key`);
    if (s.retransmits !== undefined) throw new TypeError(`${at}: retransmits are events; the aggregation counts state changes`);
    const aggregation = new AggregationProbe({
      code: at,
      base: { kind: "aggregate", source: { type: "tcp", ...(s.family ? { family: s.family } : {}) }, value: { op: "count" } },
      filter: {},
      keys: [],
    });
    return options === undefined ? aggregation : aggregation.run(options);
  }

  /**
   * Collects TCP events for the given time. Without options it is the same
   * probe, to run in the background: `.events().start()`.
   *
   * @example
   * ```ts
   * await tcp().events({ for: "5s" })
   * ```
   */
  events(options: RunOptions): Promise<EventsTable>;
  events(): this;
  events(options?: RunOptions): this | Promise<EventsTable> {
    if (arguments.length === 0) return this; // a probe's declaration is its events: .events().start()
    return this.runFor(options, `${this.code}.events(...)`);
  }

  protected override declare(durationMs: number): TcpDeclaration {
    const s = this.#state;
    return {
      kind: "tcp",
      ...(s.port !== undefined ? { port: s.port } : {}),
      ...(s.family !== undefined ? { family: s.family } : {}),
      ...(s.retransmits !== undefined ? { retransmits: s.retransmits } : {}),
      durationMs,
      ...(s.limit !== undefined ? { limit: s.limit } : {}),
    };
  }
}
