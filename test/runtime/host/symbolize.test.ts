// Symbolisation: ELF symbol tables (.symtab and .dynsym), PIE executables and
// shared libraries mapped at random bases, /proc/kallsyms, and the caches.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { findFunction, readElfSymbols } from "../../../runtime/host/elf-symbols.js";
import { libcPath } from "../../../runtime/host/features.js";
import { kallsyms, parseKallsyms } from "../../../runtime/host/kallsyms.js";
import { mappingAt, parseMaps, readMaps } from "../../../runtime/host/proc-maps.js";
import { elfSymbolsOf, symbolizeKernel, symbolizeUser } from "../../../runtime/host/symbolize.js";
import { buildC } from "../../bpf/support/build-c.js";
import { startHeld } from "../../bpf/support/workload.js";
import { killSpawned } from "../../support/children.js";

afterEach(killSpawned);

const busy = buildC("busy-loop", ["-O0", "-fno-omit-frame-pointer"]);
afterAll(() => busy.cleanup());

/** Where `symbol` of `file` is mapped in process `pid` (the inverse of symbolisation). */
function runtimeAddress(pid: number, file: string, symbol: string): bigint {
  const elf = readElfSymbols(file);
  const sym = findFunction(elf, symbol)!;
  const seg = elf.segments.find((s) => sym.addr >= s.vaddr && sym.addr < s.vaddr + s.filesz)!;
  const fileOffset = sym.addr - seg.vaddr + seg.offset;
  const m = readMaps(pid)!.find((x) => x.path === file && fileOffset >= x.offset && fileOffset < x.offset + (x.end - x.start))!;
  return BigInt(m.start + fileOffset - m.offset);
}

describe("ELF symbols", () => {
  it("read a PIE executable's own functions from .symtab", () => {
    const elf = readElfSymbols(busy.bin);
    expect(elf.type).toBe(3); // ET_DYN: PIE
    expect(findFunction(elf, "probebook_spin_here")).toBeDefined();
    expect(findFunction(elf, "main")).toBeDefined();
  });

  it("read a stripped library's exported functions from .dynsym", () => {
    const elf = readElfSymbols(libcPath());
    for (const f of ["lldiv", "strverscmp", "getpid", "malloc"]) expect(findFunction(elf, f), f).toBeDefined();
  });

  it("refuse a file that is not ELF, naming it", () => {
    expect(() => readElfSymbols("/proc/self/status")).toThrow("/proc/self/status is not a 64-bit little-endian ELF file");
  });

  it("are cached per file", () => {
    expect(elfSymbolsOf(libcPath())).toBe(elfSymbolsOf(libcPath()));
  });
});

describe("user addresses", () => {
  it("name a function of a PIE process mapped at a random base, with the offset", async () => {
    const w = await startHeld(busy.bin, ["0"]);
    try {
      const addr = runtimeAddress(w.pid, busy.bin, "probebook_spin_here") + 9n;
      const f = symbolizeUser(addr, readMaps(w.pid), w.pid);
      expect(f).toEqual({ addr, symbol: "probebook_spin_here", offset: 9, object: busy.bin });
    } finally {
      w.child.stdin!.end();
      w.dispose();
    }
  });

  it("name a libc function in this process", () => {
    const addr = runtimeAddress(process.pid, libcPath(), "strverscmp");
    expect(symbolizeUser(addr, readMaps(process.pid))).toMatchObject({ symbol: "strverscmp", offset: 0, object: libcPath() });
  });

  it("say what they are when they cannot be named", () => {
    const maps = parseMaps("7ffc0000-7ffd0000 rw-p 00000000 00:00 0                          [stack]\n");
    expect(mappingAt(maps, 0x7ffc1000)?.path).toBe("[stack]");
    expect(symbolizeUser(0x7ffc1000n, maps).object).toBe("[stack]");
    expect(symbolizeUser(0x1000n, undefined).object).toBe("[exited]");
  });
});

describe("kernel addresses", () => {
  it("parse /proc/kallsyms lines, modules included", () => {
    const syms = parseKallsyms(
      "ffffffff81000000 T _stext\nffffffff81001000 t helper\nffffffffc0001000 t mod_fn\t[xfs]\n0000000000000000 T hidden\nffffffff81002000 D data\n");
    expect(syms.map((s) => [s.name, s.module])).toEqual([["_stext", ""], ["helper", ""], ["mod_fn", "xfs"]]);
  });

  it("name a kernel function with the offset", () => {
    const target = kallsyms().find((s) => s.name === "do_sys_openat2")!;
    expect(target).toBeDefined();
    expect(symbolizeKernel(target.addr + 5n)).toEqual({ addr: target.addr + 5n, symbol: "do_sys_openat2", offset: 5, object: "[kernel]" });
    expect(readFileSync("/proc/kallsyms", "utf8")).toContain(" do_sys_openat2");
  });
});
