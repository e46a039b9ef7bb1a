// The demonstration workloads a cell may start by name (contract 8): each
// entry's parameters with their bounds and defaults, what the program counts
// of its own work, and what the handle tells about it. Plain data, shared by
// the host (which validates and spawns: runtime/workloads/) and probes-lib
// (whose types are derived from it, so Tab completion lists the parameters).
// Nothing here runs anything.

/** One numeric parameter: a whole number within [min, max]. */
export interface WorkloadParam {
  readonly min: number;
  readonly max: number;
  readonly default: number;
  readonly doc: string;
}

export interface WorkloadEntry {
  /** One line: what the workload does. */
  readonly doc: string;
  readonly params: Readonly<Record<string, WorkloadParam>>;
  /** The counts the program reports of its own work when it ends, and what each means. */
  readonly counts: Readonly<Record<string, string>>;
  /** What the handle's `info` holds (paths, addresses, function names), and what each means. */
  readonly info: Readonly<Record<string, string>>;
}

/** The catalog. Params are whole numbers; every workload is also capped in time (WORKLOAD_MAX_MS) and CPU. */
export const WORKLOAD_CATALOG = {
  "open-loop": {
    doc: "opens a file of its own `opens` times (openat, then close); `missing` of them are of a path that does not exist and fail with ENOENT",
    params: {
      opens: { min: 1, max: 1_000_000, default: 1000, doc: "opens in all" },
      missing: { min: 0, max: 1_000_000, default: 100, doc: "how many of the opens are of the missing path (at most `opens`), spread evenly" },
      pauseUs: { min: 0, max: 100_000, default: 0, doc: "microseconds to sleep after each open" },
    },
    counts: { opens: "opens made", opened: "opens that succeeded", enoent: "opens that failed with ENOENT (all of them of the missing path)", failed: "opens that failed otherwise (0 when all went as planned)" },
    info: { path: "the file it opens", missingPath: "the path that does not exist" },
  },
  "getppid-loop": {
    doc: "calls getppid() `calls` times, as fast as it can (the raw syscall, never a libc cache)",
    params: {
      calls: { min: 1, max: 100_000_000, default: 100_000, doc: "getppid calls" },
    },
    counts: { calls: "getppid calls made (fewer only if the time cap stopped it)" },
    info: {},
  },
  "sleep-loop": {
    doc: "sleeps `sleeps` times for `us` microseconds each (clock_nanosleep, one syscall a sleep)",
    params: {
      sleeps: { min: 1, max: 100_000, default: 100, doc: "sleeps" },
      us: { min: 1, max: 1_000_000, default: 1000, doc: "microseconds each sleep lasts (sleeps x us at most 60 s)" },
    },
    counts: { sleeps: "sleeps made", sleptUs: "microseconds asleep in all, as the program measured them" },
    info: {},
  },
  "tcp-echo": {
    doc: "a loopback echo server (thread \"server\") and a client in one process: `connections` connections, each carrying `bytes` bytes there and back",
    params: {
      connections: { min: 1, max: 10_000, default: 100, doc: "TCP connections the client makes, one after another" },
      bytes: { min: 1, max: 1_048_576, default: 1024, doc: "bytes the client sends on each (echoed back)" },
    },
    counts: { connections: "connections made", bytesSent: "bytes the client sent in all", bytesEchoed: "bytes it read back in all" },
    info: { address: "the server's address (127.0.0.1)", port: "the server's port" },
  },
  "cpu-spin": {
    doc: "spins on the CPU for `ms` through named functions (main > probebook_serve > probebook_handle > probebook_parse ~1/5, probebook_hash ~4/5), built with frame pointers and symbols, for a flame graph",
    params: {
      ms: { min: 10, max: 60_000, default: 3000, doc: "milliseconds to spin" },
    },
    counts: { requests: "made-up requests handled (one trip down the call chain each)" },
    info: { hottest: "the function that takes most of the time (probebook_hash)" },
  },
  contention: {
    doc: "more runnable threads than CPUs (`threadsPerCpu` x the CPUs online, each named \"spinner\"): each, `loops` times, spins `spinUs` µs then sleeps 100 µs, waking into a queue of others, for run-queue latency",
    params: {
      threadsPerCpu: { min: 2, max: 16, default: 4, doc: "threads per CPU online" },
      loops: { min: 1, max: 100_000, default: 500, doc: "spin-and-sleep rounds of each thread" },
      spinUs: { min: 1, max: 100_000, default: 1000, doc: "microseconds each round spins" },
    },
    counts: { threads: "threads that ran", sleeps: "sleeps (clock_nanosleep) made in all: threads x loops" },
    info: { cpus: "CPUs online", threads: "threads started" },
  },
  "timed-calls": {
    doc: "calls its own function probebook_timed_call(us) (a uprobe target) `fast` times for `fastUs` and `slow` times for `slowUs` µs each, firing the USDT probe probebook:call(i, us) before each call",
    params: {
      fast: { min: 0, max: 10_000, default: 7, doc: "short calls" },
      slow: { min: 0, max: 10_000, default: 5, doc: "long calls" },
      fastUs: { min: 1, max: 1_000_000, default: 8500, doc: "microseconds a short call sleeps" },
      slowUs: { min: 1, max: 1_000_000, default: 34000, doc: "microseconds a long call sleeps (all calls together at most 60 s)" },
    },
    counts: { calls: "calls made (each also fired the USDT probe once)", fast: "short calls", slow: "long calls" },
    info: { function: "the function to probe (probebook_timed_call, in w.binary)", usdtProvider: "the USDT probe's provider (probebook)", usdtName: "the USDT probe's name (call)" },
  },
  "direct-io": {
    doc: "writes `blocks` blocks of `kib` KiB with O_DIRECT to an unnamed temp file (O_TMPFILE, gone with the process) and reads them back, bypassing the page cache",
    params: {
      blocks: { min: 1, max: 65_536, default: 256, doc: "blocks written, then read" },
      kib: { min: 4, max: 1024, default: 4, doc: "KiB a block (a multiple of 4; blocks x kib at most 256 MiB)" },
    },
    counts: { writes: "pwrite64 calls", reads: "pread64 calls", bytesWritten: "bytes written", bytesRead: "bytes read back" },
    info: { dir: "the directory of the temp file (its file system's disk takes the I/O)" },
  },
} as const satisfies Record<string, WorkloadEntry>;

