// What the runtime knows about the tcp_events template (bpf/tcp_events.bpf.c),
// from its generated descriptor.
import { descriptor } from "../../../bpf/generated/tcp_events.js";
import type { OutputColumn } from "../columns.js";
import { columnType } from "../columns.js";
import { structColumns } from "../probe-header.js";
import { structSize } from "../struct-codec.js";
import { runSwitchOf } from "../ring-spec.js";

export { descriptor as tcpEventsDescriptor };

export const TCP_EVENTS = {
  template: descriptor.template,
  programs: { state: "pb_tcp_state", stateBtf: "pb_tcp_state_btf", retransmit: "pb_tcp_retransmit" },
  ringMap: "pb_events" satisfies keyof typeof descriptor.maps,
  dropsMap: "pb_drops" satisfies keyof typeof descriptor.maps,
  /** The run's switch in .bss (bpf/common.bpf.h, PB_RUN_SWITCH): stored to end a run. */
  runSwitch: runSwitchOf(descriptor),
  eventSize: structSize(descriptor, "tcp_event"),
  kinds: descriptor.enums.tcp_event_kind,
} as const;

/** The `cfg` rodata: struct tcp_events_config, generated from the object's BTF. */
export type { TcpEventsConfig } from "../../../bpf/generated/tcp_events.js";

/** Columns of struct tcp_event, in the order people read them. */
export function tcpColumns(): OutputColumn[] {
  return structColumns(descriptor, "tcp_event", [
    ["time_ns", "ts_ns"], ["cpu", "cpu"], ["pid", "pid"], ["comm", "comm"], ["kind", "kind"], ["family", "family"],
    ["saddr", "saddr"], ["sport", "sport"], ["daddr", "daddr"], ["dport", "dport"], ["oldstate", "oldstate"],
    ["newstate", "newstate"], ["state_ns", "state_ns"], ["age_ns", "age_ns"], ["bytes_acked", "bytes_acked"],
    ["bytes_received", "bytes_received"], ["has_bytes", "has_bytes"], ["skaddr", "skaddr"],
  ], "tcp_event").map((c) =>
    // a kernel address must not be rounded to a float: it identifies the connection
    c.name === "skaddr" ? { ...c, kind: "u64" as const, type: columnType("u64") } : c);
}

/** include/net/tcp_states.h */
export const TCP_STATE_NAMES: Readonly<Record<number, string>> = {
  1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE",
  8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV",
};
