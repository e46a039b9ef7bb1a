// BPF objects this process still holds, from its own fd table: programs, maps
// and links are anonymous inodes ("anon_inode:bpf-prog", ...). Unlike a
// system-wide `bpftool prog show`, this cannot see other processes' probes.
import { readdirSync, readlinkSync } from "node:fs";
import { execFileSync } from "node:child_process";

export function heldBpfFds(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (/^anon_inode:(bpf-prog|bpf-map|bpf_link|\[perf_event\])$/.test(target)) out.push(target);
    } catch {
      // closed while listing
    }
  }
  return out.sort();
}

/** Loaded programs with these names, waiting up to `timeoutMs` for the kernel to free them. */
export async function programsLeft(names: readonly string[], timeoutMs = 3000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const out = execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" });
    const left = (JSON.parse(out) as { name?: string }[]).map((p) => p.name ?? "").filter((n) => names.includes(n));
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
