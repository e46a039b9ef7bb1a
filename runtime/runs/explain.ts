// explain(): what the runtime does with a declaration, for learning and
// debugging. From the plan alone (no kernel touched): the template and why,
// the .rodata configuration, attach points, maps and their memory, the result's
// columns. With `load`, the instance is also loaded through the verifier -
// never attached - and each program's instruction counts and verifier
// statistics are read before everything is closed again.

import { relative } from "node:path";
import type { BpfObject } from "../../native/surface.js";
import { chooseVariant } from "../templates/load.js";
import { templateNamed } from "../templates/registry.js";
import { possibleCpus } from "../host/facts.js";
import type { TemplateDescriptor } from "../../bpf/descriptor.js";
import type { ExplainData, ExplainedMap, ExplainedProgram } from "../spec/explain-data.js";
import type { AnyDeclaration } from "../spec/protocol.js";
import type { TracefsSource } from "../host/tracefs.js";
import { ProbebookError } from "../spec/errors.js";


export interface ExplainOptions {
  /** Load the instance through the verifier (not attached) and report its programs' statistics. */
  load?: boolean;
  /** Load it misconfigured on purpose (a name of MISCONFIGURATIONS), to show the verifier refusing it. */
  misconfigure?: string;
  tracefs?: TracefsSource;
}

/** Loosely typed view of any planner's instance: every template's plan is plain data. */
export interface AnyInstance {
  template: string;
  object: string;
  describe?: string;
  target?: string;
  tracepoint?: string;
  program?: string;
  programs?: string[];
  variant?: string;
  rodata: unknown;
  maps: Record<string, { maxEntries?: number; keySize?: number; valueSize?: number }>;
  attach: Record<string, unknown>[];
  /** fentry/fexit programs' kernel functions. */
  attachTargets?: Record<string, string>;
  /** Aggregations: the BTF tracepoint variant, kept by the loader where the kernel has tp_btf. */
  btfVariant?: { attach: Record<string, unknown>[] };
  columns?: { name: string; type: string }[];
  keyColumns?: { name: string; type: string }[];
  valueColumns?: string[];
  events?: { columns: { name: string; type: string }[] };
  everyMs?: number;
  op?: string;
  frequencyHz?: number;
  durationMs: number;
  skippedFields?: { name: string; reason: string }[];
}

/**
 * Plans `decl` (and with `load`, loads it through the verifier without
 * attaching) and explains the result.
 *
 * @example
 * ```ts
 * const e = await explainDeclaration(decl, { load: true });
 * e.template;                        // "agg_tp"
 * e.load && "programs" in e.load && e.load.programs[0].verifiedInsns;
 * ```
 */
export async function explainDeclaration(decl: AnyDeclaration, options: ExplainOptions = {}): Promise<ExplainData> {
  const instance = await planAny(decl, options.tracefs);
  const data = explainPlan(decl.kind, instance);
  if (options.misconfigure !== undefined) {
    data.misconfigured = misconfigure(instance as AnyInstance, options.misconfigure);
    data.rodata = plainData((instance as AnyInstance).rodata); // as loaded: the broken value shows
    data.load = await loadStats(instance);
  } else if (options.load) data.load = await loadStats(instance);
  return data;
}

/**
 * Configurations the planner never writes, for showing what the verifier
 * proves about a template: each breaks one bound the template's code relies
 * on, and the verifier refuses the program (explain() loads it, never
 * attaches it). The planner stays the only writer of real configurations.
 */
export const MISCONFIGURATIONS: Readonly<Record<string, { template: string; what: string; apply(p: AnyInstance): void }>> = {
  "field-past-the-end": {
    template: "tp_events",
    what: "the first field is copied to one byte past the end of the event record in the ring buffer",
    apply: (p) => {
      const cfg = (p.rodata as { cfg: { event_size: number; fields: { dst_off: number }[] } }).cfg;
      cfg.fields[0]!.dst_off = cfg.event_size;
    },
  },
};

function misconfigure(p: AnyInstance, name: string): string {
  const m = MISCONFIGURATIONS[name];
  if (!m) throw new ProbebookError("BAD_DECLARATION", `explain(..., { misconfigure: ${JSON.stringify(name)} }): no such misconfiguration; known: ${Object.keys(MISCONFIGURATIONS).join(", ")}`,
    { supported: Object.keys(MISCONFIGURATIONS) });
  const fields = (p.rodata as { cfg?: { fields?: unknown[] } }).cfg?.fields;
  if (p.template !== m.template || !fields?.length)
    throw new ProbebookError("BAD_DECLARATION", `explain(..., { misconfigure: ${JSON.stringify(name)} }) needs a probe of template ${m.template} with at least one field, e.g. tracepoint("syscalls:sys_enter_openat").fields("flags"); this one is ${p.template}`,
      { template: p.template });
  m.apply(p);
  return `${name}: ${m.what}`;
}

