// Names for the instruction pointers of sampled stacks. Kernel addresses come
// from /proc/kallsyms; user addresses are mapped through /proc/PID/maps to a
// file and file offset, then to the ELF's own addresses (PIE executables and
// libraries included) and its .symtab/.dynsym functions. ELF tables are cached
// per file (path, size, mtime); a process's maps must be read while it lives,
// so callers snapshot them (snapshotMaps) before the process may exit.
import { statSync } from "node:fs";
import type { ElfSymbols } from "./elf-symbols.js";
import { fileOffsetToAddr, functionAt, readElfSymbols } from "./elf-symbols.js";
import { kallsyms, kernelSymbolAt } from "./kallsyms.js";
import type { Mapping } from "./proc-maps.js";
import { mappingAt, readMaps } from "./proc-maps.js";

export interface Frame {
  addr: bigint;
  /** "do_syscall_64", "main", or "[unknown]" */
  symbol: string;
  /** Bytes past the symbol's start. */
  offset: number;
  /** "[kernel]", "[module]" or the mapped file's path. */
  object: string;
}

const elfCache = new Map<string, ElfSymbols | Error>();

/** The ELF symbols of a file, read once per (path, size, mtime). */
export function elfSymbolsOf(path: string): ElfSymbols | undefined {
  let key: string;
  try {
    const st = statSync(path);
    key = `${path}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    return undefined;
  }
  let hit = elfCache.get(key);
  if (!hit) {
    try {
      hit = readElfSymbols(path);
    } catch (e) {
      hit = e as Error; // not ELF, unreadable: remember that too
    }
    elfCache.set(key, hit);
  }
  return hit instanceof Error ? undefined : hit;
}

export function symbolizeKernel(addr: bigint): Frame {
  const s = kernelSymbolAt(addr, kallsyms());
  if (!s) return { addr, symbol: "[unknown]", offset: 0, object: "[kernel]" };
  return { addr, symbol: s.name, offset: Number(addr - s.addr), object: s.module ? `[${s.module}]` : "[kernel]" };
}

export function symbolizeUser(addr: bigint, maps: readonly Mapping[] | undefined, pid?: number): Frame {
  const unknown = (object: string): Frame => ({ addr, symbol: "[unknown]", offset: 0, object });
  if (!maps) return unknown("[exited]");
  const ip = Number(addr);
  const m = mappingAt(maps, ip);
  if (!m || !m.path.startsWith("/")) return unknown(m?.path || "[anon]");
  // The file as the process sees it (its mount namespace may differ from ours).
  const elf = elfSymbolsOf(m.path) ?? (pid ? elfSymbolsOf(`/proc/${pid}/root${m.path}`) : undefined);
  if (!elf) return unknown(m.path);
  const vaddr = fileOffsetToAddr(elf, ip - m.start + m.offset);
  const fn = vaddr === undefined ? undefined : functionAt(elf, vaddr);
  if (!fn) return unknown(m.path);
  return { addr, symbol: fn.symbol.name.replace(/@.*$/, ""), offset: fn.offset, object: m.path };
}

/** Mappings of each live process, read now (before it can exit). */
export function snapshotMaps(pids: Iterable<number>): Map<number, Mapping[]> {
  const out = new Map<number, Mapping[]>();
  for (const pid of new Set(pids)) {
    const m = pid > 0 ? readMaps(pid) : undefined;
    if (m) out.set(pid, m);
  }
  return out;
}

/** "main+0x1a" style text of a frame. */
export function frameText(f: Frame): string {
  return f.symbol === "[unknown]" ? `[unknown ${f.object}]` : f.symbol;
}
