// lat_pairs: the latency between a start and an end event, folded in the kernel (or the slow pairs as rows).
import type { LatencyDeclaration } from "../../spec/declaration.js";
import type { AggregationInstance } from "../../planner/aggregation.js";
import { latPairsDescriptor } from "../aggregation.js";
import type { Template } from "../template.js";
import { planLatency } from "./plan.js";

export const latPairs: Template<AggregationInstance> = {
  name: "lat_pairs",
  descriptor: latPairsDescriptor,
  reader: "aggregate",
  serves: (d) => d.kind === "latency",
  plan: (d, facts) => planLatency(d as LatencyDeclaration, facts),
  why: (p) => "A latency between a start and an end event: lat_pairs stores the start time per thread (or per object, such as a block request) " +
    "and at the end folds end - start into a per-CPU hash map" + (p.events ? ", or emits pairs over the threshold to a ring buffer." : ".") +
    (p.everyMs ? ` Every ${p.everyMs} ms the map's generation is swapped, so each interval is exact.` : ""),
};
