// uprobe_events: one ring-buffer record per hit of a function probe (uprobe, uretprobe, USDT, kprobe, kretprobe, fentry).
import type { FunctionEventsDeclaration } from "../../spec/declaration.js";
import type { Template } from "../template.js";
import { uprobeEventsDescriptor } from "./layout.js";
import { planFunctionEvents, type FunctionEventsInstance } from "./plan.js";

export const uprobeEvents: Template<FunctionEventsInstance> = {
  name: "uprobe_events",
  descriptor: uprobeEventsDescriptor,
  reader: "ring",
  serves: (d) => d.kind === "events" && !["tracepoint", "tls"].includes((d.source as { type?: string } | undefined)?.type ?? ""),
  plan: (d, facts) => planFunctionEvents(d as FunctionEventsDeclaration, facts),
  why: (p, { programs }) => `Function events: uprobe_events has one program per hook kind (uprobe, uretprobe, usdt, kprobe, kretprobe, fentry); ` +
    `only ${programs.join(", ")} is loaded, for ${p.target}. Arguments are read from registers by position, as the value plan in .rodata says.`,
};
