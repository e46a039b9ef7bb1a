// Runs a CPU profile: loads the profile template, opens a cpu-clock sampling
// perf event on every online CPU, waits for the duration (or an abort), then
// reads the counts and stacks and symbolises them. Detaches and closes always.
// Processes' memory maps are read right after sampling stops, while they are
// likely alive; a process that exited before shows its user frames as
// "[unknown [exited]]".
import { readFileSync } from "node:fs";
import type { BpfLink } from "../../../native/surface.js";
import type { ProfileDeclaration } from "../../spec/declaration.js";
import { plan } from "../../planner/plan.js";
import type { ProfileInstance } from "./plan.js";
import type { Frame } from "../../host/symbolize.js";
import { frameText, snapshotMaps, symbolizeKernel, symbolizeUser } from "../../host/symbolize.js";
import { descriptor as profileDescriptor } from "../../../bpf/generated/profile.js";
import { decodeProfileKey, type ProfileKey } from "./layout.js";
import type { ColumnType } from "../columns.js";
import type { RunProgress } from "../../spec/protocol.js";
import { load } from "../load.js";

export interface ProfileRow {
  pid: number;
  comm: string;
  samples: number;
  /** Innermost first. */
  userFrames: Frame[];
  kernelFrames: Frame[];
}

export interface ProfileResult {
  /** One row per (pid, comm, kernel stack, user stack), most samples first. */
  rows: ProfileRow[];
  /** Columns for a table: pid, comm, samples, and the stacks as text (outermost first, ";"-separated,
   *  the "folded" format of flame graphs): stack = comm;user frames;kernel frames. */
  columns: { pid: Uint32Array; comm: string[]; samples: Float64Array; user_stack: string[]; kernel_stack: string[]; stack: string[] };
  columnTypes: Record<"pid" | "comm" | "samples" | "user_stack" | "kernel_stack" | "stack", ColumnType>;
  rowCount: number;
  /** events = samples (the shape every run's stats share); dropped: samples lost to a full pb_counts. */
  stats: { events: number; samples: number; dropped: number; seen: number; cpus: number[]; durationMs: number; stoppedBy: "duration" | "abort" };
  plan: ProfileInstance;
}

export interface RunProfileOptions {
  signal?: AbortSignal;
  /** Sampling runs: start the workload now. Awaited; the duration counts from when it resolves. */
  onAttached?: () => void | Promise<void>;
  /** Called every `progressIntervalMs` (default 250) while sampling: events = samples kept so far
   *  (the kernel's pb_seen), dropped = samples a full count map refused. */
  onProgress?: (p: RunProgress) => void;
  progressIntervalMs?: number;
}

/** Online CPUs ("0-1,4" in /sys/devices/system/cpu/online). */
export function onlineCpus(text = readFileSync("/sys/devices/system/cpu/online", "utf8")): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(",")) {
    const [a, b] = part.split("-").map(Number);
    for (let c = a!; c <= (b ?? a!); c++) out.push(c);
  }
  return out;
}

function folded(frames: Frame[]): string {
  return frames.map(frameText).reverse().join(";");
}

/** Runs a planned profile instance, or plans a profile declaration first. */
export async function runProfile(what: ProfileInstance | ProfileDeclaration, opts: RunProfileOptions = {}): Promise<ProfileResult> {
  const instance = "template" in what ? what : plan(what);
  const { obj } = load(instance);
  try {
    const a = instance.attach[0];
    if (a?.kind !== "perf_event") throw new Error("a profile instance attaches a perf event");
    const cpus = onlineCpus();
    const links: BpfLink[] = cpus.map((cpu) => obj.attachPerfEvent(a.program, { cpu, frequency: a.frequency }));
    const start = performance.now();
    await opts.onAttached?.();
    const stoppedBy = await new Promise<"duration" | "abort">((resolve) => {
      const ticker = opts.onProgress ? setInterval(() => opts.onProgress!({
        elapsedMs: performance.now() - start,
        events: obj.percpuSum(instance.counters.seen, 0),
        dropped: obj.percpuSum(instance.counters.drops, 0),
      }), opts.progressIntervalMs ?? 250) : undefined;
      const done = (why: "duration" | "abort") => {
        if (ticker) clearInterval(ticker);
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        resolve(why);
      };
      const onAbort = () => done("abort");
      const timer = setTimeout(() => done("duration"), instance.durationMs);
      if (opts.signal?.aborted) return done("abort");
      opts.signal?.addEventListener("abort", onAbort, { once: true });
    });
    for (const l of links) l.destroy();
    const durationMs = performance.now() - start;

    const entries = obj.hashEntries(instance.counts);
    const keys: ProfileKey[] = [];
    const counts: number[] = [];
    const values = new DataView(entries.values.buffer, entries.values.byteOffset, entries.values.byteLength);
    for (let i = 0; i < entries.count; i++) {
      keys.push(decodeProfileKey(entries.keys, i));
      counts.push(Number(values.getBigUint64(i * entries.valueSize, true)));
    }
    const maps = snapshotMaps(keys.map((k) => k.pid)); // first, while the processes live
    const stackCache = new Map<number, BigUint64Array>();
    const stack = (id: number) => {
      if (id < 0) return new BigUint64Array(0);
      let s = stackCache.get(id);
      if (!s) stackCache.set(id, (s = obj.stackTrace(instance.stacks, id)));
      return s;
    };
    const rows: ProfileRow[] = keys.map((k, i) => ({
      pid: k.pid,
      comm: k.comm,
      samples: counts[i]!,
      userFrames: [...stack(k.userStackId)].map((ip) => symbolizeUser(ip, maps.get(k.pid), k.pid)),
      kernelFrames: [...stack(k.kernStackId)].map((ip) => symbolizeKernel(ip)),
    })).sort((x, y) => y.samples - x.samples);

    const n = rows.length;
    const columns = {
      pid: Uint32Array.from(rows, (r) => r.pid),
      comm: rows.map((r) => r.comm),
      samples: Float64Array.from(rows, (r) => r.samples),
      user_stack: rows.map((r) => folded(r.userFrames)),
      kernel_stack: rows.map((r) => folded(r.kernelFrames)),
      stack: rows.map((r) => [r.comm, folded(r.userFrames), folded(r.kernelFrames)].filter(Boolean).join(";")),
    };
    const samples = counts.reduce((s, c) => s + c, 0);
    const columnTypes = { pid: "uint32", comm: "string", samples: "float64", user_stack: "string", kernel_stack: "string",
      stack: "string" } as const;
    return {
      rows, columns, columnTypes, rowCount: n,
      stats: { events: samples, samples, dropped: obj.percpuSum(instance.counters.drops, 0), seen: obj.percpuSum(instance.counters.seen, 0),
        cpus, durationMs, stoppedBy },
      plan: instance,
    };
  } finally {
    obj.close();
  }
}
