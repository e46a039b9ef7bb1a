// tcp_events: TCP state changes and retransmissions, one ring-buffer record each.
import type { TcpDeclaration } from "../../spec/declaration.js";
import type { Template } from "../template.js";
import { readableTcpColumns } from "./columns.js";
import { tcpEventsDescriptor } from "./layout.js";
import { planTcp, type TcpEventsInstance } from "./plan.js";

export const tcpEvents: Template<TcpEventsInstance> = {
  name: "tcp_events",
  descriptor: tcpEventsDescriptor,
  reader: "ring",
  serves: (d) => d.kind === "tcp",
  plan: (d, facts) => planTcp(d as TcpDeclaration, facts),
  requires: [{ feature: "tracepoint", alternative: "TCP events need the sock and tcp tracepoints." }],
  readable: (table) => readableTcpColumns(table),
  why: (_p, { programs }) => `TCP state changes and retransmits: tcp_events keeps ${programs.includes("pb_tcp_state_btf")
    ? "the tp_btf variant (this kernel has BTF tracepoints, which also read the socket's byte counters)"
    : "the classic tracepoint variant (this kernel has no BTF tracepoints)"}.`,
};
