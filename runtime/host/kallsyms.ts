// Kernel symbols from /proc/kallsyms (root sees real addresses), sorted for
// binary search. Read once per process: the kernel's text does not move
// (modules loaded later are picked up by refreshKallsyms()).
import { readFileSync } from "node:fs";

export interface KernelSymbol {
  addr: bigint;
  name: string;
  /** "[module]" for module symbols, "" for the kernel itself. */
  module: string;
}

let table: KernelSymbol[] | undefined;

export function parseKallsyms(text: string): KernelSymbol[] {
  const out: KernelSymbol[] = [];
  for (const line of text.split("\n")) {
    // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t foo\t[mod]"
    const m = /^([0-9a-f]+) ([tTwW]) (\S+)(?:\s+\[(\S+)\])?/.exec(line);
    if (!m) continue;
    const addr = BigInt("0x" + m[1]);
    if (addr === 0n) continue; // hidden by kptr_restrict
    out.push({ addr, name: m[3]!, module: m[4] ?? "" });
  }
  return out.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

export function kallsyms(): readonly KernelSymbol[] {
  if (!table) {
    table = parseKallsyms(readFileSync("/proc/kallsyms", "utf8"));
    if (table.length === 0)
      throw new Error("/proc/kallsyms shows no addresses (kernel.kptr_restrict hides them from this user): run as root");
  }
  return table;
}

export function refreshKallsyms(): void {
  table = undefined;
}

/** The nearest kernel symbol at or below `addr`. */
export function kernelSymbolAt(addr: bigint, syms: readonly KernelSymbol[] = kallsyms()): KernelSymbol | undefined {
  let lo = 0, hi = syms.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid]!.addr <= addr) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best < 0 ? undefined : syms[best];
}
