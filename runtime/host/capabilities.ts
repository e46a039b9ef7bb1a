// Which of the capabilities BPF tracing needs this process lacks, read from
// /proc/self/status (CapEff): a load refused with EPERM then names them,
// rather than leaving the user to guess between privileges and lockdown.
import { readFileSync } from "node:fs";

/** include/uapi/linux/capability.h */
const NEEDED = { CAP_SYS_ADMIN: 21, CAP_PERFMON: 38, CAP_BPF: 39 } as const;

/** The needed capabilities missing from the effective set in `status` (default: this process's), in CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN order. */
export function missingCapabilities(status?: string): string[] {
  let text = status;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/self/status", "utf8");
    } catch {
      return [];
    }
  }
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  if (!hex) return [];
  const eff = BigInt(`0x${hex}`);
  return (["CAP_BPF", "CAP_PERFMON", "CAP_SYS_ADMIN"] as const).filter((name) => ((eff >> BigInt(NEEDED[name])) & 1n) === 0n);
}
