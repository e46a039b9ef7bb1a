// /proc/PID/maps: which file (and file offset) an address of a process lies in.
import { readFileSync } from "node:fs";

export interface Mapping {
  start: number;
  end: number;
  /** File offset of `start`. */
  offset: number;
  perms: string;
  /** Path of the mapped file; "" for anonymous memory, "[vdso]", "[stack]"... as the kernel shows them. */
  path: string;
}

export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) \S+ \d+\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({ start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16), perms: m[3]!, offset: parseInt(m[4]!, 16),
      path: m[5]!.replace(/ \(deleted\)$/, "") });
  }
  return out;
}

/** The mappings of a live process; undefined once it has exited. */
export function readMaps(pid: number): Mapping[] | undefined {
  try {
    return parseMaps(readFileSync(`/proc/${pid}/maps`, "utf8"));
  } catch {
    return undefined;
  }
}

export function mappingAt(maps: readonly Mapping[], addr: number): Mapping | undefined {
  return maps.find((m) => addr >= m.start && addr < m.end);
}
