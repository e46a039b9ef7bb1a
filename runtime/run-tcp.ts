// Runs a TCP instance (tcp_events). runProbeEvents() turns its raw columns into
// what people read (readableTcpColumns, runtime/tcp-columns.ts): addresses as
// text ("127.0.0.1", "::1"), kinds and TCP states as names.
import type { TcpDeclaration } from "./declaration.js";
import { planProbe } from "./planner.js";
import type { TcpEventsInstance } from "./planner/tcp.js";
import type { RunEventsOptions } from "./run-events.js";
import type { ProbeEventsResult } from "./run-probe-events.js";
import { runProbeEvents } from "./run-probe-events.js";

export { addressText } from "./tcp-columns.js";

/** Runs a planned TCP instance, or plans a TCP declaration first. */
export async function runTcp(what: TcpEventsInstance | TcpDeclaration, opts: RunEventsOptions = {}): Promise<ProbeEventsResult> {
  return runProbeEvents("template" in what ? what : (planProbe(what) as TcpEventsInstance), opts);
}

