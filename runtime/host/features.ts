// What the running kernel can do (contract 5: ask the host, not a table of
// versions). Each feature is probed the way the templates use it: a tiny
// program of bpf/feature_probes.bpf.c is loaded through the verifier AND
// attached, because on some kernels only attaching fails (here kprobes load but
// cannot attach: CONFIG_KPROBES is off; fentry is refused at load with EPERM).
// Map types are probed by creating a map. The probes are declared in ONE table
// (FEATURES); only conclusive answers are cached: an error that says nothing
// about the kernel (EMFILE, ENOMEM, EAGAIN...) is reported, not remembered.
import { ProbebookError } from "../spec/errors.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { descriptor as featureProbes } from "../../bpf/generated/feature_probes.js";
import { native, packageRoot } from "../../native/load.js";
import type { BpfObject, NativeError } from "../../native/surface.js";
import { readUsdtNotes } from "./usdt-notes.js";
import type { FeatureInfo } from "../spec/protocol.js";

export type FeatureName =
  | "tracepoint" | "raw_tp" | "tp_btf" | "kprobe" | "fentry" | "uprobe" | "usdt" | "perf_event"
  | "ringbuf" | "percpu_hash" | "percpu_array" | "stack_trace";

export interface FeatureStatus {
  feature: FeatureName;
  available: boolean;
  /** False when the probe failed for a reason that says nothing about the kernel (not cached). */
  conclusive: boolean;
  /** The step that failed: "load" (the verifier or the kernel refused the program), "attach", "create" (a map). */
  failedAt?: "load" | "attach" | "create" | "requires" | "denied";
  /** errno name of the failure ("EPERM", "ENOENT", ...). */
  code?: string;
  /** The error, as the addon said it: "attach kprobe do_sys_openat2: ENOENT (...)". */
  reason?: string;
}

type ProgramName = (typeof featureProbes.programs)[number]["name"];

interface FeatureProbe {
  /** What people call it, for messages. */
  title: string;
  /** Why it might be missing, for messages. */
  missingBecause: string;
  probe: () => FeatureStatus;
}

// Errors that are about the moment (resources, signals), not about what the kernel supports.
const TRANSIENT = new Set(["EMFILE", "ENFILE", "ENOMEM", "EAGAIN", "EINTR", "EBUSY"]);

function failure(feature: FeatureName, failedAt: FeatureStatus["failedAt"], e: unknown): FeatureStatus {
  const err = e as NativeError;
  const code = err.code ?? "EUNKNOWN";
  return { feature, available: false, conclusive: !TRANSIENT.has(code), failedAt, code, reason: err.message };
}

/** Loads only `program` of the probe object, then attaches it with `attach`. */
function loadAndAttach(feature: FeatureName, program: ProgramName, attach: (o: BpfObject) => void): FeatureStatus {
  let obj: BpfObject;
  try {
    obj = native().openObject(join(packageRoot(), featureProbes.object));
  } catch (e) {
    return { ...failure(feature, "load", e), conclusive: false }; // our file, not the kernel
  }
  try {
    for (const p of featureProbes.programs) obj.setAutoload(p.name, p.name === program);
    try {
      obj.load();
    } catch (e) {
      return failure(feature, "load", e);
    }
    try {
      attach(obj);
    } catch (e) {
      return failure(feature, "attach", e);
    }
    return { feature, available: true, conclusive: true };
  } finally {
    obj.close(); // detaches at once: the program ran for an instant at most
  }
}

function mapType(feature: FeatureName, type: string): FeatureStatus {
  try {
    const available = native().probeMapType(type); // creates (and frees) a map of the type
    return available ? { feature, available, conclusive: true } : { feature, available, conclusive: true, failedAt: "create" };
  } catch (e) {
    return failure(feature, "create", e);
  }
}

/** A function of the C library this process has mapped: a target every uprobe probe can resolve. */
export function libcPath(): string {
  const maps = readFileSync("/proc/self/maps", "utf8");
  const m = /\s(\/\S*\/libc(?:-[\d.]+)?\.so(?:\.\d+)?)$/m.exec(maps);
  if (!m) throw new Error("cannot find the C library in /proc/self/maps");
  return m[1]!;
}

