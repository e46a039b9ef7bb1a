// Plans a TCP declaration onto the tcp_events template: picks the tp_btf state
// variant (it also reads tcp_sock's byte counters) where the kernel has BTF
// tracepoints, else the classic tracepoint; retransmissions from tcp:tcp_retransmit_skb.
import { join } from "node:path";
import { packageRoot } from "../../../native/load.js";
import type { TcpDeclaration } from "../../spec/declaration.js";
import { probeFeature, requireFeature } from "../../host/features.js";
import { PlanError } from "../../spec/errors.js";
import { TCP_EVENTS, tcpColumns, tcpEventsDescriptor, type TcpEventsConfig } from "./layout.js";
import type { ProbeAttach } from "../../runs/attach.js";
import type { RingEventsInstance } from "../uprobe_events/plan.js";
import { BATCH_ROWS, checkDuration, checkLimit, POLL_MS, ringSize } from "../../planner/checks.js";

export interface TcpEventsInstance extends RingEventsInstance {
  template: "tcp_events";
  rodata: { cfg: TcpEventsConfig };
  /** "tp_btf" (with byte counters) or "tracepoint". */
  variant: "tp_btf" | "tracepoint";
}

const FAMILIES = { ipv4: 2, ipv6: 10 } as const;

export function planTcp(decl: TcpDeclaration): TcpEventsInstance {
  checkDuration(decl.durationMs);
  checkLimit(decl.limit);
  const port = decl.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new PlanError("BAD_DECLARATION", `port must be a TCP port (1 to 65535), got ${JSON.stringify(decl.port)}`);
  if (decl.family !== undefined && !(decl.family in FAMILIES))
    throw new PlanError("BAD_DECLARATION", `family must be "ipv4" or "ipv6", got ${JSON.stringify(decl.family)}`);
  requireFeature("tracepoint", "TCP events need the sock and tcp tracepoints.");
  const btf = probeFeature("tp_btf").available;
  const retransmits = decl.retransmits ?? true;
  const P = TCP_EVENTS.programs;
  const state = btf ? P.stateBtf : P.state;
  const attach: ProbeAttach[] = [
    btf ? { kind: "trace", program: state } : { kind: "tracepoint", program: state, category: "sock", event: "inet_sock_set_state" },
  ];
  if (retransmits) attach.push({ kind: "tracepoint", program: P.retransmit, category: "tcp", event: "tcp_retransmit_skb" });
  const ringBytes = ringSize(TCP_EVENTS.eventSize);
  return {
    template: "tcp_events",
    object: join(packageRoot(), tcpEventsDescriptor.object),
    target: `sock:inet_sock_set_state${retransmits ? " and tcp:tcp_retransmit_skb" : ""}`,
    variant: btf ? "tp_btf" : "tracepoint",
    programs: [state, P.retransmit],
    rodata: { cfg: { port, family: decl.family ? FAMILIES[decl.family] : 0, retransmits: retransmits ? 1 : 0, wakeup_bytes: ringBytes / 4 } },
    maps: { [TCP_EVENTS.ringMap]: { maxEntries: ringBytes } },
    attach,
    ring: { map: TCP_EVENTS.ringMap, recordSize: TCP_EVENTS.eventSize, pollMs: POLL_MS, batchRows: BATCH_ROWS },
    counters: { drops: TCP_EVENTS.dropsMap, seen: TCP_EVENTS.seenMap },
    columns: tcpColumns(),
    durationMs: decl.durationMs,
    ...(decl.limit !== undefined ? { limit: decl.limit } : {}),
  };
}
