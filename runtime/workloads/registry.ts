// The workloads of one kernel (the session owns the registry): started by
// cells, each remembered with the cell that started it, so that
// - an interrupt kills every workload (interrupt() is "stop what runs");
// - running a cell again kills what its previous run started (cellStarting);
// - shutdown kills them all;
// and the kernel process dying kills them through their launcher's
// PR_SET_PDEATHSIG (workloads/launch.c). At most MAX_WORKLOADS at once.

import { checkWorkload, MAX_WORKLOADS, WorkloadError } from "../spec/workload-catalog.js";
import type { WorkloadEnd, WorkloadInfo } from "../spec/workload-protocol.js";
import { WorkloadProcess } from "./process.js";

export class Workloads {
  readonly #live = new Map<number, { process: WorkloadProcess; cell: string | undefined }>();
  readonly #ends = new Map<number, Promise<WorkloadEnd>>();
  #nextId = 1;

  /** Starts a catalog workload, held until go(); `cell` is the starting cell's key (its code). */
  async start(name: unknown, params: unknown, cell: string | undefined): Promise<WorkloadInfo> {
    const checked = checkWorkload(name, params);
    if (this.#live.size >= MAX_WORKLOADS) {
      throw new WorkloadError(`${this.#live.size} workloads are running, the most one kernel holds (${MAX_WORKLOADS}): stop one first (w.stop()), or interrupt the kernel to stop them all`);
    }
    const id = this.#nextId++;
    const process = await WorkloadProcess.start(id, checked.name, checked.params);
    this.#live.set(id, { process, cell });
    this.#ends.set(id, process.ended);
    void process.ended.then(() => {
      this.#live.delete(id);
      // Kept a while: a cell may await w.done long after the program exited.
      setTimeout(() => this.#ends.delete(id), 10 * 60_000).unref();
    });
    return process.info;
  }

  go(id: number): void {
    this.#get(id, "go").go();
  }

  /** The end of workload `id` (also after it has ended, until the kernel forgets it). */
  wait(id: number): Promise<WorkloadEnd> {
    return this.#ends.get(id) ?? Promise.reject(new WorkloadError(`there is no workload ${id} in this kernel (it ended long ago, or belongs to a kernel since restarted)`));
  }

  stop(id: number): Promise<WorkloadEnd> {
    const live = this.#live.get(id);
    live?.process.kill("stopped");
    return this.wait(id);
  }

  /** Kills what the previous run of this cell started (a re-run replaces its workloads). */
  cellStarting(cell: string): void {
    for (const { process, cell: owner } of this.#live.values()) if (owner === cell) process.kill("stopped");
  }

  /** Kills every workload (interrupt). */
  killAll(): void {
    for (const { process } of this.#live.values()) process.kill("stopped");
  }

  /** Kills every workload and waits until each has exited (shutdown). */
  async stopAll(): Promise<void> {
    const ends = [...this.#live.values()].map(({ process }) => process.ended);
    this.killAll();
    await Promise.all(ends);
  }

  /** Pids of the running workloads. */
  pids(): number[] {
    return [...this.#live.values()].map(({ process }) => process.info.pid);
  }

  #get(id: number, verb: string): WorkloadProcess {
    const live = this.#live.get(id);
    if (!live) throw new WorkloadError(`can't ${verb} workload ${id}: it is not running (it ended, was stopped, or an interrupt or re-run killed it)`);
    return live.process;
  }
}
