// One entry point for the declarations planned in runtime/planner/*.ts:
// plan, then run with the runner of the template (ring events, TCP, profile).
import type { FunctionEventsDeclaration, ProbeDeclaration, ProfileDeclaration, TcpDeclaration } from "../spec/declaration.js";
import type { PlanOptions } from "../templates/tp_events/plan.js";
import { planProbe } from "../templates/tp_events/plan.js";
import type { FunctionEventsInstance } from "../templates/uprobe_events/plan.js";
import type { ProfileInstance } from "../templates/profile/plan.js";
import type { TcpEventsInstance } from "../templates/tcp_events/plan.js";
import type { RunEventsOptions } from "./ring.js";
import type { ProbeEventsResult } from "./probe-events.js";
import { runProbeEvents } from "./probe-events.js";
import type { ProfileResult } from "../templates/profile/run.js";
import { runProfile } from "../templates/profile/run.js";
import { runTcp } from "./tcp.js";

export type RunProbeOptions = RunEventsOptions & PlanOptions;

export function runProbe(decl: FunctionEventsDeclaration | TcpDeclaration, opts?: RunProbeOptions): Promise<ProbeEventsResult>;
export function runProbe(decl: ProfileDeclaration, opts?: RunProbeOptions): Promise<ProfileResult>;
export function runProbe(decl: ProbeDeclaration, opts?: RunProbeOptions): Promise<ProbeEventsResult | ProfileResult>;
export async function runProbe(decl: ProbeDeclaration, opts: RunProbeOptions = {}): Promise<ProbeEventsResult | ProfileResult> {
  const instance = planProbe(decl, opts);
  switch (instance.template) {
    case "profile": return runProfile(instance as ProfileInstance, opts);
    case "tcp_events": return runTcp(instance as TcpEventsInstance, opts);
    case "uprobe_events": return runProbeEvents(instance as FunctionEventsInstance, opts);
  }
}
