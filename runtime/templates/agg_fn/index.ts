// agg_fn: a keyed aggregation of a function probe's hits (uprobe, uretprobe, USDT, kprobe, kretprobe, fentry).
import type { AggregateDeclaration } from "../../spec/declaration.js";
import type { AggregationInstance } from "../../planner/aggregation.js";
import { aggFnDescriptor } from "../aggregation.js";
import type { Template } from "../template.js";
import { planFunctionAggregate } from "./plan.js";

const FUNCTION_SOURCES = ["uprobe", "usdt", "kprobe", "fentry"];

export const aggFn: Template<AggregationInstance> = {
  name: "agg_fn",
  descriptor: aggFnDescriptor,
  reader: "aggregate",
  serves: (d) => d.kind === "aggregate" && FUNCTION_SOURCES.includes((d.source as { type?: string } | undefined)?.type ?? ""),
  plan: (d, facts) => planFunctionAggregate(d as AggregateDeclaration, facts),
  why: (p, { programs, attach }) => `An aggregation of a function probe, folded in the kernel: agg_fn has one program per hook kind (uprobe, uretprobe, usdt, ` +
    `kprobe, kretprobe, fentry); only ${programs.join(", ")} is loaded, for ${attach.join(", ")}. ` +
    "Its key plan and value read the arguments and return value the declaration names (registers, fentry's arguments, or USDT's copied), " +
    "and update a per-CPU hash map." +
    (p.everyMs ? ` A time series: every ${p.everyMs} ms the map's generation is swapped and the old one read and cleared, so each interval is exact.` : ""),
};