/** Plans any declaration (runtime/planner/plan.ts). */
export async function planAny(decl: AnyDeclaration, tracefs?: TracefsSource): Promise<unknown> {
  const { plan } = await import("../planner/plan.js");
  return plan(decl, tracefs ? { tracefs } : {});
}

/**
 * Explains a planned instance. Reads no kernel state but the CPU count and,
 * for an instance with a tp_btf variant, whether the kernel has BTF
 * tracepoints (a cached feature probe): the programs and attach points shown
 * are those the loader keeps here.
 *
 * @example
 * ```ts
 * explainPlan("events", plan(decl)).attach // ["tracepoint syscalls:sys_enter_openat"]
 * ```
 */
export function explainPlan(kind: string, plan: unknown, cpus = possibleCpus()): ExplainData {
  const p = plan as AnyInstance;
  const template = templateNamed(p.template), descriptor = template.descriptor;
  const maps = explainMaps(p, descriptor, cpus);
  const kept = p.btfVariant ? chooseVariant(p as unknown as Parameters<typeof chooseVariant>[0]) : undefined;
  const attach = (kept?.attach ?? p.attach) as unknown as Record<string, unknown>[];
  return {
    describe: describeInstance(p),
    kind,
    template: p.template,
    why: template.why(p, { programs: kept ? [...new Set(attach.map((a) => a.program as string))] : programsOf(p),
      attach: attach.map((a) => describeAttach(a, p.attachTargets)) }) + (kept ? variantNote(p, kept.variant) : ""),
    object: relativeObject(p.object),
    programs: kept ? [...new Set(attach.map((a) => a.program as string))] : programsOf(p),
    attach: attach.map((a) => describeAttach(a, p.attachTargets)),
    rodata: plainData(p.rodata),
    maps,
    memoryBytes: maps.reduce((n, m) => n + (m.bytes ?? 0), 0),
    columns: columnsOf(p),
    durationMs: p.durationMs,
    cpus,
  };
}

/** Which of an aggregation's two variants the loader keeps here, and why that one. */
function variantNote(p: AnyInstance, kept: "tp_btf" | "tracepoint"): string {
  const classic = p.attach.map((a) => describeAttach(a)).join("; "), btf = p.btfVariant!.attach.map((a) => describeAttach(a)).join("; ");
  return kept === "tp_btf"
    ? ` This kernel has BTF tracepoints, so the loader keeps the object's tp_btf variant (${btf}) over the classic tracepoints (${classic}): ` +
      "cheaper (no tracepoint buffer copy), and never skipped while another BPF program runs on the CPU."
    : ` The object also has a tp_btf variant (${btf}), which the loader keeps instead where the kernel has BTF tracepoints (cheaper: no tracepoint buffer copy).`;
}

function relativeObject(object: string): string {
  if (!object.startsWith("/")) return object; // as the descriptor says: relative to the package root
  const at = object.lastIndexOf("/bpf/");
  return at >= 0 ? object.slice(at + 1) : relative(process.cwd(), object);
}

function programsOf(p: AnyInstance): string[] {
  if (p.programs) {
    // Some plans list every variant; the loaded ones are those attached.
    const attached = new Set(p.attach.map((a) => a.program as string).filter(Boolean));
    const loaded = p.programs.filter((name) => attached.size === 0 || attached.has(name));
    return loaded.length ? loaded : p.programs;
  }
  if (p.program) return [p.program];
  return [...new Set(p.attach.map((a) => a.program as string).filter(Boolean))];
}

function describeInstance(p: AnyInstance): string {
  if (p.describe) return p.describe;
  if (p.template === "tp_events") return `events of ${p.tracepoint}`;
  if (p.template === "profile") return `CPU profile at ${p.frequencyHz} Hz${p.target ? ` (${p.target})` : ""}`;
  return `events of ${p.target ?? p.template}`;
}


/** "tracepoint cat:event (program)", "uprobe /bin/x:f", "fentry/fexit vfs_read (program)"...; `targets`: fentry/fexit functions by program. */
function describeAttach(a: Record<string, unknown>, targets?: Record<string, string>): string {
  const program = a.program ? ` (${a.program})` : "";
  switch (a.kind) {
    case "uprobe": return `${a.retprobe ? "uretprobe" : "uprobe"} ${a.binary}:${a.symbol}${a.pid ? ` (pid ${a.pid})` : ""}`;
    case "usdt": return `usdt ${a.binary}:${a.provider}:${a.name}${a.pid ? ` (pid ${a.pid})` : ""}`;
    case "kprobe": return `${a.retprobe ? "kretprobe" : "kprobe"} ${a.function}`;
    case "trace": {
      const fn = targets?.[a.program as string];
      return fn ? `fentry/fexit ${fn}${program}` : `BTF trampoline/tracepoint${program}`;
    }
    case "tp_btf": return `tp_btf ${a.category}:${a.event}${program}`;
    case "perf_event": return `perf_event cpu-clock at ${a.frequency} Hz on every CPU`;
    default: return `tracepoint ${a.category}:${a.event}${program}`;
  }
}

