// The USDT probes a binary defines: its .note.stapsdt ELF notes (what
// <sys/sdt.h> emits and `readelf -n` lists), so that the planner can say which
// probes exist when a declaration names one that does not.
import { readFileSync } from "node:fs";

export interface UsdtNote {
  provider: string;
  name: string;
  /** The argument specs as the compiler wrote them ("-8@-8(%rbp) 8@%rax"). */
  args: string;
}

const SHT_NOTE = 7, NT_STAPSDT = 3;

export function readUsdtNotes(path: string): UsdtNote[] {
  const b = readFileSync(path);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1)
    throw new Error(`${path} is not a 64-bit little-endian ELF file`);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a), shnum = b.readUInt16LE(0x3c);
  const out: UsdtNote[] = [];
  for (let i = 0; i < (shoff ? shnum : 0); i++) {
    const o = shoff + i * shentsize;
    if (b.readUInt32LE(o + 4) !== SHT_NOTE) continue;
    const start = Number(b.readBigUInt64LE(o + 0x18)), end = start + Number(b.readBigUInt64LE(o + 0x20));
    for (let n = start; n + 12 <= end;) {
      const namesz = b.readUInt32LE(n), descsz = b.readUInt32LE(n + 4), type = b.readUInt32LE(n + 8);
      const nameAt = n + 12, descAt = nameAt + ((namesz + 3) & ~3);
      if (type === NT_STAPSDT && b.toString("latin1", nameAt, nameAt + namesz - 1) === "stapsdt") {
        // desc: pc, base, semaphore (3 x u64), then provider\0 name\0 args\0
        const strs = b.toString("latin1", descAt + 24, descAt + descsz).split("\0");
        out.push({ provider: strs[0] ?? "", name: strs[1] ?? "", args: strs[2] ?? "" });
      }
      n = descAt + ((descsz + 3) & ~3);
    }
  }
  return out;
}
