// One entry point for the declarations planned in runtime/planner/*.ts:
// plan, then run with the runner of the template (ring events, TCP, profile).
import type { FunctionEventsDeclaration, ProbeDeclaration, ProfileDeclaration, TcpDeclaration } from "./declaration.js";
import type { PlanOptions } from "./planner.js";
import { planProbe } from "./planner.js";
import type { FunctionEventsInstance } from "./planner/function-events.js";
import type { ProfileInstance } from "./planner/profile.js";
import type { TcpEventsInstance } from "./planner/tcp.js";
import type { RunEventsOptions } from "./run-events.js";
import type { ProbeEventsResult } from "./run-probe-events.js";
import { runProbeEvents } from "./run-probe-events.js";
import type { ProfileResult } from "./run-profile.js";
import { runProfile } from "./run-profile.js";
import { runTcp } from "./run-tcp.js";

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
