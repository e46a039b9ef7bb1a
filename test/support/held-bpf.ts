// The BPF objects one process holds (this test process or a child it started),
// read from that process's own fd table: programs, maps and links are anonymous
// inodes ("anon_inode:bpf-prog", "bpf-map", "bpf_link") whose /proc/PID/fdinfo
// names the kernel id ("prog_id:", "map_id:", "link_id:"). Leak checks compare
// these ids, never names across the whole machine: other processes (benchmarks,
// another engineer's run) may have probes of the same names loaded meanwhile.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, expect } from "vitest";

export interface HeldBpf {
  progs: number[];
  maps: number[];
  links: number[];
  /** perf_event fds (tracepoint, uprobe and sampling attachments hold one each). */
  perfEvents: number;
}

const NONE: HeldBpf = { progs: [], maps: [], links: [], perfEvents: 0 };

function idIn(fdinfo: string, key: string): number | undefined {
  const m = new RegExp(`^${key}:\\s*(\\d+)`, "m").exec(fdinfo);
  return m ? Number(m[1]) : undefined;
}

/** Ids of the programs (own fds and those of its links), maps and links that `pid` holds right now. */
export function heldBpf(pid: number = process.pid): HeldBpf {
  const progs = new Set<number>(), maps = new Set<number>(), links = new Set<number>();
  let perfEvents = 0;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return { ...NONE }; // the process is gone: it holds nothing
  }
  for (const fd of fds) {
    let target: string, info: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (!target.startsWith("anon_inode:")) continue;
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
    } catch {
      continue; // closed while listing
    }
    if (target === "anon_inode:[perf_event]") perfEvents++;
    const prog = idIn(info, "prog_id"), map = idIn(info, "map_id"), link = idIn(info, "link_id");
    if (target === "anon_inode:bpf-prog" && prog !== undefined) progs.add(prog);
    if (target === "anon_inode:bpf-map" && map !== undefined) maps.add(map);
    if (target === "anon_inode:bpf_link" && link !== undefined) {
      links.add(link);
      if (prog !== undefined) progs.add(prog); // an attached link keeps its program loaded
    }
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { progs: sorted(progs), maps: sorted(maps), links: sorted(links), perfEvents };
}

export function holdsNothing(h: HeldBpf): boolean {
  return h.progs.length === 0 && h.maps.length === 0 && h.links.length === 0 && h.perfEvents === 0;
}

/** The union of two observations (ids seen at any of the times). */
export function mergeHeld(a: HeldBpf, b: HeldBpf): HeldBpf {
  const u = (x: number[], y: number[]) => [...new Set([...x, ...y])].sort((p, q) => p - q);
  return { progs: u(a.progs, b.progs), maps: u(a.maps, b.maps), links: u(a.links, b.links),
    perfEvents: Math.max(a.perfEvents, b.perfEvents) };
}

interface Listed { id: number; name?: string; type?: string }
function listed(kind: "prog" | "map" | "link"): Listed[] {
  return JSON.parse(execFileSync("bpftool", [kind, "show", "-j"], { encoding: "utf8" }) || "[]") as Listed[];
}

/** Loaded programs among `ids`, by name (bpftool), in id order: what a test expects its process to hold. */
export function programNames(ids: readonly number[]): string[] {
  const byId = new Map(listed("prog").map((p) => [p.id, p.name ?? `#${p.id}`]));
  return ids.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
}

/** Readable lines for what `h` still names in the kernel, e.g. "prog 812 pb_tp_events", "map 77 pb_events". */
function stillLoaded(h: HeldBpf): string[] {
  const out: string[] = [];
  for (const kind of ["prog", "map", "link"] as const) {
    const ids = new Set(kind === "prog" ? h.progs : kind === "map" ? h.maps : h.links);
    if (ids.size === 0) continue;
    for (const x of listed(kind)) if (ids.has(x.id)) out.push(`${kind} ${x.id} ${x.name ?? x.type ?? ""}`.trimEnd());
  }
  return out;
}

/** Readable lines for what `pid` holds, named by bpftool (empty when it holds nothing). */
export function describeHeld(pid: number = process.pid): string[] {
  const h = heldBpf(pid);
  if (holdsNothing(h)) return [];
  const named = stillLoaded(h);
  return h.perfEvents ? [...named, `${h.perfEvents} perf_event fd(s)`] : named;
}

async function poll(read: () => string[], timeoutMs: number): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = read();
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until the kernel has freed every program, map and link in `h` (it frees
 * them after the last reference goes, not always at once; ids are not reused
 * soon, so this is exact). Returns what is still loaded after `timeoutMs`.
 */
export function waitUntilFreed(h: HeldBpf, timeoutMs = 5000): Promise<string[]> {
  return poll(() => stillLoaded(h), timeoutMs);
}

/** Waits until `pid` holds no BPF fd; returns what it still holds after `timeoutMs`. */
export function waitUntilHoldsNothing(pid: number = process.pid, timeoutMs = 3000): Promise<string[]> {
  return poll(() => describeHeld(pid), timeoutMs);
}

/**
 * Records every id `pid` holds from now on: sampled every `everyMs` while the
 * event loop runs, and at each `sample()` (call it before closing objects that
 * were loaded and closed synchronously, or before closing a test's objects in
 * afterEach). `leftovers()` lists what `pid` still holds and what of all it ever
 * held is still loaded - the exact leak check of one test or file.
 */
export interface HeldRecorder {
  sample(): void;
  /** Samples, then closes `obj`: for objects loaded and closed within one synchronous test. */
  close(obj: { close(): void }): void;
  seen(): HeldBpf;
  leftovers(timeoutMs?: number): Promise<string[]>;
}

export function recordHeld(pid: number = process.pid, everyMs = 10): HeldRecorder {
  let seen: HeldBpf = { ...NONE };
  const sample = () => {
    seen = mergeHeld(seen, heldBpf(pid));
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    sample,
    close: (obj) => {
      sample();
      obj.close();
    },
    seen: () => seen,
    leftovers: async (timeoutMs = 5000) => {
      sample();
      const held = await waitUntilHoldsNothing(pid, timeoutMs);
      return [...held, ...await waitUntilFreed(seen, timeoutMs)];
    },
  };
}

/**
 * The leak check of one test file, registered as its afterAll: records what
 * this process holds from now on; at the end, all of it must be closed and
 * freed. `loads`: the file is known to load something (it fails if the
 * recorder saw nothing, so that a check that saw nothing cannot pass silently).
 */
export function expectReleasedAfterAll({ loads = true }: { loads?: boolean } = {}): HeldRecorder {
  const held = recordHeld();
  afterAll(async () => {
    if (loads) expect(held.seen().progs.length, "BPF programs this file's tests loaded (recorded)").toBeGreaterThan(0);
    expect(await held.leftovers()).toEqual([]);
  });
  return held;
}
