// The one loader: every spec becomes a loaded BPF object here, and only here
// is the running kernel asked what it supports. load() checks the features
// the template can't run without, that the spec's maps fit in the process's
// memory budget (host/memory-budget.ts), keeps the variant the kernel has (tp_btf
// over classic tracepoints where it exists), opens the object, autoloads only
// the programs that variant attaches, names fentry/fexit targets, writes the
// rodata configuration, sizes the maps and loads through the verifier. Every
// failure closes what was opened and becomes a TemplateLoadError that names
// the template, what it was for and its configuration, and keeps the whole
// verifier log.
import { isAbsolute, join } from "node:path";
import { native, packageRoot } from "../../native/load.js";
import type { BpfObject, NativeError, VerifierError } from "../../native/surface.js";
import { ProbebookError } from "../spec/errors.js";
import { missingCapabilities } from "../host/capabilities.js";
import type { FeatureSource } from "../host/features.js";
import { possibleCpus } from "../host/facts.js";
import { memoryBudget, type MemoryBudget } from "../host/memory-budget.js";
import { probeFeature, requireFeature } from "../host/features.js";
import type { ProbeAttach } from "./attach-point.js";
import { templateNamed } from "./registry.js";
import type { EncodableValue } from "./struct-codec.js";
import { encodeSection } from "./struct-codec.js";
import { plannedMapBytes } from "./map-memory.js";

/** A template instance the kernel refused; says which template, for what, with which configuration.
 *  code: VERIFIER_REJECTED (with the whole verifierLog), PERMISSION (EPERM, EACCES) or LOAD_FAILED;
 *  details: the template, errno and its name. */
export class TemplateLoadError extends ProbebookError {
  override readonly name = "TemplateLoadError";
  readonly errno?: number;
  constructor(message: string, readonly instance: { template: string }, override readonly cause: NativeError) {
    const log = "verifierLog" in cause ? (cause as VerifierError).verifierLog : undefined;
    const code = log ? "VERIFIER_REJECTED" : cause.code === "EPERM" || cause.code === "EACCES" ? "PERMISSION" : "LOAD_FAILED";
    super(code, message, { template: instance.template, errno: cause.errno, errnoCode: cause.code }, log);
    this.errno = cause.errno;
  }
}

/** What load() needs of a spec: every template's spec has it. */
export interface LoadableSpec {
  template: string;
  /** The compiled object, relative to the package root (or absolute). */
  object: string;
  rodata: unknown;
  maps: Readonly<Record<string, { maxEntries?: number; keySize?: number; valueSize?: number }>>;
  attach: readonly ProbeAttach[];
  /** The programs to load when the classic variant is kept (default: those `attach` names). */
  programs?: readonly string[];
  /** fentry/fexit programs: the kernel function of each, named before load. */
  attachTargets?: Readonly<Record<string, string>>;
  /** The same spec on BTF tracepoints: kept where the kernel has tp_btf. */
  btfVariant?: { attach: readonly ProbeAttach[] };
  /** For messages: "count of syscalls:sys_enter_getppid by pid", "uprobe /usr/lib/...:lldiv", "syscalls:sys_enter_openat". */
  describe?: string;
  target?: string;
  tracepoint?: string;
}

/** A loaded spec: the object (the caller closes it), the attach points of the variant kept, and which. */
export interface Loaded {
  obj: BpfObject;
  attach: ProbeAttach[];
  /** "tp_btf" when the BTF tracepoint variant was kept, else "tracepoint" (the spec's own attach points). */
  variant: "tracepoint" | "tp_btf";
}

/** The variant this kernel runs: tp_btf where it has BTF tracepoints (asked, not assumed). */
export function chooseVariant(spec: Pick<LoadableSpec, "attach" | "btfVariant">, features: FeatureSource = probeFeature): Pick<Loaded, "attach" | "variant"> {
  if (spec.btfVariant && features("tp_btf").available) return { attach: [...spec.btfVariant.attach], variant: "tp_btf" };
  return { attach: [...spec.attach], variant: "tracepoint" };
}

/** The compiled object's path on this machine. */
export function objectPath(object: string): string {
  return isAbsolute(object) ? object : join(packageRoot(), object);
}

/** `budget`: the kernel process's memory budget, which the spec's maps must fit in before any is made. */
export function load(spec: LoadableSpec, features: FeatureSource = probeFeature, budget: MemoryBudget = memoryBudget): Loaded {
  const template = templateNamed(spec.template);
  for (const r of template.requires ?? []) requireFeature(r.feature, r.alternative, features);
  budget.admit(plannedMapBytes(template.descriptor, spec.maps, possibleCpus()), `the probe ${spec.describe ?? spec.tracepoint ?? `${spec.template} for ${spec.target}`}`);
  const { attach, variant } = chooseVariant(spec, features);
  const programs = new Set(variant === "tracepoint" && spec.programs ? spec.programs : attach.map((a) => a.program));
  const rodata = encodeSection(template.descriptor, ".rodata", spec.rodata as Record<string, EncodableValue>);
  const what = spec.describe ? `(${spec.describe})` : spec.tracepoint ? `for ${spec.tracepoint}` : `(${[...programs].join(", ")}) for ${spec.target}`;
  const obj = open(spec, objectPath(spec.object));
  try {
    for (const p of template.descriptor.programs) obj.setAutoload(p.name, programs.has(p.name)); // the other variants stay unloaded
    for (const [p, fn] of Object.entries(spec.attachTargets ?? {})) if (programs.has(p)) obj.setAttachTarget(p, fn);
    obj.setRodata(".rodata", 0, rodata);
    for (const [map, sizes] of Object.entries(spec.maps)) {
      if (sizes.maxEntries !== undefined) obj.setMapMaxEntries(map, sizes.maxEntries);
      if (sizes.keySize !== undefined) obj.setMapKeySize(map, sizes.keySize);
      if (sizes.valueSize !== undefined) obj.setMapValueSize(map, sizes.valueSize);
    }
    obj.load();
    return { obj, attach, variant };
  } catch (e) {
    obj.close();
    const err = e as NativeError;
    throw new TemplateLoadError(
      `template ${spec.template} ${what} did not load: ${err.message}${hint(err)}\n` +
        `configuration (.rodata): ${JSON.stringify(spec.rodata, bigintAsString)}${spec.describe ? `\nmaps: ${JSON.stringify(spec.maps)}` : ""}`,
      spec,
      err,
    );
  }
}

function open(spec: LoadableSpec, path: string): BpfObject {
  try {
    return native().openObject(path);
  } catch (e) {
    const err = e as NativeError;
    throw new TemplateLoadError(`template ${spec.template}: ${err.message}${hint(err)}`, spec, err);
  }
}

function hint(e: NativeError): string {
  if ((e.code === "EPERM" || e.code === "EACCES") && !("verifierLog" in e)) {
    const missing = missingCapabilities();
    if (missing.length) {
      return ` (this kernel process lacks ${missing.join(", ")}: probes need CAP_BPF and CAP_PERFMON, and CAP_SYS_ADMIN for some hooks; ` +
        "start the kernel as root, or with those capabilities; cells without probes and load() work without them)";
    }
    return " (loading BPF needs root: CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN; this process has them, so the kernel's lockdown or a security module refused it)";
  }
  if (e.code === "ENOENT") return " (is the object built? run scripts/build-bpf.sh)";
  if (e.code === "ENOMEM" || e.code === "E2BIG") return " (the maps are too large: ask for fewer keys or buckets)";
  return "";
}

/** u64 members are bigints: printed as strings. */
const bigintAsString = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);
