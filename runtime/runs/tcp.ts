// Runs a TCP instance (tcp_events). runProbeEvents() turns its raw columns into
// what people read (readableTcpColumns, runtime/templates/tcp_events/columns.ts): addresses as
// text ("127.0.0.1", "::1"), kinds and TCP states as names.
import type { TcpDeclaration } from "../spec/declaration.js";
import { planProbe } from "../templates/tp_events/plan.js";
import type { TcpEventsInstance } from "../templates/tcp_events/plan.js";
import type { RunEventsOptions } from "./ring.js";
import type { ProbeEventsResult } from "./probe-events.js";
import { runProbeEvents } from "./probe-events.js";

export { addressText } from "../templates/tcp_events/columns.js";

/** Runs a planned TCP instance, or plans a TCP declaration first. */
export async function runTcp(what: TcpEventsInstance | TcpDeclaration, opts: RunEventsOptions = {}): Promise<ProbeEventsResult> {
  return runProbeEvents("template" in what ? what : (planProbe(what) as TcpEventsInstance), opts);
}

