// Plans a TCP declaration onto the tcp_events template: the state changes on
// the classic tracepoint, with the tp_btf variant (it also reads tcp_sock's
// byte counters) for the loader to keep where the kernel has BTF
// tracepoints; retransmissions from tcp:tcp_retransmit_skb.
import type { HostFacts } from "../../host/facts.js";
import type { TcpDeclaration } from "../../spec/declaration.js";
import { PlanError } from "../../spec/errors.js";
import { TCP_EVENTS, tcpColumns, tcpEventsDescriptor, type TcpEventsConfig } from "./layout.js";
import type { ProbeAttach } from "../attach-point.js";
import type { RingEventsInstance } from "../ring-spec.js";
import { BATCH_ROWS, checkDuration, checkLimit, POLL_MS, ringSize } from "../../planner/checks.js";

export interface TcpEventsInstance extends RingEventsInstance {
  template: "tcp_events";
  rodata: { cfg: TcpEventsConfig };
  /** The state program on BTF tracepoints (it also reads tcp_sock's byte counters): the loader keeps it where the kernel has tp_btf. */
  btfVariant: { attach: ProbeAttach[] };
}

const FAMILIES = { ipv4: 2, ipv6: 10 } as const;

export function planTcp(decl: TcpDeclaration, facts: HostFacts): TcpEventsInstance {
  checkDuration(decl.durationMs);
  checkLimit(decl.limit);
  const port = decl.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new PlanError("BAD_DECLARATION", `port must be a TCP port (1 to 65535), got ${JSON.stringify(decl.port)}`);
  if (decl.family !== undefined && !(decl.family in FAMILIES))
    throw new PlanError("BAD_DECLARATION", `family must be "ipv4" or "ipv6", got ${JSON.stringify(decl.family)}`);
  const retransmits = decl.retransmits ?? true;
  const P = TCP_EVENTS.programs;
  const retransmit: ProbeAttach[] = retransmits
    ? [{ kind: "tracepoint", program: P.retransmit, category: "tcp", event: "tcp_retransmit_skb" }] : [];
  const attach: ProbeAttach[] = [{ kind: "tracepoint", program: P.state, category: "sock", event: "inet_sock_set_state" }, ...retransmit];
  const ringBytes = ringSize(TCP_EVENTS.eventSize, facts.possibleCpus);
  return {
    template: "tcp_events",
    object: tcpEventsDescriptor.object,
    target: `sock:inet_sock_set_state${retransmits ? " and tcp:tcp_retransmit_skb" : ""}`,
    rodata: { cfg: { port, family: decl.family ? FAMILIES[decl.family] : 0, retransmits: retransmits ? 1 : 0, wakeup_bytes: ringBytes / 4 } },
    maps: { [TCP_EVENTS.ringMap]: { maxEntries: ringBytes } },
    attach,
    btfVariant: { attach: [{ kind: "trace", program: P.stateBtf }, ...retransmit] },
    ring: { map: TCP_EVENTS.ringMap, recordSize: TCP_EVENTS.eventSize, pollMs: POLL_MS, batchRows: BATCH_ROWS },
    counters: { drops: TCP_EVENTS.dropsMap },
    runSwitch: TCP_EVENTS.runSwitch,
    columns: tcpColumns(),
    durationMs: decl.durationMs,
    ...(decl.limit !== undefined ? { limit: decl.limit } : {}),
  };
}
