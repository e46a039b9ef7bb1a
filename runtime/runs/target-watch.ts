// Ends a run when what it traces has gone away, so it stops with what it
// collected and says why, rather than wait out its duration seeing nothing.
// The kernel tells nobody: a uprobe is registered on a file's inode and stays
// there whatever happens to the path or the processes, so this is what can be
// observed from outside, polled every 100 ms:
// - "target-exited": the process the run is filtered to (filter.pid) is gone
//   (or a zombie: it runs nothing any more);
// - "target-unmapped": that process no longer maps a file the run probes
//   (uprobes, USDT), having mapped it: it dlclose()d the library, or exec'd
//   another program. Seen at a poll: a library unmapped and mapped again
//   within 100 ms goes unnoticed, and the probe fires again once it is back;
// - "target-replaced": a run on every process whose probed file's path now
//   names another file, or none (renamed over, as package upgrades do, or
//   deleted): the probe stays on the old file, which only processes started
//   before still run; processes started from now on run the new one, unseen.
//   A run filtered to a process is not ended by this: its process still runs
//   the old file, which is the one probed.
import { readFileSync, statSync } from "node:fs";
import { mapsDevice, readMaps } from "../host/proc-maps.js";
import type { ProbeAttach } from "../templates/attach-point.js";

export type TargetGone = "target-exited" | "target-unmapped" | "target-replaced";

/** What a run's target is: the process it is filtered to, and the files its probes are on. */
export interface Target {
  pid?: number;
  files: string[];
}

export interface TargetWatch {
  /** Resolves (once) when the target has gone, with why; never, while it's there. */
  readonly gone: Promise<{ why: TargetGone; file?: string }>;
  stop(): void;
}

const POLL_MS = 100;

/** The target of a plan: filter.pid (else the one process its uprobes are attached in), and the
 *  binaries of its uprobe and USDT attach points. */
export function targetOf(pid: unknown, attach: readonly ProbeAttach[]): Target | undefined {
  const fileProbes = attach.flatMap((a) => (a.kind === "uprobe" || a.kind === "usdt" ? [a] : []));
  const files = [...new Set(fileProbes.map((a) => a.binary))];
  const attachedIn = [...new Set(fileProbes.map((a) => a.pid))];
  const given = pid ?? (attachedIn.length === 1 ? attachedIn[0] : undefined);
  const ownPid = typeof given === "number" && Number.isInteger(given) && given > 0 ? given : undefined;
  return ownPid !== undefined || files.length ? { ...(ownPid !== undefined ? { pid: ownPid } : {}), files } : undefined;
}

/** Watches `target` from now on (call once attached): the files are the ones their paths name now. */
export function watchTarget(target: Target): TargetWatch {
  const files = target.files.map((path) => ({ path, ...identity(path), seenMapped: false }));
  let resolve: (v: { why: TargetGone; file?: string }) => void = () => {};
  const gone = new Promise<{ why: TargetGone; file?: string }>((r) => (resolve = r));
  const check = () => {
    const { pid } = target;
    if (pid !== undefined) {
      if (!running(pid)) return end({ why: "target-exited" });
      const maps = readMaps(pid);
      if (!maps) return end({ why: "target-exited" });
      for (const f of files) {
        if (!f.ino) continue;
        const mapped = maps.some((m) => m.inode === f.ino && m.dev === f.dev);
        if (mapped) f.seenMapped = true;
        else if (f.seenMapped) return end({ why: "target-unmapped", file: f.path });
      }
      return;
    }
    for (const f of files) {
      const now = identity(f.path);
      if (f.ino && (now.ino !== f.ino || now.dev !== f.dev)) return end({ why: "target-replaced", file: f.path });
    }
  };
  const timer = setInterval(check, POLL_MS);
  timer.unref();
  const end = (v: { why: TargetGone; file?: string }) => {
    clearInterval(timer);
    resolve(v);
  };
  check();
  return { gone, stop: () => clearInterval(timer) };
}

/** The file a path names now (dev as /proc/PID/maps writes it), or none. */
function identity(path: string): { dev: string; ino: number } {
  try {
    const st = statSync(path);
    return { dev: mapsDevice(st.dev), ino: st.ino };
  } catch {
    return { dev: "", ino: 0 };
  }
}

/** True while `pid` exists and is not a zombie (signal 0 checks without sending; EPERM: it exists but isn't ours). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    // The state follows the command name, which may hold spaces and parentheses: after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

/** What the cell is told when its run on `probe` ended because its target went away. */
export function targetGoneMessage(probe: string, why: TargetGone, file: string | undefined, rows: number): string | undefined {
  switch (why) {
    case "target-exited":
      return undefined; // said by meta.stoppedBy and the progress line: the common, expected end
    case "target-unmapped":
      return `${probe}: the run ended early with ${rows} rows: the traced process no longer maps ${file} ` +
        "(it unloaded the library with dlclose(), or exec'd another program), so the probe can't fire in it any more.";
    case "target-replaced":
      return `${probe}: the run ended early with ${rows} rows: ${file} was replaced on disk (renamed over or deleted). ` +
        "The probe is on the old file, which only processes started before still run; run the cell again to probe the new one.";
  }
}
