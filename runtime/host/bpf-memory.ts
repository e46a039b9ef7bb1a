// How much kernel memory this process's BPF maps hold, as the kernel itself
// counts it: every map fd's /proc/self/fdinfo has a "memlock:" line (since 6.4
// the map's real usage, bpf_map_memory_usage(); before, its preallocated size).
// Programs, links and perf events are not counted: they are small and fixed
// per probe, while maps (ring buffers, aggregation hashes) are what grows with
// what a cell asks for.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Bytes held by the BPF maps whose fds `pid` (default: this process) has open; a map open twice counts once. */
export function bpfMapBytes(pid: number | "self" = "self"): number {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  const seen = new Set<number>();
  let bytes = 0;
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== "anon_inode:bpf-map") continue;
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
      const id = Number(/^map_id:\s*(\d+)/m.exec(info)?.[1]);
      if (seen.has(id)) continue;
      seen.add(id);
      bytes += Number(/^memlock:\s*(\d+)/m.exec(info)?.[1] ?? 0);
    } catch {
      // closed while listing (an object closing on a worker)
    }
  }
  return bytes;
}
