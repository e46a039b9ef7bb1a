// workload(name, params): a demonstration program from probebook's fixed
// catalog (runtime/spec/workload-catalog.ts), started by the kernel as its
// child, so a notebook brings the activity it observes and can compare what
// a probe saw with what the program says it did. Cells start no other
// process. The kernel validates, spawns, caps and kills (runtime/workloads/).

import type { WorkloadEnd, WorkloadInfo, WorkloadReply, WorkloadRequest } from "../runtime/spec/workload-protocol.js";
import type { WORKLOAD_CATALOG, WorkloadName } from "../runtime/spec/workload-catalog.js";

export type { WorkloadName } from "../runtime/spec/workload-catalog.js";

type Catalog = typeof WORKLOAD_CATALOG;

/** The parameters of workload `N`: each optional (the catalog has its default), a whole number within bounds. */
export type WorkloadParams<N extends WorkloadName> = { [K in keyof Catalog[N]["params"]]?: number };
/** What workload `N` counts of its own work (`(await w.done).counts`). */
export type WorkloadCounts<N extends WorkloadName> = { [K in keyof Catalog[N]["counts"]]: number };
/** What the handle of workload `N` tells about it (`w.info`): paths, addresses, function names. */
export type WorkloadFacts<N extends WorkloadName> = { [K in keyof Catalog[N]["info"]]: string | number };

/** How a workload ended: its exit, and its own counts of what it did. */
export interface WorkloadResult<N extends WorkloadName = WorkloadName> extends Omit<WorkloadEnd, "counts"> {
  counts: WorkloadCounts<N>;
}

/** The one door from workload() to the kernel (the sandbox's prelude installs it; tests install a fake). */
export interface WorkloadHost {
  request(request: WorkloadRequest): Promise<WorkloadReply & { ok: true }>;
}

let installed: WorkloadHost | undefined;

/** Installs the host workload() talks to (or removes it with `undefined`). */
export function setWorkloadHost(host: WorkloadHost | undefined): void {
  installed = host;
}

function host(): WorkloadHost {
  if (!installed) throw new Error("workloads can only run inside a probebook kernel: no workload host is installed");
  return installed;
}

/**
 * A running catalog workload. It starts held: ready (its pid and threads
 * known), doing nothing until {@link Workload.start}, so probes can be
 * attached first. Interrupting the kernel, running the starting cell again,
 * or shutting down the kernel kills it; it never outlives the kernel.
 */
export class Workload<N extends WorkloadName = WorkloadName> {
  /** The catalog name. */
  readonly name: N;
  /** Every parameter, defaults filled in. */
  readonly params: Readonly<Record<keyof Catalog[N]["params"], number>>;
  /** The process id: filter probes on it, `where({ pid: w.pid })`. */
  readonly pid: number;
  /** Its thread ids when it became ready (the main thread's is the pid). */
  readonly tids: readonly number[];
  /** Its comm, as probes show it. */
  readonly comm: string;
  /** The program's path: for uprobe(w.binary, ...) and usdt(w.binary, ...). */
  readonly binary: string;
  /** Facts about this run: the file it opens, the port it listens on, ... (see the catalog). */
  readonly info: Readonly<WorkloadFacts<N>>;
  readonly #id: number;
  #done: Promise<WorkloadResult<N>> | undefined;

  /** @internal made by {@link workload} */
  constructor(info: WorkloadInfo) {
    this.#id = info.id;
    this.name = info.name as N;
    this.params = info.params as Workload<N>["params"];
    this.pid = info.pid;
    this.tids = Object.freeze([...info.tids]);
    this.comm = info.comm;
    this.binary = info.binary;
    this.info = Object.freeze({ ...info.info }) as Workload<N>["info"];
  }

