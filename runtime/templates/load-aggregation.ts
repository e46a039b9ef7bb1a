// Turns a planned aggregation instance (agg_tp, lat_pairs) into a loaded BPF
// object: open, write the rodata configuration, size the maps (entries, key
// and value bytes), load through the verifier. Like load-instance.ts for events.
import { native } from "../../native/load.js";
import type { BpfObject, NativeError, VerifierError } from "../../native/surface.js";
import { probeFeature } from "../features.js";
import type { AggregationInstance, AttachPoint } from "../planner/agg-plan.js";
import { AGGREGATION_DESCRIPTORS } from "./aggregation.js";
import type { EncodableValue } from "./struct-codec.js";
import { encodeSection } from "./struct-codec.js";

/** An aggregation instance the kernel refused; says which template, with which configuration. */
export class AggregationLoadError extends Error {
  override readonly name = "AggregationLoadError";
  readonly code?: string;
  readonly errno?: number;
  /** The whole verifier log when the verifier rejected a program. */
  readonly verifierLog?: string;
  constructor(message: string, readonly instance: AggregationInstance, override readonly cause: NativeError) {
    super(message);
    this.code = cause.code;
    this.errno = cause.errno;
    if ("verifierLog" in cause) this.verifierLog = (cause as VerifierError).verifierLog;
  }
}

function hint(e: NativeError): string {
  if ((e.code === "EPERM" || e.code === "EACCES") && !("verifierLog" in e))
    return " (loading BPF needs root: CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)";
  if (e.code === "ENOENT") return " (is the object built? run scripts/build-bpf.sh)";
  if (e.code === "ENOMEM" || e.code === "E2BIG") return " (the maps are too large: lower maxKeys or the histogram's buckets)";
  return "";
}

// bigint members (u64 values) printed as strings
const replacer = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/** A loaded instance: the object (the caller closes it) and the programs to attach. */
export interface LoadedAggregation {
  obj: BpfObject;
  attach: AttachPoint[];
  /** "tp_btf" when the BTF tracepoint variant was kept, else "tracepoint". */
  variant: "tracepoint" | "tp_btf";
}

/** The variant this kernel can run: tp_btf where it has BTF tracepoints (asked, not assumed). */
function chooseVariant(instance: AggregationInstance): Pick<LoadedAggregation, "attach" | "variant"> {
  if (instance.btfVariant && probeFeature("tp_btf").available) return { attach: instance.btfVariant.attach, variant: "tp_btf" };
  return { attach: instance.attach, variant: "tracepoint" };
}

/** Opens, configures and loads the instance's object, with only the chosen variant's programs. */
export function loadAggregation(instance: AggregationInstance): LoadedAggregation {
  const { attach, variant } = chooseVariant(instance);
  const descriptor = AGGREGATION_DESCRIPTORS[instance.template];
  const rodata = encodeSection(descriptor, ".rodata", instance.rodata as unknown as Record<string, EncodableValue>);
  let obj: BpfObject;
  try {
    obj = native().openObject(instance.object);
  } catch (e) {
    const err = e as NativeError;
    throw new AggregationLoadError(`template ${instance.template}: ${err.message}${hint(err)}`, instance, err);
  }
  try {
    obj.setRodata(".rodata", 0, rodata);
    const used = new Set(attach.map((a) => a.program));
    for (const prog of obj.programNames()) obj.setAutoload(prog, used.has(prog)); // the others stay unloaded
    for (const [map, sizes] of Object.entries(instance.maps)) {
      if (sizes.maxEntries !== undefined) obj.setMapMaxEntries(map, sizes.maxEntries);
      if (sizes.keySize !== undefined) obj.setMapKeySize(map, sizes.keySize);
      if (sizes.valueSize !== undefined) obj.setMapValueSize(map, sizes.valueSize);
    }
    obj.load();
    return { obj, attach, variant };
  } catch (e) {
    obj.close();
    const err = e as NativeError;
    throw new AggregationLoadError(
      `template ${instance.template} (${instance.describe}) did not load: ${err.message}${hint(err)}\n` +
        `configuration (.rodata): ${JSON.stringify(instance.rodata, replacer)}\nmaps: ${JSON.stringify(instance.maps)}`,
      instance,
      err,
    );
  }
}
