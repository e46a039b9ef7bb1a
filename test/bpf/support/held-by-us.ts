// BPF programs and maps this test process still holds, found from its own
// file descriptors (/proc/self/fdinfo: "prog_id:" for programs and links,
// "map_id:" for maps) and named by bpftool. Unlike a global `bpftool prog show`,
// this stays exact while other test runs share the kernel.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

function heldIds(): { progs: Set<number>; maps: Set<number> } {
  const progs = new Set<number>(), maps = new Set<number>();
  for (const fd of readdirSync("/proc/self/fdinfo")) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
    } catch {
      continue; // closed meanwhile
    }
    const p = /^prog_id:\s*(\d+)/m.exec(text), m = /^map_id:\s*(\d+)/m.exec(text);
    if (p) progs.add(Number(p[1]));
    if (m) maps.add(Number(m[1]));
  }
  return { progs, maps };
}

/** Names of pb_* programs and maps that this process still holds an fd of. */
export function ourHeldBpf(): string[] {
  const { progs, maps } = heldIds();
  const named = (kind: "prog" | "map", ids: Set<number>) =>
    (JSON.parse(execFileSync("bpftool", [kind, "show", "-j"], { encoding: "utf8" })) as { id: number; name?: string }[])
      .filter((x) => ids.has(x.id) && (x.name ?? "").startsWith("pb_")).map((x) => `${kind} ${x.name}`);
  return [...named("prog", progs), ...named("map", maps)];
}

/** Waits until this process holds no pb_* program or map (fds close as objects are freed). */
export async function waitUntilWeHoldNone(timeoutMs = 3000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = ourHeldBpf();
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
