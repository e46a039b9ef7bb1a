// What the kernel accounts to a run's programs while its BPF run statistics
// are on (kernel.bpf_stats_enabled, held by a file descriptor for as long as
// the run asks): how often each program ran and the time spent in it. The
// statistics cost a clock read per program run on the whole machine, so they
// are on only for runs that ask ({ bpfStats: true }), never by default.
import { native } from "../../native/load.js";
import type { BpfObject, RunStatsHandle } from "../../native/surface.js";
import type { ProgramRunStats } from "../spec/protocol.js";

/** Turns the kernel's run statistics on until close() (they count only while on). */
export function holdRunStats(): RunStatsHandle {
  return native().enableRunStats();
}

/** Runs and run time of each of `programs`, as loaded in `obj`. */
export function programRunStats(obj: BpfObject, programs: readonly string[]): ProgramRunStats[] {
  return [...new Set(programs)].map((name) => {
    const info = obj.programInfo(name);
    return { name, runs: info.runCount, runTimeNs: info.runTimeNs };
  });
}
