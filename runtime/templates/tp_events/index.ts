// tp_events: one ring-buffer record per hit of a classic tracepoint.
import type { EventsDeclaration } from "../../spec/declaration.js";
import type { Template } from "../template.js";
import { tpEventsDescriptor } from "./layout.js";
import { planEvents, type TpEventsInstance } from "./plan.js";

export const tpEvents: Template<TpEventsInstance> = {
  name: "tp_events",
  descriptor: tpEventsDescriptor,
  reader: "ring",
  serves: (d) => d.kind === "events" && (d.source as { type?: unknown } | undefined)?.type === "tracepoint",
  plan: (d, facts) => planEvents(d as EventsDeclaration, facts),
  why: (p) => {
    const skipped = p.skippedFields.length ? ` Fields left out: ${p.skippedFields.map((f) => `${f.name} (${f.reason})`).join("; ")}.` : "";
    return "One row per event of a classic tracepoint: tp_events copies the chosen fields (a field plan in .rodata) into a ring-buffer record; " +
      "the pid filter runs in the kernel before anything is copied." + skipped;
  },
};
