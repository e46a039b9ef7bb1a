// Turns a planned template instance into a loaded BPF object: open, write the
// rodata configuration, size the maps, load through the verifier. The one place
// where kernel-dependent loading meets the plan (the plan itself stays data).
import { native } from "../../native/load.js";
import type { BpfObject, NativeError, VerifierError } from "../../native/surface.js";
import type { TemplateInstance } from "../planner.js";
import type { EncodableValue } from "./struct-codec.js";
import { encodeSection } from "./struct-codec.js";
import { tpEventsDescriptor } from "./tp-events.js";

/** A template instance the kernel refused; says which template, with which configuration. */
export class TemplateLoadError extends Error {
  override readonly name = "TemplateLoadError";
  readonly code?: string;
  readonly errno?: number;
  /** The whole verifier log when the verifier rejected the program. */
  readonly verifierLog?: string;
  constructor(message: string, readonly instance: TemplateInstance, override readonly cause: NativeError) {
    super(message);
    this.code = cause.code;
    this.errno = cause.errno;
    if ("verifierLog" in cause) this.verifierLog = (cause as VerifierError).verifierLog;
  }
}

function hint(e: NativeError): string {
  switch (e.code) {
    case "EPERM":
    case "EACCES":
      return e.code === "EACCES" && "verifierLog" in e ? "" : " (loading BPF needs root: CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)";
    case "ENOENT":
      return " (is the object built? run scripts/build-bpf.sh)";
    default:
      return "";
  }
}

/** Opens, configures and loads the instance's object; the caller closes it. */
export function loadInstance(instance: TemplateInstance): BpfObject {
  const descriptor = tpEventsDescriptor;
  const rodata = encodeSection(descriptor, ".rodata", instance.rodata as unknown as Record<string, EncodableValue>);
  let obj: BpfObject;
  try {
    obj = native().openObject(instance.object);
  } catch (e) {
    const err = e as NativeError;
    throw new TemplateLoadError(`template ${instance.template}: ${err.message}${hint(err)}`, instance, err);
  }
  try {
    obj.setRodata(".rodata", 0, rodata);
    for (const [map, { maxEntries }] of Object.entries(instance.maps)) obj.setMapMaxEntries(map, maxEntries);
    obj.load();
    return obj;
  } catch (e) {
    obj.close();
    const err = e as NativeError;
    const config = JSON.stringify(instance.rodata, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    throw new TemplateLoadError(
      `template ${instance.template} for ${instance.tracepoint} did not load: ${err.message}${hint(err)}\n` +
        `configuration (.rodata): ${config}`,
      instance,
      err,
    );
  }
}
