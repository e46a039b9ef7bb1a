// What the planner may know of the host, gathered once per plan by the caller
// and handed in: the planners read no file and probe nothing themselves.
import { readFileSync } from "node:fs";
import type { FeatureSource } from "./features.js";
import { probeFeature } from "./features.js";
import { currentPidNamespace, type PidNamespace } from "./pid-namespace.js";
import { kernelTracefs, type TracefsSource } from "./tracefs.js";
import { findTlsLibraries, type TlsLibrarySource } from "./tls-libraries.js";

export interface HostFacts {
  /** The tracepoints and their formats (tracefs). */
  tracefs: TracefsSource;
  /** The pid namespace filter.pid and the pid/tid columns are in. */
  pidNamespace: PidNamespace;
  /** Possible CPUs: per-CPU maps keep a value for each. */
  possibleCpus: number;
  /** Which hooks the kernel has. Only the choice between a kernel function's hooks (fentry or
   *  kprobe) still reads it at plan time; every other variant is chosen by the loader. */
  features: FeatureSource;
  /** Where OpenSSL's SSL_read/SSL_write are for tls(): process maps, the loader's libssl, a file. */
  tlsLibraries: TlsLibrarySource;
}

/** Possible CPUs (/sys/devices/system/cpu/possible, "0-3,5"), 1 when unreadable. */
export function possibleCpus(file = "/sys/devices/system/cpu/possible"): number {
  try {
    return readFileSync(file, "utf8").trim().split(",").reduce((n, r) => {
      const [a, b] = r.split("-").map(Number);
      return n + (b === undefined ? 1 : b! - a! + 1);
    }, 0) || 1;
  } catch {
    return 1;
  }
}

/** The facts of this host, with any of them given instead (tests, other kernels' plans). */
export function hostFacts(given: Partial<HostFacts> = {}): HostFacts {
  return {
    tracefs: given.tracefs ?? kernelTracefs(),
    pidNamespace: given.pidNamespace ?? currentPidNamespace(),
    possibleCpus: given.possibleCpus ?? possibleCpus(),
    features: given.features ?? probeFeature,
    tlsLibraries: given.tlsLibraries ?? findTlsLibraries,
  };
}