/** A USDT probe this process has mapped: libstdc++'s libstdcxx:throw, if the library carries its notes. */
export function usdtTarget(): { binary: string; provider: string; name: string } | undefined {
  const m = /\s(\/\S*\/libstdc\+\+\.so[.\d]*)$/m.exec(readFileSync("/proc/self/maps", "utf8"));
  if (!m) return undefined;
  try {
    const notes = readUsdtNotes(m[1]!);
    return notes.some((n) => n.provider === "libstdcxx" && n.name === "throw")
      ? { binary: m[1]!, provider: "libstdcxx", name: "throw" } : undefined;
  } catch {
    return undefined;
  }
}

/** The feature table: one probe per hook kind and map type the templates use. */
export const FEATURES: Readonly<Record<FeatureName, FeatureProbe>> = {
  tracepoint: {
    title: "classic tracepoints",
    missingBecause: "CONFIG_TRACEPOINTS/CONFIG_PERF_EVENTS may be off, or tracefs is not mounted",
    probe: () => loadAndAttach("tracepoint", "pb_fp_tracepoint",
      (o) => o.attachTracepoint("pb_fp_tracepoint", "syscalls", "sys_enter_getppid")),
  },
  raw_tp: {
    title: "raw tracepoints",
    missingBecause: "the kernel predates raw tracepoints (4.17)",
    probe: () => loadAndAttach("raw_tp", "pb_fp_raw_tp", (o) => o.attachRawTracepoint("pb_fp_raw_tp", "sys_enter")),
  },
  tp_btf: {
    title: "BTF tracepoints (tp_btf)",
    missingBecause: "the kernel has no BTF (CONFIG_DEBUG_INFO_BTF) or predates tp_btf (5.5)",
    probe: () => loadAndAttach("tp_btf", "pb_fp_tp_btf", (o) => o.attachTrace("pb_fp_tp_btf")),
  },
  kprobe: {
    title: "kprobes",
    missingBecause: "CONFIG_KPROBES is off",
    probe: () => loadAndAttach("kprobe", "pb_fp_kprobe",
      (o) => o.attachKprobe("pb_fp_kprobe", { function: "do_sys_openat2" })),
  },
  fentry: {
    title: "fentry/fexit (BPF trampolines)",
    missingBecause: "BPF trampolines are not built in (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS) or a security policy forbids them",
    probe: () => loadAndAttach("fentry", "pb_fp_fentry", (o) => o.attachTrace("pb_fp_fentry")),
  },
  uprobe: {
    title: "uprobes",
    missingBecause: "CONFIG_UPROBE_EVENTS is off",
    probe: () => loadAndAttach("uprobe", "pb_fp_uprobe",
      (o) => o.attachUprobe("pb_fp_uprobe", { binary: libcPath(), symbol: "getpid", pid: process.pid })),
  },
  usdt: {
    title: "USDT probes",
    missingBecause: "uprobes are missing, or libbpf was built without USDT support",
    // A USDT probe is a uprobe at a note's address plus libbpf's argument specs.
    // Attached for real to libstdc++'s libstdcxx:throw note (Node maps libstdc++)
    // when it is there; else the program (usdt.bpf.h's argument fetching, BPF
    // cookies) must load on a kernel whose uprobes attach.
    probe: () => {
      if (!native().capability.usdt)
        return { feature: "usdt", available: false, conclusive: true, failedAt: "requires",
          reason: `libbpf ${native().capability.libbpf} has no USDT support (needs 0.8 or later)` };
      const up = probeFeature("uprobe");
      if (!up.available)
        return { feature: "usdt", available: false, conclusive: up.conclusive, failedAt: "requires", code: up.code,
          reason: `USDT probes are uprobes, and uprobes are not available: ${up.reason}` };
      const target = usdtTarget();
      return loadAndAttach("usdt", "pb_fp_usdt", target
        ? (o) => o.attachUsdt("pb_fp_usdt", { ...target, pid: process.pid })
        : () => {});
    },
  },
  perf_event: {
    title: "perf-event sampling",
    missingBecause: "CONFIG_PERF_EVENTS is off or kernel.perf_event_paranoid forbids it",
    probe: () => loadAndAttach("perf_event", "pb_fp_perf_event",
      (o) => o.attachPerfEvent("pb_fp_perf_event", { cpu: 0, frequency: 1 })),
  },
  ringbuf: { title: "BPF ring buffers", missingBecause: "the kernel predates 5.8", probe: () => mapType("ringbuf", "ringbuf") },
  percpu_hash: { title: "per-CPU hash maps", missingBecause: "the kernel predates 4.6", probe: () => mapType("percpu_hash", "percpu_hash") },
  percpu_array: { title: "per-CPU arrays", missingBecause: "the kernel predates 4.6", probe: () => mapType("percpu_array", "percpu_array") },
  stack_trace: { title: "stack trace maps", missingBecause: "CONFIG_PERF_EVENTS is off or the kernel predates 4.6", probe: () => mapType("stack_trace", "stack_trace") },
};

