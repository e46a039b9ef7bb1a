// Loads an instance of any template whose plan is data: open the object,
// choose the program variants (autoload), set fentry targets, write the rodata
// configuration, size the maps, load through the verifier. The caller attaches
// and closes. Errors name the template, the probe and the configuration.
import type { TemplateDescriptor } from "../../bpf/descriptor.js";
import { native } from "../../native/load.js";
import type { BpfObject, NativeError, VerifierError } from "../../native/surface.js";
import type { EncodableValue } from "./struct-codec.js";
import { encodeSection } from "./struct-codec.js";

export interface LoadableInstance {
  template: string;
  /** Absolute path of the compiled object. */
  object: string;
  /** What is probed, for messages: "uprobe /usr/lib/.../libc.so.6:lldiv". */
  target: string;
  rodata: Readonly<Record<string, unknown>>;
  maps: Readonly<Record<string, { maxEntries: number }>>;
  /** The programs to load; the object's other variants stay unloaded. */
  programs: readonly string[];
  /** fentry/fexit programs: kernel function to attach to (set before load). */
  attachTargets?: Readonly<Record<string, string>>;
}

/** The kernel refused an instance; says which template, for what, with which configuration. */
export class ProbeLoadError extends Error {
  override readonly name = "ProbeLoadError";
  readonly code?: string;
  readonly errno?: number;
  readonly verifierLog?: string;
  constructor(message: string, readonly instance: LoadableInstance, override readonly cause: NativeError) {
    super(message);
    this.code = cause.code;
    this.errno = cause.errno;
    if ("verifierLog" in cause) this.verifierLog = (cause as VerifierError).verifierLog;
  }
}

function hint(e: NativeError): string {
  if (e.code === "ENOENT") return " (is the object built? run scripts/build-bpf.sh)";
  if ((e.code === "EPERM" || e.code === "EACCES") && !("verifierLog" in e))
    return " (loading BPF needs root: CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)";
  return "";
}

export function loadTemplate(instance: LoadableInstance, descriptor: TemplateDescriptor): BpfObject {
  const rodata = encodeSection(descriptor, ".rodata", instance.rodata as Record<string, EncodableValue>);
  let obj: BpfObject;
  try {
    obj = native().openObject(instance.object);
  } catch (e) {
    const err = e as NativeError;
    throw new ProbeLoadError(`template ${instance.template}: ${err.message}${hint(err)}`, instance, err);
  }
  try {
    for (const p of descriptor.programs) obj.setAutoload(p.name, instance.programs.includes(p.name));
    for (const [p, fn] of Object.entries(instance.attachTargets ?? {})) obj.setAttachTarget(p, fn);
    obj.setRodata(".rodata", 0, rodata);
    for (const [map, { maxEntries }] of Object.entries(instance.maps)) obj.setMapMaxEntries(map, maxEntries);
    obj.load();
    return obj;
  } catch (e) {
    obj.close();
    const err = e as NativeError;
    throw new ProbeLoadError(
      `template ${instance.template} (${instance.programs.join(", ")}) for ${instance.target} did not load: ` +
        `${err.message}${hint(err)}\nconfiguration (.rodata): ${JSON.stringify(instance.rodata, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`,
      instance, err);
  }
}