  /**
   * Lets the workload do its work and resolves when it has ended, with its
   * exit and its own counts (the same as {@link Workload.done}).
   *
   * @example
   * ```ts
   * const w = await workload("getppid-loop", { calls: 1000 });
   * (await w.start()).counts.calls // 1000
   * ```
   */
  async start(): Promise<WorkloadResult<N>> {
    await host().request({ op: "go", id: this.#id });
    return this.done;
  }

  /**
   * Resolves when the workload has ended: exit status or signal, why it
   * ended, and its own counts of what it did (empty when it was killed
   * before it could report them).
   *
   * @example
   * ```ts
   * const w = await workload("open-loop", { opens: 100, missing: 10 });
   * void w.start();
   * const end = await w.done;
   * `${end.counts.opens} opens, ${end.counts.enoent} ENOENT` // "100 opens, 10 ENOENT"
   * ```
   */
  get done(): Promise<WorkloadResult<N>> {
    this.#done ??= host().request({ op: "wait", id: this.#id }).then((r) => (r as { end: WorkloadResult<N> }).end);
    return this.#done;
  }

  /**
   * Kills the workload (and any process it started) and resolves with its end.
   *
   * @example
   * ```ts
   * const w = await workload("getppid-loop", { calls: 100_000_000 });
   * void w.start();
   * (await w.stop()).endedBy // "stopped"
   * ```
   */
  async stop(): Promise<WorkloadResult<N>> {
    const r = await host().request({ op: "stop", id: this.#id });
    return (r as { end: WorkloadResult<N> }).end;
  }

  /**
   * A short description.
   *
   * @example
   * ```ts
   * const w = await workload("getppid-loop", { calls: 10 });
   * String(w) === `workload "getppid-loop" (pid ${w.pid}, comm getppid-loop): calls 10` // true
   * ```
   */
  toString(): string {
    const params = Object.entries(this.params).map(([k, v]) => `${k} ${v}`).join(", ");
    return `workload ${JSON.stringify(this.name)} (pid ${this.pid}, comm ${this.comm})${params ? `: ${params}` : ""}`;
  }

  /** How the notebook prints a workload. */
  [Symbol.for("probebook.inspect")](): string {
    return this.toString();
  }
}

/**
 * Starts a demonstration workload from probebook's catalog, as a child of the
 * kernel, and resolves once it is ready and held: attach probes filtered on
 * `w.pid`, then `w.start()` lets it work and resolves with its own counts.
 * Parameters are whole numbers within the catalog's bounds (a bad one is an
 * error naming it, its bounds and the catalog). Every workload is capped in
 * time and CPU, and is killed by an interrupt, by running its cell again and
 * by the kernel's end (SIGKILL included).
 *
 * The catalog (README.md lists every parameter with its bounds):
 * - `open-loop` `{ opens, missing, pauseUs }`: opens a file of its own; `missing` opens fail with ENOENT. Counts `opens`, `opened`, `enoent`, `failed`.
 * - `getppid-loop` `{ calls }`: getppid() as fast as it can. Counts `calls`.
 * - `sleep-loop` `{ sleeps, us }`: `sleeps` sleeps of `us` µs. Counts `sleeps`, `sleptUs`.
 * - `cpu-spin` `{ ms }`: spins through named functions (the hottest: `w.info.hottest`, probebook_hash), for a flame graph. Counts `requests`.
 * - `contention` `{ threadsPerCpu, loops, spinUs }`: more runnable threads than CPUs, for run-queue latency. Counts `threads`, `sleeps`.
 * - `timed-calls` `{ fast, slow, fastUs, slowUs }`: calls `probebook_timed_call` in `w.binary` (a uprobe's target) and fires USDT `probebook:call` each time. Counts `calls`, `fast`, `slow`.
 * - `direct-io` `{ blocks, kib }`: O_DIRECT writes then reads of an unnamed temp file. Counts `writes`, `reads`, `bytesWritten`, `bytesRead`.
 * - `tcp-echo` `{ connections, bytes }`: a loopback echo server and a client; `w.info.port`. Counts `connections`, `bytesSent`, `bytesEchoed`.
 *
 * @param name - the workload's name in the catalog.
 * @param params - its parameters; any left out take the catalog's defaults.
 * @example
 * ```ts
 * const w = await workload("open-loop", { opens: 1000, missing: 100 });
 * const run = syscall("openat").where({ pid: w.pid }).count().start();
 * await run.started;
 * const end = await w.start();
 * const seen = (await run.stop()).get("count", 0);
 * `probebook saw ${seen} of the ${end.counts.opens} opens this workload made` // "probebook saw 1000 of the 1000 opens this workload made"
 * ```
 */
export async function workload<N extends WorkloadName>(name: N, params?: WorkloadParams<N>): Promise<Workload<N>> {
  const reply = await host().request({ op: "start", name, params: params ?? {} });
  return new Workload<N>((reply as { workload: WorkloadInfo }).workload);
}