function columnsOf(p: AnyInstance): { name: string; type: string }[] {
  const pick = (c: { name: string; type: string }) => ({ name: c.name, type: c.type });
  if (p.columns) return p.columns.map(pick);
  if (p.events) return p.events.columns.map(pick);
  if (p.keyColumns) {
    const time = p.everyMs ? [{ name: "interval", type: "uint32" }, { name: "time", type: "date" }] : [];
    return [...time, ...p.keyColumns.map(pick), ...(p.valueColumns ?? []).map((name) => ({ name, type: "float64" }))];
  }
  return [];
}

const ROLES: Record<string, string> = {
  pb_events: "ring buffer: one record per event",
  pb_lat_events: "ring buffer: one record per pair over the threshold",
  pb_agg0: "aggregation values per key (generation 0)",
  pb_agg1: "aggregation values per key (generation 1, for exact intervals)",
  pb_zero: "an empty value to insert new keys from",
  pb_ctl: "the current generation and in-flight updates",
  pb_lost: "updates lost to a full map",
  pb_drops: "events lost to a full ring buffer",
  pb_seen: "events that passed the filters",
  pb_hits: "events aggregated, one counter per CPU",
  pb_sample_seq: "1-in-N sampling counter",
  pb_start: "start times waiting for their end",
  pb_start_tid: "start times of one syscall per thread, waiting for its exit",
  pb_counts: "sample counts per (pid, stacks)",
  pb_stacks: "stack traces by id",
};

function explainMaps(p: AnyInstance, d: TemplateDescriptor | undefined, cpus: number): ExplainedMap[] {
  const names = new Set([...Object.keys(d?.maps ?? {}), ...Object.keys(p.maps)]);
  const out: ExplainedMap[] = [];
  for (const name of [...names].sort()) {
    if (name.startsWith(".") || name.endsWith(".rodata") || name.endsWith(".bss")) continue;
    const base = d?.maps[name];
    const planned = p.maps[name] ?? {};
    const m: ExplainedMap = { name, type: base?.type ?? "?" };
    const maxEntries = planned.maxEntries ?? base?.maxEntries;
    const keySize = planned.keySize ?? base?.keySize;
    const valueSize = planned.valueSize ?? base?.valueSize;
    if (maxEntries !== undefined) m.maxEntries = maxEntries;
    if (keySize !== undefined) m.keySize = keySize;
    if (valueSize !== undefined) m.valueSize = valueSize;
    const bytes = mapBytes(m, cpus);
    if (bytes !== undefined) m.bytes = bytes;
    if (ROLES[name]) m.role = ROLES[name];
    else if (name.startsWith("__bpf_usdt")) m.role = "libbpf's USDT argument specs";
    out.push(m);
  }
  return out;
}

/** Bytes a map can take at most, leaving out the kernel's per-element overhead. */
function mapBytes(m: ExplainedMap, cpus: number): number | undefined {
  if (m.type === "ringbuf") return m.maxEntries;
  if (m.maxEntries === undefined || m.valueSize === undefined) return undefined;
  const perCpu = m.type.startsWith("percpu_");
  const value = perCpu ? Math.ceil(m.valueSize / 8) * 8 * cpus : m.valueSize;
  return m.maxEntries * ((m.keySize ?? 0) + value);
}

/** JSON-safe copy: bigint as decimal strings. */
function plainData(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

async function loadStats(instance: unknown): Promise<NonNullable<ExplainData["load"]>> {
  const p = instance as AnyInstance;
  const started = performance.now();
  let obj: BpfObject, loaded: string[];
  try {
    ({ obj, programs: loaded } = await loadAny(p));
  } catch (error) {
    const e = error as Error & { verifierLog?: string };
    return { error: e.message, ...(e.verifierLog ? { verifierLog: e.verifierLog } : {}) };
  }
  const loadMs = performance.now() - started;
  try {
    const programs: ExplainedProgram[] = loaded.map((name) => {
      const info = obj.programInfo(name);
      return { name, type: info.type, xlatedInsns: info.xlatedInsns, jitedBytes: info.jitedBytes, verifiedInsns: info.verifiedInsns, mapCount: info.mapCount };
    });
    return { programs, loadMs };
  } finally {
    obj.close();
  }
}

/** Loads the spec with the one loader; returns the object and the programs loaded in it (the variant kept). */
async function loadAny(p: AnyInstance): Promise<{ obj: BpfObject; programs: string[] }> {
  const { load } = await import("../templates/load.js");
  const { obj, attach } = load(p as unknown as Parameters<typeof load>[0]);
  return { obj, programs: p.programs && !p.btfVariant ? [...p.programs] : [...new Set(attach.map((a) => a.program))] };
}
