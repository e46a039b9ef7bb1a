// The in-kernel profile of a traced run: the run time the kernel itself
// accounts to each BPF program (kernel.bpf_stats_enabled, held on through the
// addon's BPF_ENABLE_STATS fd so it is released even if the bench dies).
// It excludes the syscall and the noise of a shared machine, so it says how
// much of a row's overhead is the program itself.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, run } from "./procs.mjs";

export async function enableRunStats() {
  const { native } = await import(pathToFileURL(join(ROOT, "dist", "native", "load.js")).href);
  return native().enableRunStats();
}

/** Every loaded program: id -> { name, runTimeNs, runCnt }. */
export async function programs() {
  const { out } = await run("bpftool", ["prog", "show", "-j"]);
  return new Map(JSON.parse(out).map((p) => [p.id, { name: p.name, runTimeNs: p.run_time_ns ?? 0, runCnt: p.run_cnt ?? 0 }]));
}

/** Ids of the programs `pid` has attached to getppid's tracepoints (bpftool perf list: the kernel's view). */
export async function attachedBy(pid) {
  const { out } = await run("bpftool", ["perf", "list", "-j"]);
  return new Set(JSON.parse(out).filter((e) => e.pid === pid && /^sys_(enter|exit)_getppid$/.test(e.tracepoint ?? "")).map((e) => e.prog_id));
}

/** Run time and runs of the programs `ids` (other people's programs on the machine are left out). */
export function ofPrograms(ids, snapshot) {
  const progs = [...ids].map((id) => snapshot.get(id)).filter(Boolean);
  return {
    names: progs.map((p) => p.name),
    runTimeNs: progs.reduce((s, p) => s + p.runTimeNs, 0),
    runCnt: progs.reduce((s, p) => s + p.runCnt, 0),
  };
}
