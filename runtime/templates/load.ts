// The one way a planned instance becomes a loaded BPF object: open the object,
// let the template's loader configure it (variants, rodata, map sizes), load
// through the verifier. Every failure closes what was opened and becomes a
// TemplateLoadError that names the template, what it was for and its
// configuration, and keeps the whole verifier log.
import { native } from "../../native/load.js";
import type { BpfObject, NativeError, VerifierError } from "../../native/surface.js";
import { ProbebookError } from "../spec/errors.js";
import { missingCapabilities } from "../host/capabilities.js";

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

export interface LoadRequest {
  /** The planned instance (kept on the error). */
  instance: { template: string; object: string; rodata: unknown };
  /** Follows the template's name in messages: "for syscalls:sys_enter_openat". */
  what: string;
  /** Writes the configuration into the opened object before load. */
  configure(obj: BpfObject): void;
  /** More lines for a failure message (e.g. the map sizes). */
  details?: string;
}

export function loadObject({ instance, what, configure, details }: LoadRequest): BpfObject {
  let obj: BpfObject;
  try {
    obj = native().openObject(instance.object);
  } catch (e) {
    const err = e as NativeError;
    throw new TemplateLoadError(`template ${instance.template}: ${err.message}${hint(err)}`, instance, err);
  }
  try {
    configure(obj);
    obj.load();
    return obj;
  } catch (e) {
    obj.close();
    const err = e as NativeError;
    throw new TemplateLoadError(
      `template ${instance.template} ${what} did not load: ${err.message}${hint(err)}\n` +
        `configuration (.rodata): ${JSON.stringify(instance.rodata, bigintAsString)}${details ? `\n${details}` : ""}`,
      instance,
      err,
    );
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
