// The pid namespace pids are meant in. A kernel running in a container sees
// its own pids (process.pid, a child's pid); BPF sees the host's unless told
// which namespace to translate to (bpf_get_ns_current_pid_tgid).
import { statSync } from "node:fs";

/** st_dev and st_ino of a /proc/<pid>/ns/pid; { dev: 0, ino: 0 } means the initial namespace. */
export interface PidNamespace {
  dev: number;
  ino: number;
}

/** PROC_PID_INIT_INO (include/linux/proc_ns.h): the initial pid namespace's inode. */
const INIT_PID_NS_INO = 0xeffffffc;

export const INITIAL_PID_NAMESPACE: PidNamespace = Object.freeze({ dev: 0, ino: 0 });

/** This process's pid namespace, or INITIAL_PID_NAMESPACE when that is the host's. */
export function currentPidNamespace(nsPath = "/proc/self/ns/pid"): PidNamespace {
  const st = statSync(nsPath);
  if (st.ino === INIT_PID_NS_INO) return INITIAL_PID_NAMESPACE;
  return { dev: st.dev, ino: st.ino };
}
