// Turns a planned aggregation instance (agg_tp, lat_pairs) into a loaded BPF
// object: open, write the rodata configuration, size the maps (entries, key
// and value bytes), load through the verifier. Like load-instance.ts for events.
import type { BpfObject } from "../../native/surface.js";
import { loadObject } from "./load.js";
import { probeFeature } from "../host/features.js";
import type { ProbeAttach } from "../runs/attach.js";
import type { AggregationInstance } from "../planner/aggregation.js";
import { AGGREGATION_DESCRIPTORS } from "./aggregation.js";
import type { EncodableValue } from "./struct-codec.js";
import { encodeSection } from "./struct-codec.js";


/** A loaded instance: the object (the caller closes it) and the programs to attach. */
export interface LoadedAggregation {
  obj: BpfObject;
  attach: ProbeAttach[];
  /** "tp_btf" when the BTF tracepoint variant was kept, else "tracepoint". */
  variant: "tracepoint" | "tp_btf";
}

/** The variant this kernel can run: tp_btf where it has BTF tracepoints (asked, not assumed). */
export function chooseVariant(instance: Pick<AggregationInstance, "attach" | "btfVariant">): Pick<LoadedAggregation, "attach" | "variant"> {
  if (instance.btfVariant && probeFeature("tp_btf").available) return { attach: instance.btfVariant.attach, variant: "tp_btf" };
  return { attach: instance.attach, variant: "tracepoint" };
}

/** Opens, configures and loads the instance's object, with only the chosen variant's programs. */
export function loadAggregation(instance: AggregationInstance): LoadedAggregation {
  const { attach, variant } = chooseVariant(instance);
  const rodata = encodeSection(AGGREGATION_DESCRIPTORS[instance.template], ".rodata", instance.rodata as unknown as Record<string, EncodableValue>);
  const obj = loadObject({
    instance,
    what: `(${instance.describe})`,
    details: `maps: ${JSON.stringify(instance.maps)}`,
    configure(obj) {
      obj.setRodata(".rodata", 0, rodata);
      const used = new Set(attach.map((a) => a.program));
      for (const prog of obj.programNames()) obj.setAutoload(prog, used.has(prog)); // the others stay unloaded
      for (const [prog, fn] of Object.entries(instance.attachTargets ?? {})) if (used.has(prog)) obj.setAttachTarget(prog, fn);
      for (const [map, sizes] of Object.entries(instance.maps)) {
        if (sizes.maxEntries !== undefined) obj.setMapMaxEntries(map, sizes.maxEntries);
        if (sizes.keySize !== undefined) obj.setMapKeySize(map, sizes.keySize);
        if (sizes.valueSize !== undefined) obj.setMapValueSize(map, sizes.valueSize);
      }
    },
  });
  return { obj, attach, variant };
}
