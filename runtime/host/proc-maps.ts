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
  /** The file's device ("fd:01", major:minor in hex) and inode (0 for anonymous memory): which file, whatever its path now. */
  dev: string;
  inode: number;
}

export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) (\S+) (\d+)\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({ start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16), perms: m[3]!, offset: parseInt(m[4]!, 16),
      path: m[7]!.replace(/ \(deleted\)$/, ""), dev: m[5]!, inode: Number(m[6]) });
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

/** A stat() device number as /proc/PID/maps writes it ("fd:01"; glibc's major()/minor()). */
export function mapsDevice(dev: number): string {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}`;
}

export function mappingAt(maps: readonly Mapping[], addr: number): Mapping | undefined {
  return maps.find((m) => addr >= m.start && addr < m.end);
}