export const FEATURE_NAMES = Object.keys(FEATURES) as FeatureName[];

const cache = new Map<FeatureName, FeatureStatus>();

/**
 * Features turned off by PROBEBOOK_DENY_FEATURES (a comma-separated list, e.g.
 * "fentry"): the planner then takes the fallback as on a kernel without them,
 * to compare hooks on one kernel or to step around a kernel's broken feature.
 */
function deniedFeatures(): Set<string> {
  return new Set((process.env.PROBEBOOK_DENY_FEATURES ?? "").split(",").map((f) => f.trim()).filter(Boolean));
}

/** Probes one feature (cached once the answer is conclusive). */
export function probeFeature(name: FeatureName): FeatureStatus {
  const entry = FEATURES[name];
  if (!entry) throw new TypeError(`unknown feature "${name}" (known: ${FEATURE_NAMES.join(", ")})`);
  if (deniedFeatures().has(name))
    return { feature: name, available: false, conclusive: true, failedAt: "denied", reason: "turned off by PROBEBOOK_DENY_FEATURES" };
  const hit = cache.get(name);
  if (hit) return hit;
  const status = entry.probe();
  if (status.conclusive) cache.set(name, status);
  return status;
}

/** Every feature of the table. */
export function probeFeatures(): Record<FeatureName, FeatureStatus> {
  return Object.fromEntries(FEATURE_NAMES.map((n) => [n, probeFeature(n)])) as Record<FeatureName, FeatureStatus>;
}

/** Every feature as a cell sees it (features()): its name, what people call it, and, when
 *  missing, the step that failed, its errno and why it can be missing. */
export function featureReport(): FeatureInfo[] {
  return FEATURE_NAMES.map((name) => {
    const s = probeFeature(name), f = FEATURES[name];
    return {
      feature: name, title: f.title, available: s.available,
      ...(s.available ? {} : { failedAt: s.failedAt, code: s.code,
        missingBecause: s.failedAt === "denied" ? "turned off by PROBEBOOK_DENY_FEATURES" : f.missingBecause }),
    };
  });
}

/** Forgets cached answers (tests; a kernel does not change under a process). */
export function clearFeatureCache(): void {
  cache.clear();
}

/** A declaration needs a feature this kernel lacks. */
export class FeatureUnavailableError extends ProbebookError {
  override readonly name = "FeatureUnavailableError";
  declare readonly code: "NOT_SUPPORTED";
  constructor(readonly feature: FeatureName, readonly status: FeatureStatus, readonly alternative: string | undefined) {
    const f = FEATURES[feature];
    const how = status.reason ? `: ${status.failedAt === "load" ? "loading" : status.failedAt === "attach" ? "attaching" : "probing"} ` +
      `${feature === "fentry" ? "an fentry program" : `a ${feature.replace("_", " ")}`} fails with ${status.reason}` : "";
    const why = status.failedAt === "denied"
      ? `${f.title} are turned off (PROBEBOOK_DENY_FEATURES=${process.env.PROBEBOOK_DENY_FEATURES ?? feature}).`
      : `${f.title} are not available on this kernel (${f.missingBecause}${how}).`;
    super("NOT_SUPPORTED", why +
      (alternative ? ` ${alternative}` : ""), { feature, status, ...(alternative ? { alternative } : {}) });
  }
}

/** Answers "does this kernel have it?": probeFeature, or a stand-in kernel's answers in tests of other kernels' plans. */
export type FeatureSource = (name: FeatureName) => FeatureStatus;

/** Throws FeatureUnavailableError (with `alternative`, a sentence) unless the feature is there. */
export function requireFeature(name: FeatureName, alternative?: string, features: FeatureSource = probeFeature): FeatureStatus {
  const status = features(name);
  if (!status.available) throw new FeatureUnavailableError(name, status, alternative);
  return status;
}
