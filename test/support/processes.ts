// Processes a test did not start itself (a kernel launched by a client the
// test killed, re-parented to init): whether they have exited, and their
// children. Init here does not reap orphans, so an exited process may stay a
// zombie: it has exited (and closed every fd) all the same.
import { readdirSync, readFileSync } from "node:fs";
import { parentPid } from "../../kernel/launcher.js";

/** The state letter of /proc/<pid>/stat ("R", "S", "Z", ...), or undefined when there is no such process. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/** True once `pid` has exited: gone from /proc, or a zombie (its fds are closed). */
export function hasExited(pid: number): boolean {
  const state = stateOf(pid);
  return state === undefined || state === "Z" || state === "X";
}

/** Polls until `pid` has exited; resolves with whether it did within `timeoutMs`. */
export async function waitUntilExited(pid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited(pid)) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Pids whose parent is `pid`. */
export function childPids(pid: number): number[] {
  return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => parentPid(p) === pid);
}

/** SIGKILLs `pid` unless it has exited: the clean-up for a process a test did not spawn. */
export function killIfRunning(pid: number): void {
  if (hasExited(pid)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone meanwhile
  }
}