export type WorkloadName = keyof typeof WORKLOAD_CATALOG;

/** The longest a workload lives, from its start (held or running), in ms: then it is killed. */
export const WORKLOAD_MAX_MS = 5 * 60 * 1000;
/** The CPU time a workload may use, in seconds (RLIMIT_CPU, set by its launcher). */
export const WORKLOAD_MAX_CPU_S = 120;
/** Workloads one kernel holds at once. */
export const MAX_WORKLOADS = 16;

/** The catalog's names, for messages. */
export function workloadNames(): string[] {
  return Object.keys(WORKLOAD_CATALOG);
}

/** One line per workload: name and its params with bounds and defaults (errors list the catalog with it). */
export function catalogSummary(): string {
  return Object.entries(WORKLOAD_CATALOG as Record<string, WorkloadEntry>)
    .map(([name, e]) => `${name}(${Object.entries(e.params).map(([p, d]) => `${p}: ${d.min}..${d.max}, default ${d.default}`).join("; ")})`)
    .join("\n  ");
}

/** A bad workload() call: its message names the param, its bounds and the catalog. */
export class WorkloadError extends Error {
  override readonly name = "WorkloadError";
  readonly code = "BAD_WORKLOAD";
  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

/**
 * `name` and `params` checked against the catalog, with every default filled
 * in; throws a WorkloadError naming what is wrong.
 *
 * @example
 * ```ts
 * checkWorkload("open-loop", { opens: 1000 }).params // { opens: 1000, missing: 100, pauseUs: 0 }
 * checkWorkload("open-loop", { opens: 10 }) // throws: missing (100, the default) must be at most opens
 * ```
 */
export function checkWorkload(name: unknown, params: unknown): { name: WorkloadName; params: Record<string, number> } {
  const call = `workload(${JSON.stringify(name)}, ...)`;
  if (typeof name !== "string" || !Object.hasOwn(WORKLOAD_CATALOG, name)) {
    throw new WorkloadError(`workload(${JSON.stringify(name) ?? String(name)}): there is no such workload; the catalog:\n  ${catalogSummary()}`, { catalog: workloadNames() });
  }
  const entry = WORKLOAD_CATALOG[name as WorkloadName] as WorkloadEntry;
  if (params === undefined) params = {};
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new WorkloadError(`${call}: pass the parameters as an object, e.g. ${example(entry)}`);
  }
  const given = params as Record<string, unknown>;
  const known = Object.keys(entry.params);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      throw new WorkloadError(`${call}: ${name} has no parameter ${JSON.stringify(key)}; its parameters: ${paramList(entry)}`, { param: key, params: known });
    }
  }
  const out: Record<string, number> = {};
  for (const [key, p] of Object.entries(entry.params)) {
    const v = given[key] === undefined ? p.default : given[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < p.min || v > p.max) {
      throw new WorkloadError(`${call}: ${key} must be a whole number from ${p.min} to ${p.max} (${p.doc}; default ${p.default}), not ${JSON.stringify(v) ?? String(v)}`,
        { param: key, min: p.min, max: p.max, default: p.default });
    }
    out[key] = v;
  }
  if (name === "open-loop" && out.missing! > out.opens!) {
    throw new WorkloadError(`${call}: missing must be at most opens (${out.opens}): it is how many of the opens fail, not ${out.missing}`, { param: "missing", min: 0, max: out.opens });
  }
  if (name === "timed-calls" && out.fast! * out.fastUs! + out.slow! * out.slowUs! > 60_000_000) {
    throw new WorkloadError(`${call}: fast x fastUs + slow x slowUs must be at most 60 s (60000000 us), not ${out.fast! * out.fastUs! + out.slow! * out.slowUs!} us`, { param: "slowUs" });
  }
  if (name === "direct-io" && (out.kib! % 4 !== 0 || out.blocks! * out.kib! > 256 * 1024)) {
    throw new WorkloadError(`${call}: kib must be a multiple of 4 (O_DIRECT transfers whole blocks) and blocks x kib at most 256 MiB, not ${out.kib} KiB x ${out.blocks}`, { param: "kib" });
  }
  if (name === "sleep-loop" && out.sleeps! * out.us! > 60_000_000) {
    throw new WorkloadError(`${call}: sleeps x us must be at most 60 s (60000000 us), not ${out.sleeps! * out.us!} us`, { param: "us", min: 1, max: Math.floor(60_000_000 / out.sleeps!) });
  }
  return { name: name as WorkloadName, params: out };
}

function paramList(entry: WorkloadEntry): string {
  const list = Object.entries(entry.params).map(([p, d]) => `${p} (${d.min}..${d.max}, default ${d.default}: ${d.doc})`);
  return list.length ? list.join(", ") : "none";
}

function example(entry: WorkloadEntry): string {
  const [first] = Object.entries(entry.params);
  return first ? `{ ${first[0]}: ${first[1].default} }` : "{}";
}
