// Function symbols of an ELF64 little-endian file (executable or shared
// library): .symtab when the file has one, plus .dynsym, and the PT_LOAD
// segments that map file offsets to the addresses symbols are given in. Enough
// to symbolise user stacks and to check uprobe targets; no debug info (DWARF).
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface ElfSymbol {
  name: string;
  /** Virtual address as linked (for PIE and libraries: relative to the load base). */
  addr: number;
  size: number;
}

export interface ElfSegment {
  vaddr: number;
  offset: number;
  filesz: number;
}

export interface ElfSymbols {
  path: string;
  /** ET_EXEC (2) or ET_DYN (3: PIE executables and shared libraries). */
  type: number;
  /** Functions sorted by address (aliases at one address: the first name wins). */
  functions: readonly ElfSymbol[];
  /** Every function name, aliases included (getpid and __getpid), for lookups by name. */
  byName: ReadonlyMap<string, ElfSymbol>;
  /** Executable PT_LOAD segments. */
  segments: readonly ElfSegment[];
  /** Section names (".text", ".go.buildinfo", ...): what made the file, for messages. */
  sections: readonly string[];
}

const SHT_SYMTAB = 2, SHT_DYNSYM = 11, STT_FUNC = 2, STT_GNU_IFUNC = 10, PT_LOAD = 1, PF_X = 1;

function readAll(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const b = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, b, at, size - at, at);
      if (n <= 0) break;
      at += n;
    }
    return b.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

/** Reads the function symbols of `path`; throws with the path when it is not an ELF64 LE file. */
export function readElfSymbols(path: string): ElfSymbols {
  const b = readAll(path);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1)
    throw new Error(`${path} is not a 64-bit little-endian ELF file`);
  const type = b.readUInt16LE(0x10);
  const phoff = Number(b.readBigUInt64LE(0x20)), shoff = Number(b.readBigUInt64LE(0x28));
  const phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
  const shentsize = b.readUInt16LE(0x3a), shnum = b.readUInt16LE(0x3c);

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (b.readUInt32LE(o) !== PT_LOAD || !(b.readUInt32LE(o + 4) & PF_X)) continue;
    segments.push({ offset: Number(b.readBigUInt64LE(o + 8)), vaddr: Number(b.readBigUInt64LE(o + 16)),
      filesz: Number(b.readBigUInt64LE(o + 32)) });
  }

  const sections = Array.from({ length: shoff ? shnum : 0 }, (_, i) => {
    const o = shoff + i * shentsize;
    return { name: b.readUInt32LE(o), type: b.readUInt32LE(o + 4), offset: Number(b.readBigUInt64LE(o + 0x18)),
      size: Number(b.readBigUInt64LE(o + 0x20)), link: b.readUInt32LE(o + 0x28) };
  });
  const names = sections[b.readUInt16LE(0x3e)]; // e_shstrndx: the section of section names
  const sectionNames = names && names.offset + names.size <= b.length
    ? sections.map((s) => b.toString("latin1", names.offset + s.name, b.indexOf(0, names.offset + s.name))) : [];
  const byAddr = new Map<number, ElfSymbol>();
  const byName = new Map<string, ElfSymbol>();
  for (const want of [SHT_SYMTAB, SHT_DYNSYM]) { // .symtab first: its names win
    for (const s of sections.filter((x) => x.type === want)) {
      const strtab = sections[s.link];
      if (!strtab || s.offset + s.size > b.length) continue;
      for (let o = s.offset; o + 24 <= s.offset + s.size; o += 24) {
        const info = b[o + 4]!, shndx = b.readUInt16LE(o + 6);
        const kind = info & 15;
        if ((kind !== STT_FUNC && kind !== STT_GNU_IFUNC) || shndx === 0) continue;
        const addr = Number(b.readBigUInt64LE(o + 8));
        if (addr === 0) continue;
        const start = strtab.offset + b.readUInt32LE(o);
        const sym = { name: b.toString("latin1", start, b.indexOf(0, start)), addr, size: Number(b.readBigUInt64LE(o + 16)) };
        if (!byName.has(sym.name)) byName.set(sym.name, sym);
        if (!byAddr.has(addr)) byAddr.set(addr, sym);
      }
    }
  }
  const functions = [...byAddr.values()].sort((x, y) => x.addr - y.addr);
  return { path, type, functions, byName, segments, sections: sectionNames };
}

/** The function containing `addr` (an ELF virtual address), or undefined. */
export function functionAt(elf: ElfSymbols, addr: number): { symbol: ElfSymbol; offset: number } | undefined {
  const f = elf.functions;
  let lo = 0, hi = f.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (f[mid]!.addr <= addr) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (best < 0) return undefined;
  const s = f[best]!;
  // Size 0 (hand-written assembly): accept up to the next symbol.
  if (s.size > 0 ? addr >= s.addr + s.size : best + 1 < f.length && addr >= f[best + 1]!.addr) return undefined;
  return { symbol: s, offset: addr - s.addr };
}

/** ELF virtual address of a file offset inside an executable segment. */
export function fileOffsetToAddr(elf: ElfSymbols, offset: number): number | undefined {
  const seg = elf.segments.find((s) => offset >= s.offset && offset < s.offset + s.filesz);
  return seg ? offset - seg.offset + seg.vaddr : undefined;
}

/** The function named `name`, if the file defines it. */
export function findFunction(elf: ElfSymbols, name: string): ElfSymbol | undefined {
  return elf.byName.get(name) ?? elf.functions.find((s) => s.name.startsWith(name + "@@"));
}
