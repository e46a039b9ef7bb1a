// agg_tp: a keyed aggregation of one classic tracepoint (and of TCP state changes), in per-CPU maps.
import type { AggregateDeclaration } from "../../spec/declaration.js";
import type { AggregationInstance } from "../../planner/aggregation.js";
import { aggTpDescriptor } from "../aggregation.js";
import type { Template } from "../template.js";
import { planAggregate, planTcpAggregate } from "./plan.js";

export const aggTp: Template<AggregationInstance> = {
  name: "agg_tp",
  descriptor: aggTpDescriptor,
  reader: "aggregate",
  serves: (d) => d.kind === "aggregate" && ["tracepoint", "tcp"].includes((d.source as { type?: string } | undefined)?.type ?? "tracepoint"),
  plan: (d, facts) => (d as AggregateDeclaration).source?.type === "tcp"
    ? planTcpAggregate(d as AggregateDeclaration, facts) : planAggregate(d as AggregateDeclaration, facts),
  why: (p) => "An aggregation of one tracepoint, folded in the kernel: agg_tp builds each key from the record and the task (a key plan in .rodata) " +
    "and updates a per-CPU hash map, so only one value per key is read out, not every event." +
    (p.everyMs ? ` A time series: every ${p.everyMs} ms the map's generation is swapped and the old one read and cleared, so each interval is exact.` : ""),
};
