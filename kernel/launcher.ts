// Which process launched this kernel, so that the kernel can end with it.
//
// ipykernel's convention, which jupyter_client keeps: a client that launches a
// kernel it owns sets JPY_PARENT_PID to its own pid (launcher.py). A kernel
// without it was started by hand (`probebook kernel -f file`) or by a client
// that means it to live on (jupyter_client's `independent=True`): that kernel
// runs until shutdown_request or SIGTERM, whoever started it. ipykernel on
// Unix then exits when it is orphaned; we watch the launcher itself, which also
// covers a wrapper left between the two (`sudo -E node ...` keeps sudo as our
// parent while the client it serves is gone).
import { readFileSync } from "node:fs";

export type LauncherChoice =
  /** Watch `pid`; the kernel shuts down when it exits. */
  | { kind: "watch"; pid: number; reason: string }
  /** Nothing to watch: the kernel runs until it is told to stop. */
  | { kind: "none"; reason: string }
  /** The launcher is already gone: shut down now. */
  | { kind: "gone"; reason: string };

/**
 * The decision, pure: `env` is the kernel's environment, `ancestors` its parent,
 * grandparent, ... (ancestorPids()), nearest first.
 */
export function launcherToWatch(env: NodeJS.ProcessEnv, ancestors: readonly number[]): LauncherChoice {
  const raw = env.JPY_PARENT_PID?.trim();
  if (!raw || raw === "0") return { kind: "none", reason: "no JPY_PARENT_PID (started by hand, not by a Jupyter client): the kernel runs until shutdown_request or SIGTERM" };
  if (!/^\d+$/.test(raw)) return { kind: "none", reason: `JPY_PARENT_PID=${JSON.stringify(raw)} is not a process id: not watching a launcher` };
  const named = Number(raw);
  // ipykernel: "PID 1 (init) is special and will never go away, only be reassigned."
  if (named === 1) return { kind: "none", reason: "JPY_PARENT_PID=1 (init): not watching a launcher" };
  if (ancestors.includes(named)) {
    const how = named === ancestors[0] ? "its parent" : "an ancestor (a wrapper runs between them)";
    return { kind: "watch", pid: named, reason: `the launcher is JPY_PARENT_PID ${named}, ${how}` };
  }
  // Not an ancestor: inherited from elsewhere, or the launcher died before we
  // looked. ipykernel then ends the kernel once it is orphaned: watch the parent.
  const parent = ancestors[0];
  if (parent === undefined || parent <= 1) {
    return { kind: "gone", reason: `JPY_PARENT_PID ${named} is not running and this kernel's parent is init: the launcher has exited` };
  }
  return { kind: "watch", pid: parent, reason: `JPY_PARENT_PID ${named} is not an ancestor of this kernel; the launcher watched is its parent, pid ${parent}` };
}

/** The parent pid of `pid` from /proc/<pid>/stat, or undefined when it is gone. */
export function parentPid(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
  const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** This process's parent, grandparent, ... up to (without) init, nearest first. */
export function ancestorPids(pid: number = process.pid): number[] {
  const out: number[] = [];
  for (let p = pid === process.pid ? process.ppid : parentPid(pid); p !== undefined && p > 1 && out.length < 64; p = parentPid(p)) {
    out.push(p);
  }
  return out;
}
