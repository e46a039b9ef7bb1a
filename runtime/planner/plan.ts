// The planner's one entry point: the template that serves a declaration
// (runtime/templates/registry.ts) plans it from host facts gathered once.
// Pure but for those facts: no template planner reads a file, probes a
// feature or finds the package; the spec it returns is plain data that
// load() (runtime/templates/load.ts) turns into a loaded object.
import { hostFacts, type HostFacts } from "../host/facts.js";
import type { AggregationInstance } from "./aggregation.js";
import type { AggregateDeclaration, AnyDeclaration, EventsDeclaration, FunctionEventsDeclaration, LatencyDeclaration, ProfileDeclaration, TcpDeclaration } from "../spec/declaration.js";
import { templateFor } from "../templates/registry.js";
import type { TpEventsInstance } from "../templates/tp_events/plan.js";
import type { FunctionEventsInstance } from "../templates/uprobe_events/plan.js";
import type { TcpEventsInstance } from "../templates/tcp_events/plan.js";
import type { ProfileInstance } from "../templates/profile/plan.js";

/** Host facts to plan with instead of this host's (tests, other kernels' plans). */
export type PlanOptions = Partial<HostFacts>;

/** What plan() returns: a spec of one of the templates. */
export type Spec = TpEventsInstance | FunctionEventsInstance | TcpEventsInstance | AggregationInstance | ProfileInstance;

export function plan(decl: EventsDeclaration, opts?: PlanOptions): TpEventsInstance;
export function plan(decl: FunctionEventsDeclaration, opts?: PlanOptions): FunctionEventsInstance;
export function plan(decl: TcpDeclaration, opts?: PlanOptions): TcpEventsInstance;
export function plan(decl: ProfileDeclaration, opts?: PlanOptions): ProfileInstance;
export function plan(decl: AggregateDeclaration | LatencyDeclaration, opts?: PlanOptions): AggregationInstance;
export function plan(decl: AnyDeclaration, opts?: PlanOptions): Spec;
export function plan(decl: AnyDeclaration, opts: PlanOptions = {}): Spec {
  return templateFor(decl).plan(decl, hostFacts(opts)) as Spec;
}
